import crypto from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { safeEqual, sha256 } from '../../ids.ts';
import { companies } from '../../tenancy/schema.ts';
import { requiredParam } from '../authorize/params.ts';
import { InvalidGrant, InvalidRequest } from '../errors.ts';
import { oauthCodes, oauthGrants } from '../schema.ts';
import { issueTokenPair, revokeGrant, type TokenResponse } from '../tokens.ts';
import type { GrantContext } from './context.ts';

// RFC 7636 4.1: 43 to 128 unreserved characters.
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function s256(verifier: string): string {
  return crypto.createHash('sha256').update(verifier).digest('base64url');
}

/**
 * grant_type=authorization_code (RFC 6749 4.1.3, RFC 7636 4.6). The code is single use, short-lived and
 * bound to the client, the redirect URI and the PKCE challenge. Presenting a used code again means it
 * leaked: the authorization it created is revoked with every token it issued (RFC 6749 4.1.2).
 */
export async function authorizationCodeGrant({ ctx, config, client, params }: GrantContext): Promise<TokenResponse> {
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const verifier = requiredParam(params, 'code_verifier');
  if (!CODE_VERIFIER.test(verifier)) throw new InvalidRequest('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');

  const codeHash = sha256(code);
  const [found] = await ctx.db.orm
    .select({ code: oauthCodes, grant: oauthGrants, company: { id: companies.id, name: companies.name, plan: companies.plan }, expired: sql<boolean>`${oauthCodes.expiresAt} <= now()` })
    .from(oauthCodes)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthCodes.grantId))
    .innerJoin(companies, eq(companies.id, oauthGrants.companyId))
    .where(eq(oauthCodes.codeHash, codeHash));

  if (!found || found.grant.api !== config.api) throw new InvalidGrant('The authorization code is not valid');
  if (found.code.usedAt) {
    await ctx.db.orm.transaction((tx) => revokeGrant(tx, found.grant.id));
    throw new InvalidGrant('The authorization code was already used; the tokens issued with it are revoked');
  }
  if (found.code.clientRowId !== client.id) throw new InvalidGrant('The authorization code was issued to another client');
  if (found.expired) throw new InvalidGrant('The authorization code has expired');
  if (found.code.redirectUri !== redirectUri) throw new InvalidGrant('redirect_uri differs from the one in the authorization request');
  if (!safeEqual(s256(verifier), found.code.codeChallenge)) throw new InvalidGrant('code_verifier does not match the code_challenge');
  if (found.grant.revokedAt) throw new InvalidGrant('The authorization was revoked');
  const refusal = config.checkCompany(found.company);
  if (refusal) throw refusal;

  const grant = found.grant;
  return ctx.db.orm.transaction(async (tx) => {
    // Spending the code and issuing tokens commit together; of two simultaneous exchanges, the second
    // finds the code spent here and is treated as the replay it is.
    const spent = await tx
      .update(oauthCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(oauthCodes.codeHash, codeHash), isNull(oauthCodes.usedAt)))
      .returning({ codeHash: oauthCodes.codeHash });
    if (spent.length === 0) {
      await revokeGrant(tx, grant.id);
      return { replayed: true as const };
    }
    return { replayed: false as const, tokens: await issueTokenPair(tx, config, grant) };
  }).then((result) => {
    if (result.replayed) throw new InvalidGrant('The authorization code was already used; the tokens issued with it are revoked');
    return result.tokens;
  });
}
