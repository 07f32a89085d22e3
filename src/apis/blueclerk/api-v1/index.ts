import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import type { RateLimiter } from '../../../platform/rate-limit/index.ts';
import { registerBearerAuth } from '../auth.ts';
import { registerMeRoute } from '../me.ts';
import { registerCompanyGuard } from './company-guard.ts';
import { registerRateLimit } from './rate-limit.ts';
import { registerReadRoutes } from './read-routes.ts';
import { READABLE_RESOURCES } from './resources.ts';
import { registerWriteRoutes } from './write-routes.ts';

/**
 * Everything under `/blueclerk/api/v1`, in the order a request meets it: bearer authentication, the
 * company's rate limit, the refusal of requests naming another company, then the routes (each
 * validates, checks its scope, and runs).
 */
export async function registerApiV1(api: FastifyInstance, ctx: AppContext, limiter: RateLimiter): Promise<void> {
  registerBearerAuth(api, ctx);
  registerRateLimit(api, limiter);
  registerCompanyGuard(api);
  registerMeRoute(api);
  for (const resource of READABLE_RESOURCES) registerReadRoutes(api, ctx, resource);
  registerWriteRoutes(api, ctx);
}
