import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { DemoWorkspace } from '../demo/demo.ts';
import { platformSettings } from '../demo/schema.ts';
import { newId } from '../ids.ts';
import { registerClient } from './clients.ts';
import type { OAuthServerConfig } from './config.ts';
import { oauthGrants } from './schema.ts';
import { issueTokenPair } from './tokens.ts';

/**
 * The demo workspace's partner app: an app owned by the demo owner, already authorized by the demo
 * company for every scope, so the start banner can print an API call that works as printed. The
 * authorization is found again on later starts (its id is kept in platform_settings); if someone revoked
 * it in the console, a new one is made.
 */
const settingKey = (config: OAuthServerConfig) => `${config.api}_demo_grant`;

export async function ensureDemoAuthorization(ctx: Pick<AppContext, 'db'>, config: OAuthServerConfig, demo: DemoWorkspace): Promise<string> {
  const orm = ctx.db.orm;
  const [setting] = await orm.select().from(platformSettings).where(eq(platformSettings.key, settingKey(config)));
  const knownGrantId = (setting?.value as { grantId?: string } | undefined)?.grantId;
  if (knownGrantId) {
    const [live] = await orm
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, knownGrantId), eq(oauthGrants.companyId, demo.company.id), isNull(oauthGrants.revokedAt)));
    if (live) return live.id;
  }
  const scopes = Object.keys(config.scopes);
  const { client } = await registerClient(orm, config, demo.owner.id, {
    name: `${config.apiTitle} demo partner app`,
    description: 'Made with the demo workspace so the start banner can show a working API call.',
    redirectUris: ['https://partner.example/callback'],
    scopes,
    contactEmail: demo.owner.email,
  });
  const grantId = newId();
  await orm.transaction(async (tx) => {
    await tx.insert(oauthGrants).values({ id: grantId, api: config.api, clientRowId: client.id, companyId: demo.company.id, personId: demo.owner.id, scopes });
    await tx
      .insert(platformSettings)
      .values({ key: settingKey(config), value: { grantId } })
      .onConflictDoUpdate({ target: platformSettings.key, set: { value: { grantId } } });
  });
  return grantId;
}

/** A fresh access token on the demo authorization (each start prints a new one; old ones simply expire). */
export async function mintDemoAccessToken(ctx: Pick<AppContext, 'db'>, config: OAuthServerConfig, demo: DemoWorkspace): Promise<string> {
  const grantId = await ensureDemoAuthorization(ctx, config, demo);
  const [grant] = await ctx.db.orm.select({ id: oauthGrants.id, scopes: oauthGrants.scopes }).from(oauthGrants).where(eq(oauthGrants.id, grantId));
  const tokens = await ctx.db.orm.transaction((tx) => issueTokenPair(tx, config, grant!));
  return tokens.access_token;
}
