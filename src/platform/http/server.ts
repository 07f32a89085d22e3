import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { ApiModule } from '../api-module.ts';
import { loggerOptions } from './logging.ts';
import { requestIdFor } from './request-id.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerHealth } from './health.ts';
import { requestValidatorCompiler } from './validation.ts';
import { registerConsole } from '../console/index.ts';
import { registerOAuthPortal } from '../oauth/portal/index.ts';
import { registerReferenceAssets } from '../openapi/reference-page.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export type App = FastifyInstance;

/** A hop count trusts that many proxies nearest to us (what proxy-addr does with a number; fastify's types take it as a function). */
function trustProxyOption(setting: AppContext['config']['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** Builds the HTTP server: platform hooks first, then the console, then each API under its prefix. */
export async function buildServer(ctx: Omit<AppContext, 'log'>, apis: ApiModule[]): Promise<{ app: App; ctx: AppContext }> {
  const app = Fastify({
    logger: loggerOptions(ctx.config.logLevel),
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    // The router's own limit (100) answered a longer path parameter itself, with 414 in fastify's
    // dialect instead of the API's; node already bounds the request line (16 KiB of headers), so the
    // route's handler sees every id and answers it in its API's words (an unknown id: 404).
    // (Given under routerOptions: fastify 5 warns FSTDEP022 on stderr for the top-level option.)
    routerOptions: { maxParamLength: 16 * 1024 },
    trustProxy: trustProxyOption(ctx.config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(requestValidatorCompiler());

  const fullCtx: AppContext = { ...ctx, log: app.log };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-ID', request.id);
  });
  registerSecurityHeaders(app);

  // Platform-wide fallback dialect; each API replaces it inside its own prefix.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    reply.code(status).send({
      error: status >= 500 ? 'server_error' : 'bad_request',
      message: status >= 500 ? 'Something went wrong on our side; retry later.' : error.message,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` });
  });

  await app.register(formbody);
  registerHealth(app, fullCtx);
  registerReferenceAssets(app);
  await registerConsole(app, fullCtx, apis);
  await registerOAuthPortal(app, fullCtx, apis);
  for (const api of apis) {
    await api.registerRoot?.(app, fullCtx);
    await app.register(async (scoped) => api.register(scoped, fullCtx), { prefix: api.prefix });
  }
  return { app, ctx: fullCtx };
}
