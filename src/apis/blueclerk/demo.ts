import type { AppContext } from '../../platform/context.ts';
import type { DemoWorkspace } from '../../platform/demo/demo.ts';
import { ensureDemoAuthorization, mintDemoAccessToken } from '../../platform/oauth/demo-authorization.ts';
import { seedBlueClerkDemoRecords } from './demo-records.ts';
import { blueClerkOAuth } from './oauth.ts';

/**
 * BlueClerk's part of the demo workspace: the demo company's customers, properties, tickets, jobs,
 * estimates and invoices, and a partner app the company has already authorized.
 */
export async function seedBlueClerkDemo(ctx: AppContext, demo: DemoWorkspace): Promise<void> {
  await seedBlueClerkDemoRecords(ctx, demo.company.id);
  await ensureDemoAuthorization(ctx, blueClerkOAuth, demo);
}

/** The banner's copy-paste call: a fresh demo access token on a list endpoint with data behind it. */
export async function blueClerkBannerExample(ctx: AppContext, demo: DemoWorkspace): Promise<string> {
  const token = await mintDemoAccessToken(ctx, blueClerkOAuth, demo);
  // Quoted: an unquoted `?` is a shell wildcard.
  return `curl -s -H 'Authorization: Bearer ${token}' '${ctx.config.publicUrl}/blueclerk/api/v1/jobs?limit=5'`;
}
