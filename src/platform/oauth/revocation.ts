import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { sha256 } from '../ids.ts';
import type { OAuthClient } from './clients.ts';
import type { OAuthServerConfig } from './config.ts';
import { oauthGrants, oauthTokens } from './schema.ts';
import { revokeGrant } from './tokens.ts';

/**
 * RFC 7009 revocation. A refresh token stands for the whole authorization, so revoking it ends the
 * authorization (2.1: "SHOULD also invalidate all access tokens"); an access token is revoked alone.
 * Unknown tokens and tokens of other clients are ignored without saying so.
 */
export async function revokeToken(ctx: Pick<AppContext, 'db'>, config: OAuthServerConfig, client: OAuthClient, token: string): Promise<void> {
  if (token.length > 512) return;
  const tokenHash = sha256(token);
  const [found] = await ctx.db.orm
    .select({ kind: oauthTokens.kind, grantId: oauthTokens.grantId, clientRowId: oauthGrants.clientRowId, api: oauthGrants.api })
    .from(oauthTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
    .where(eq(oauthTokens.tokenHash, tokenHash));
  if (!found || found.api !== config.api || found.clientRowId !== client.id) return;
  if (found.kind === 'refresh') {
    await ctx.db.orm.transaction((tx) => revokeGrant(tx, found.grantId));
    return;
  }
  await ctx.db.orm.update(oauthTokens).set({ revokedAt: sql`now()` }).where(and(eq(oauthTokens.tokenHash, tokenHash), isNull(oauthTokens.revokedAt)));
}
