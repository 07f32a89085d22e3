import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { BLUECLERK_PLAN_LIMITS, createRateLimiter, limitsFromPlanTable, type RateLimiter } from '../../../platform/rate-limit/index.ts';
import { callerOf } from '../auth.ts';

/**
 * BlueClerk's plan rate limits (seed "Rate Limits"), per company: every token of a company shares one
 * bucket per window (minute, UTC day, calendar month). One limiter per process, made when the API is
 * registered: it counts in memory, flushes totals in batches from ctx.background, shares counts through
 * PostgreSQL (or Redis when REDIS_URL is set), and makes its final flush when the background work stops
 * at shutdown, before the database closes.
 */
export function createBlueClerkRateLimiter(ctx: AppContext): RateLimiter {
  return createRateLimiter(ctx, { api: 'blueclerk', limitsFor: limitsFromPlanTable(BLUECLERK_PLAN_LIMITS) });
}

/** `2026-05-09T14:30:00Z`, as the seed writes resetAt (windows always reset on a whole second). */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * onRequest hook, registered after the bearer hook so the company is known. Every answer to an
 * authenticated request carries the rate-limit headers (see decision.ts for which); a refused request
 * answers the seed's 429 body exactly, with Retry-After, and counts in no window, so it uses up no day
 * or month quota. If the limiter itself fails (Redis unreachable), the request is let through and the
 * failure logged: rate limiting protects the API, it must not take it down.
 */
export function registerRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRequest', async (request, reply) => {
    const { companyId } = callerOf(request);
    let decision;
    try {
      decision = await limiter.check(companyId);
    } catch (error) {
      request.log.error({ err: error }, 'BlueClerk rate limiter failed; request let through');
      return;
    }
    reply.headers(decision.headers);
    if (decision.allowed) return;
    return reply.code(429).type('application/json; charset=utf-8').send({
      error: 'rate_limit_exceeded',
      scope: decision.scope,
      limit: decision.limit,
      remaining: decision.remaining,
      resetAt: isoSeconds(decision.resetAt),
    });
  });
}
