import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ApiModule } from '../api-module.ts';
import { registerGroupsPage } from './pages/groups.ts';
import { registerHome } from './pages/home.ts';
import { registerSignIn } from './pages/sign-in.ts';
import { consolePageErrors } from './pages/views.ts';
import { purgeExpiredSessions } from './sessions.ts';
import { purgeOldSignInFailures } from './sign-in-throttle.ts';
import { registerStylesheet } from './stylesheet.ts';

/** How often expired sessions and spent sign-in counters are deleted, and how much one run may delete. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const PURGE_BATCH = 1000;
const PURGE_MAX_BATCHES = 20;

/**
 * The console: sessions, CSRF and the pages people use. Cookie and CSRF support are registered on the
 * root instance so every module's pages (OAuth consent, developer portal, API pages) share them:
 * `reply.generateCsrf()` in a GET handler, `preHandler: app.csrfProtection` on the form's POST route
 * (as a preHandler, not onRequest: the body must be parsed first).
 */
export async function registerConsole(app: FastifyInstance, ctx: AppContext, apis: ApiModule[]): Promise<void> {
  await app.register(cookie);
  await app.register(csrf, {
    cookieKey: 'opsbase_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies },
    getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf ?? (request.headers['x-csrf-token'] as string | undefined),
  });
  registerStylesheet(app);
  await app.register(async (pages) => {
    consolePageErrors(pages, ctx);
    registerSignIn(pages, ctx);
    registerHome(pages, ctx, apis);
    registerGroupsPage(pages, ctx, apis);
  });
  schedulePurges(ctx);
}

/** Both tables only grow between purges; each run deletes in bounded batches and yields to shutdown. */
function schedulePurges(ctx: AppContext): void {
  ctx.background.every(
    'console purge',
    PURGE_INTERVAL_MS,
    async (signal) => {
      for (const purge of [() => purgeExpiredSessions(ctx, PURGE_BATCH), () => purgeOldSignInFailures(ctx.db, PURGE_BATCH)]) {
        for (let batch = 0; batch < PURGE_MAX_BATCHES && !signal.aborted; batch++) {
          if ((await purge()) < PURGE_BATCH) break;
        }
      }
    },
    (name, error) => ctx.log.error({ err: error }, `${name} failed`),
  );
}
