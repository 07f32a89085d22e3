import { and, eq, isNull, sql } from 'drizzle-orm';
import { sha256 } from '../../ids.ts';
import { companies } from '../../tenancy/schema.ts';
import { requiredParam, singleParam } from '../authorize/params.ts';
import { InvalidGrant, InvalidScope } from '../errors.ts';
import { oauthGrants, oauthTokens } from '../schema.ts';
import { issueTokenPair, revokeGrant, type TokenResponse } from '../tokens.ts';
import type { GrantContext } from './context.ts';

/**
 * grant_type=refresh_token (RFC 6749 6) with the 'rotate' policy: each refresh token works once. The
 * exchange is one conditional UPDATE, so of two simultaneous refreshes with the same token exactly one
 * gets new tokens. A token presented after it was rotated is taken as stolen (seed; RFC 6819 5.2.2.3,
 * OAuth 2.0 Security BCP 4.14.2): the whole authorization is revoked, including the tokens the other
 * rotation produced. A client racing itself is indistinguishable from a thief racing the client, so the
 * loser of a race counts as reuse too; clients must not refresh the same token in parallel.
 */
const REUSED = 'The refresh token was already used; the authorization is revoked';

export async function refreshTokenGrant({ ctx, config, client, params }: GrantContext): Promise<TokenResponse> {
  const refreshToken = requiredParam(params, 'refresh_token');
  const requestedScope = singleParam(params, 'scope');
  const tokenHash = sha256(refreshToken);

  const [found] = await ctx.db.orm
    .select({ token: oauthTokens, grant: oauthGrants, company: { id: companies.id, name: companies.name, plan: companies.plan }, expired: sql<boolean>`${oauthTokens.expiresAt} <= now()` })
    .from(oauthTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
    .innerJoin(companies, eq(companies.id, oauthGrants.companyId))
    .where(and(eq(oauthTokens.tokenHash, tokenHash), eq(oauthTokens.kind, 'refresh')));

  if (!found || found.grant.api !== config.api) throw new InvalidGrant('The refresh token is not valid');
  if (found.grant.clientRowId !== client.id) throw new InvalidGrant('The refresh token was issued to another client');
  if (found.token.rotatedAt) {
    if (!found.grant.revokedAt) await ctx.db.orm.transaction((tx) => revokeGrant(tx, found.grant.id));
    throw new InvalidGrant(REUSED);
  }
  if (found.token.revokedAt || found.grant.revokedAt) throw new InvalidGrant('The refresh token was revoked');
  if (found.expired) throw new InvalidGrant('The refresh token has expired');
  if (requestedScope !== undefined) {
    // Tokens of one authorization all carry its scopes, so a refresh may restate them but not change them.
    const requested = new Set(requestedScope.split(' ').filter((s) => s !== ''));
    const granted = new Set(found.grant.scopes);
    if (requested.size !== granted.size || [...requested].some((s) => !granted.has(s))) {
      throw new InvalidScope('A refresh keeps the scopes of the authorization; omit scope or repeat the granted ones');
    }
  }
  const refusal = config.checkCompany(found.company);
  if (refusal) throw refusal;

  const grant = found.grant;
  const tokens = await ctx.db.orm.transaction(async (tx) => {
    const rotated = await tx
      .update(oauthTokens)
      .set({ rotatedAt: sql`now()` })
      .where(and(eq(oauthTokens.tokenHash, tokenHash), isNull(oauthTokens.rotatedAt), isNull(oauthTokens.revokedAt)))
      .returning({ tokenHash: oauthTokens.tokenHash });
    // Rotated (or revoked) since we read it: a second presentation of the same token, handled as reuse.
    if (rotated.length === 0) {
      await revokeGrant(tx, grant.id);
      return null;
    }
    return issueTokenPair(tx, config, grant);
  });
  if (!tokens) throw new InvalidGrant(REUSED);
  return tokens;
}
