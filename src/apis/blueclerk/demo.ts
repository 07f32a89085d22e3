import type { AppContext } from '../../platform/context.ts';
import type { DemoWorkspace } from '../../platform/demo/demo.ts';
import { ensureDemoAuthorization, mintDemoAccessToken } from '../../platform/oauth/demo-authorization.ts';
import { blueClerkOAuth } from './oauth.ts';

/** BlueClerk's part of the demo workspace: a partner app the demo company has already authorized. */
export async function seedBlueClerkDemo(ctx: AppContext, demo: DemoWorkspace): Promise<void> {
  await ensureDemoAuthorization(ctx, blueClerkOAuth, demo);
}

/** The banner's copy-paste call: a fresh demo access token on a read endpoint. */
export async function blueClerkBannerExample(ctx: AppContext, demo: DemoWorkspace): Promise<string> {
  const token = await mintDemoAccessToken(ctx, blueClerkOAuth, demo);
  return `curl -s -H 'Authorization: Bearer ${token}' ${ctx.config.publicUrl}/blueclerk/api/v1/me`;
}
