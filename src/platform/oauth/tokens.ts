import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../idempotency/idempotency.ts';
import type { Orm } from '../db/database.ts';
import { sha256 } from '../ids.ts';
import type { OAuthServerConfig } from './config.ts';
import { mintOpaqueToken } from './token-format.ts';
import { oauthGrants, oauthTokens } from './schema.ts';

/** Issuing and revoking the tokens of an authorization (grant). Always inside the caller's transaction. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function issueTokenPair(tx: Tx, config: OAuthServerConfig, grant: { id: string; scopes: string[] }): Promise<TokenResponse> {
  const access = mintOpaqueToken(config.tokenPrefixes.access);
  const refresh = mintOpaqueToken(config.tokenPrefixes.refresh);
  const now = Date.now();
  await tx.insert(oauthTokens).values([
    { tokenHash: sha256(access), kind: 'access', grantId: grant.id, expiresAt: new Date(now + config.lifetimes.accessTokenSeconds * 1000) },
    { tokenHash: sha256(refresh), kind: 'refresh', grantId: grant.id, expiresAt: new Date(now + config.lifetimes.refreshTokenSeconds * 1000) },
  ]);
  return {
    access_token: access,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: config.lifetimes.accessTokenSeconds,
    scope: grant.scopes.join(' '),
  };
}

/** Ends an authorization: the grant and every token it issued stop working at once. */
export async function revokeGrant(tx: Tx | Orm, grantId: string): Promise<void> {
  await tx.update(oauthGrants).set({ revokedAt: sql`now()` }).where(and(eq(oauthGrants.id, grantId), isNull(oauthGrants.revokedAt)));
  await tx.update(oauthTokens).set({ revokedAt: sql`now()` }).where(and(eq(oauthTokens.grantId, grantId), isNull(oauthTokens.revokedAt)));
}
