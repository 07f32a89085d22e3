import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ApiModule } from '../api-module.ts';

/**
 * The console: sessions, CSRF and the pages people use. Cookie and CSRF support are registered on the
 * root instance so every module's pages (OAuth consent, developer portal, API pages) share them:
 * `reply.generateCsrf()` in a GET handler, `preHandler: app.csrfProtection` on the form's POST route
 * (as a preHandler, not onRequest: the body must be parsed first).
 */
export async function registerConsole(app: FastifyInstance, ctx: AppContext, _apis: ApiModule[]): Promise<void> {
  await app.register(cookie);
  await app.register(csrf, {
    cookieKey: 'opsbase_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies },
    getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf ?? (request.headers['x-csrf-token'] as string | undefined),
  });
}
