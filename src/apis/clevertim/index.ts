import type { ApiModule } from '../../platform/api-module.ts';
import { clevertimGuardRails } from './guard-rails.ts';
import { registerOpenApi } from '../../platform/openapi/openapi.ts';
import { registerTokenAuth } from './auth.ts';
import { registerJsonBodies } from './body.ts';
import { API_DESCRIPTION } from './documentation.ts';
import { registerClevertimErrorHandling } from './errors.ts';
import { registerClevertimRoutes } from './routes.ts';
import { registerSettingsPage, SETTINGS_PATH } from './console/settings.ts';
import { clevertimBannerExample, seedClevertimDemo } from './demo.ts';
import { clearDeletedGroup } from './records/users.ts';

/**
 * The Clevertim CRM API under `/clevertim`: the documented base `https://www.clevertim.com/api` is
 * `/clevertim/api`, and the seed's write paths without `/api` are `/clevertim/<resource>`.
 */
export const clevertim: ApiModule = {
  name: 'clevertim',
  title: 'Clevertim',
  prefix: '/clevertim',
  personalApiTokens: {},
  seedDemo: seedClevertimDemo,
  bannerExample: clevertimBannerExample,
  // A deleted group's gid bit leaves every record's mask before the bit can be given to a new group.
  groupDeleted: clearDeletedGroup,
  guardRails: clevertimGuardRails,
  consoleLinks: [
    { label: 'API reference', href: '/clevertim/api/docs' },
    { label: 'OpenAPI document', href: '/clevertim/api/openapi.json' },
  ],
  companyConsoleLinks: [{ label: 'Clevertim: My Info & Settings', href: SETTINGS_PATH }],
  async register(app, ctx) {
    // Before the routes it documents: it collects them as they are added. The document and the
    // reference page are public (outside the token-authenticated context below).
    await registerOpenApi(app, ctx, {
      title: 'Clevertim CRM API',
      version: '1.0.0',
      description: API_DESCRIPTION,
      basePath: '/clevertim/api',
      documentPath: '/api/openapi.json',
      securitySchemes: () => ({
        basicAuth: { type: 'http', scheme: 'basic', description: 'Your API token as the user name; any password, e.g. "X".' },
      }),
    });
    await app.register(async (api) => {
      registerClevertimErrorHandling(api);
      registerJsonBodies(api);
      registerTokenAuth(api, ctx);
      registerClevertimRoutes(api, ctx);
    });
    // "My Info & Settings" (the API token), signed in with the console session.
    await app.register(async (pages) => registerSettingsPage(pages, ctx), { prefix: '/console' });
  },
};
