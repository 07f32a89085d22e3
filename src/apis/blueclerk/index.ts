import type { ApiModule } from '../../platform/api-module.ts';
import { registerOAuthMetadataRoot, registerOAuthServer } from '../../platform/oauth/index.ts';
import { registerBearerAuth } from './auth.ts';
import { registerBlueClerkErrorHandling } from './errors.ts';
import { registerMeRoute } from './me.ts';
import { blueClerkOAuth } from './oauth.ts';

/**
 * BlueClerk Public API v1 under `/blueclerk`: the OAuth endpoints at `/blueclerk/oauth/*` (the seed's
 * site-root `/oauth/*`) and the data API at `/blueclerk/api/v1/*` (the seed's `/api/v1`).
 */
export const blueClerk: ApiModule = {
  name: 'blueclerk',
  title: 'BlueClerk',
  prefix: '/blueclerk',
  oauth: blueClerkOAuth,
  async register(app, ctx) {
    registerBlueClerkErrorHandling(app);
    await registerOAuthServer(app, ctx, blueClerkOAuth);
    await app.register(
      async (api) => {
        registerBearerAuth(api, ctx);
        registerMeRoute(api);
      },
      { prefix: '/api/v1' },
    );
  },
  async registerRoot(app, ctx) {
    await registerOAuthMetadataRoot(app, ctx, blueClerkOAuth);
  },
};
