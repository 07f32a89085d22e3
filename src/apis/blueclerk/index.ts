import type { ApiModule } from '../../platform/api-module.ts';
import { blueClerkGuardRails } from './guard-rails.ts';
import { registerOpenApi } from '../../platform/openapi/openapi.ts';
import { ENDPOINT_PATHS, issuerOf } from '../../platform/oauth/config.ts';
import { registerOAuthMetadataRoot, registerOAuthServer } from '../../platform/oauth/index.ts';
import { scheduleIdempotencyPurge } from '../../platform/idempotency/idempotency.ts';
import { registerApiV1 } from './api-v1/index.ts';
import { API_DESCRIPTION, RESPONSE_HEADERS, responseHeaderNames } from './api-v1/documentation.ts';
import { createBlueClerkRateLimiter } from './api-v1/rate-limit.ts';
import { registerBlueClerkErrorHandling } from './errors.ts';
import { registerContractorConsole } from './console/index.ts';
import { registerOperatorApi } from './operator/index.ts';
import { blueClerkOAuth } from './oauth.ts';
import { blueClerkBannerExample, seedBlueClerkDemo } from './demo.ts';
import { registerBlueClerkWebhooks, registerWebhookRoutes } from './webhooks/index.ts';

/**
 * BlueClerk Public API v1 under `/blueclerk`: the OAuth endpoints at `/blueclerk/oauth/*` (the seed's
 * site-root `/oauth/*`) and the data API at `/blueclerk/api/v1/*` (the seed's `/api/v1`).
 */
export const blueClerk: ApiModule = {
  name: 'blueclerk',
  title: 'BlueClerk',
  prefix: '/blueclerk',
  oauth: blueClerkOAuth,
  seedDemo: seedBlueClerkDemo,
  bannerExample: blueClerkBannerExample,
  guardRails: blueClerkGuardRails,
  consoleLinks: [
    { label: 'API reference', href: '/blueclerk/api/docs' },
    { label: 'OpenAPI document', href: '/blueclerk/api/openapi.json' },
    { label: 'Webhooks', href: '/blueclerk/console/webhooks' },
  ],
  companyConsoleLinks: [
    { label: 'BlueClerk records', href: '/blueclerk/console/companies/:companyId' },
    { label: 'BlueClerk API usage', href: '/blueclerk/console/companies/:companyId/usage' },
  ],
  async register(app, ctx) {
    registerBlueClerkErrorHandling(app);
    // Before the routes it documents: it collects them as they are added.
    await registerOpenApi(app, ctx, {
      title: 'BlueClerk Public API',
      version: '1.0.0',
      description: API_DESCRIPTION,
      responseHeaders: { definitions: RESPONSE_HEADERS, names: responseHeaderNames },
      basePath: '/blueclerk/api/v1',
      documentPath: '/api/openapi.json',
      securitySchemes: (publicUrl) => {
        const issuer = issuerOf(publicUrl, blueClerkOAuth);
        return {
          oauth2: {
            type: 'oauth2',
            flows: {
              authorizationCode: {
                authorizationUrl: `${issuer}${ENDPOINT_PATHS.authorize}`,
                tokenUrl: `${issuer}${ENDPOINT_PATHS.token}`,
                refreshUrl: `${issuer}${ENDPOINT_PATHS.token}`,
                scopes: Object.fromEntries(Object.entries(blueClerkOAuth.scopes).map(([name, scope]) => [name, scope.description])),
              },
            },
          },
        };
      },
    });
    await registerOAuthServer(app, ctx, blueClerkOAuth);
    // One limiter and one purge loop per process; both run on ctx.background and stop with it.
    const limiter = createBlueClerkRateLimiter(ctx);
    scheduleIdempotencyPurge(ctx);
    await app.register(
      async (api) => {
        await registerApiV1(api, ctx, limiter);
        registerWebhookRoutes(api, ctx);
      },
      { prefix: '/api/v1' },
    );
    // The contractor's side, authenticated by the console session: no bearer token, no plan rate limit.
    await app.register(async (operator) => registerOperatorApi(operator, ctx), { prefix: '/operator' });
    // The contractor's record and usage pages (they make their changes through the operator API's table).
    await app.register(async (pages) => registerContractorConsole(pages, ctx), { prefix: '/console' });
    // Webhook console pages and this node's delivery workers (the routes are in /api/v1 above).
    await registerBlueClerkWebhooks(app, ctx);
  },
  async registerRoot(app, ctx) {
    await registerOAuthMetadataRoot(app, ctx, blueClerkOAuth);
  },
};
