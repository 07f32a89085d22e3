import { sleep } from '../background.ts';
import type { AppContext } from '../context.ts';
import type { CounterStore } from './counter-store.ts';
import { decide, type RateLimitDecision } from './decision.ts';
import type { CompanyLimitSource, WindowLimits } from './limits.ts';
import { PostgresSharedCounters } from './postgres-shared-counters.ts';
import { connectRedis, RedisSharedCounters } from './redis-shared-counters.ts';
import type { Queryable } from './usage-store.ts';
import { currentWindows } from './windows.ts';

export interface RateLimiterOptions {
  /** Which API's buckets these are (`blueclerk`); each API has its own counts. */
  api: string;
  /** The company's limits per window, `null` = unlimited; usually limitsFromPlanTable(API_PLAN_TABLE). */
  limitsFor(company: CompanyLimitSource & { id: string }): WindowLimits;
  /** Injectable for tests; windows are computed from it. */
  clock?: () => Date;
  /** How often counts are persisted (and, without Redis, exchanged between nodes). Default 1 s. */
  flushIntervalMs?: number;
  /** Default ctx.config.redisUrl; `null` keeps counts in PostgreSQL even when REDIS_URL is set. */
  redisUrl?: string | null;
  /** Prefix of every Redis key; lets deployments and test runs share one Redis. */
  redisKeyPrefix?: string;
  /** How long a company's limits are reused before being read again (`set-limits`, plan changes). Default 30 s. */
  limitsTtlMs?: number;
  /** Where the limiter's statements go; default ctx.db.pool (tests wrap it to count statements). */
  db?: Queryable;
}

export interface RateLimiter {
  readonly mode: 'postgres' | 'redis';
  /**
   * Decides one request of `companyId` and, when it is allowed, counts it in the minute, day and month
   * windows. A refused request counts nowhere. Keyed by company only: every token and credential of a
   * company shares its buckets. Throws for an unknown company (authenticate first).
   */
  check(companyId: string): Promise<RateLimitDecision>;
  /** Persists counts now (normally done every flush interval and at shutdown). */
  flush(): Promise<void>;
  /** Re-read the company's limits at its next check (call after changing them in this process). */
  forgetLimits(companyId: string): void;
  /** Final flush and release of Redis; runs by itself when ctx.background stops. Idempotent. */
  stop(): Promise<void>;
}

interface CachedLimits {
  limits: WindowLimits;
  loadedAt: number;
}

/**
 * A per-company rate limiter for one API, with fixed UTC windows (minute, day, calendar month).
 * Dialect-free: the API turns a refusal into its own 429 body. Counting never writes to the database
 * per request: see PostgresSharedCounters (default, bounded overshoot across nodes) and
 * RedisSharedCounters (REDIS_URL, exact across nodes).
 */
export function createRateLimiter(ctx: AppContext, options: RateLimiterOptions): RateLimiter {
  const clock = options.clock ?? (() => new Date());
  const db = options.db ?? ctx.db.pool;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const limitsTtlMs = options.limitsTtlMs ?? 30_000;
  const redisUrl = options.redisUrl === undefined ? ctx.config.redisUrl : options.redisUrl ?? undefined;

  const store: CounterStore = redisUrl
    ? new RedisSharedCounters(
        connectRedis(redisUrl, (error) => ctx.log.warn({ err: error }, 'rate limiter: Redis connection error')),
        db,
        options.api,
        options.redisKeyPrefix ?? 'opsbase:ratelimit:',
        true,
      )
    : new PostgresSharedCounters(db, options.api);

  const limitsCache = new Map<string, CachedLimits>();
  const limitsLoading = new Map<string, Promise<WindowLimits>>();

  async function loadLimits(companyId: string): Promise<WindowLimits> {
    let loading = limitsLoading.get(companyId);
    if (!loading) {
      loading = (async () => {
        const { rows } = await db.query<{ id: string; plan: CompanyLimitSource['plan']; limit_per_minute: number | null; limit_per_day: number | null; limit_per_month: number | null }>(
          'SELECT id, plan, limit_per_minute, limit_per_day, limit_per_month FROM companies WHERE id = $1',
          [companyId],
        );
        const row = rows[0];
        if (!row) throw new Error(`Rate limiter: no company ${companyId}`);
        const limits = options.limitsFor({ id: row.id, plan: row.plan, limitPerMinute: row.limit_per_minute, limitPerDay: row.limit_per_day, limitPerMonth: row.limit_per_month });
        limitsCache.set(companyId, { limits, loadedAt: clock().getTime() });
        return limits;
      })().finally(() => limitsLoading.delete(companyId));
      limitsLoading.set(companyId, loading);
    }
    return loading;
  }

  async function limitsOf(companyId: string, nowMs: number): Promise<WindowLimits> {
    const cached = limitsCache.get(companyId);
    if (cached && nowMs - cached.loadedAt < limitsTtlMs) return cached.limits;
    return loadLimits(companyId);
  }

  // Flushes never overlap: a counter's in-flight delta belongs to exactly one statement.
  let flushing: Promise<void> = Promise.resolve();
  function flush(): Promise<void> {
    const run = flushing.then(async () => {
      const nowMs = clock().getTime();
      // Limits not used for a while are dropped, so the cache holds recently active companies only.
      for (const [id, cached] of limitsCache) if (nowMs - cached.loadedAt >= limitsTtlMs) limitsCache.delete(id);
      await store.flush(nowMs);
    });
    flushing = run.catch(() => {});
    return run;
  }

  let stopping: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopping ??= flush()
      .catch((error) => ctx.log.error({ err: error }, `rate limiter (${options.api}): final flush failed`))
      .then(() => store.close());
    return stopping;
  }

  // The step sleeps itself (interval 0 for the loop) so that, when shutdown aborts the signal, the sleep
  // ends early and this same awaited step makes the final flush before ctx.background.stop() returns,
  // i.e. before the database closes. Shutdown may also come while a flush is running: the abort is
  // checked again after it, since the loop ends without another step once the signal is aborted.
  ctx.background.every(
    `rate-limit flush (${options.api})`,
    0,
    async (signal) => {
      await sleep(flushIntervalMs, signal);
      if (!signal.aborted) await flush();
      if (signal.aborted) await stop();
    },
    (name, error) => ctx.log.error({ err: error }, `${name} failed`),
  );

  return {
    mode: redisUrl ? 'redis' : 'postgres',
    async check(companyId) {
      const nowMs = clock().getTime();
      const windows = currentWindows(nowMs);
      const limits = await limitsOf(companyId, nowMs);
      const { refused, counts } = await store.admit(companyId, windows, limits, nowMs);
      return decide(windows, limits, counts, refused, nowMs);
    },
    flush,
    forgetLimits(companyId) {
      limitsCache.delete(companyId);
    },
    stop,
  };
}
