// The platform rate limiter against a real database: PostgreSQL-shared counting always, and Redis
// counting too when REDIS_URL is set (every Redis test uses its own key prefix, so runs never collide).
// Time comes from an injected clock; nothing here depends on how fast the machine is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { createTestDatabase } from './support/test-database.ts';
import type { Database } from '../src/platform/db/database.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { BackgroundWork } from '../src/platform/background.ts';
import type { AppContext } from '../src/platform/context.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import {
  BLUECLERK_PLAN_LIMITS,
  createRateLimiter,
  dailyUsage,
  LimitInputError,
  limitsFromPlanTable,
  NoApiAccessError,
  setCompanyLimits,
  type RateLimitDecision,
  type RateLimiter,
} from '../src/platform/rate-limit/index.ts';
import { PostgresSharedCounters } from '../src/platform/rate-limit/postgres-shared-counters.ts';
import type { Queryable } from '../src/platform/rate-limit/usage-store.ts';
import { currentWindows } from '../src/platform/rate-limit/windows.ts';

const API = 'blueclerk';
const HOUR = 3_600_000;

let db: Database;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.close());

class ManualClock {
  private ms: number;
  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }
  now = () => new Date(this.ms);
  set(iso: string) {
    this.ms = Date.parse(iso);
  }
  advance(ms: number) {
    this.ms += ms;
  }
}

/** Wraps the pool so a test can see every statement the limiter sends. */
function countingPool(pool: Queryable): Queryable & { statements: string[] } {
  const statements: string[] = [];
  const query = ((text: string, values?: unknown[]) => {
    statements.push(text);
    return pool.query(text, values);
  }) as Queryable['query'];
  return { query, statements };
}

interface Node {
  limiter: RateLimiter;
  statements: string[];
  /** Shuts the node down as the server does (ctx.background.stop(): final flush). */
  stop(): Promise<void>;
}

type Mode = 'postgres' | 'redis';

function startNode(mode: Mode, clock: ManualClock, redisKeyPrefix: string): Node {
  const background = new BackgroundWork();
  const pool = countingPool(db.pool);
  const ctx: AppContext = {
    config: loadConfig({ LOG_LEVEL: 'silent', OPSBASE_DEMO: '0' }),
    db,
    background,
    log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
  };
  const limiter = createRateLimiter(ctx, {
    api: API,
    limitsFor: limitsFromPlanTable(BLUECLERK_PLAN_LIMITS),
    clock: clock.now,
    // Flushes happen only when a test asks (or at shutdown), never on wall-clock time.
    flushIntervalMs: HOUR,
    redisUrl: mode === 'redis' ? process.env.REDIS_URL! : null,
    redisKeyPrefix,
    db: pool,
  });
  return { limiter, statements: pool.statements, stop: () => background.stop() };
}

async function company(plan: string, limits?: Parameters<typeof setCompanyLimits>[2]): Promise<string> {
  const created = await createCompany(db.orm, { name: `Rate ${plan} ${crypto.randomBytes(3).toString('hex')}`, plan });
  if (limits) await setCompanyLimits(db.orm, created.id, limits);
  return created.id;
}

async function usageRows(companyId: string): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ window: string; window_start: Date; count: string }>(
    `SELECT "window", window_start, count FROM rate_usage WHERE company_id = $1 AND api = $2 ORDER BY "window", window_start`,
    [companyId, API],
  );
  return Object.fromEntries(rows.map((r) => [`${r.window} ${r.window_start.toISOString()}`, Number(r.count)]));
}

async function checkTimes(limiter: RateLimiter, companyId: string, times: number): Promise<RateLimitDecision[]> {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < times; i++) decisions.push(await limiter.check(companyId));
  return decisions;
}

const allowedCount = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed).length;

function refusal(decision: RateLimitDecision | undefined) {
  assert.ok(decision && !decision.allowed, 'expected a refusal');
  return decision;
}

async function deleteRedisKeys(prefixes: Iterable<string>): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

const modes: Mode[] = process.env.REDIS_URL ? ['postgres', 'redis'] : ['postgres'];

for (const mode of modes) {
  describe(`rate limiter, counts shared through ${mode === 'redis' ? 'Redis' : 'PostgreSQL'}`, () => {
    const nodes: Node[] = [];
    const prefixes = new Set<string>();
    const node = (clock: ManualClock, prefix = `opsbase-test:${crypto.randomBytes(6).toString('hex')}:`) => {
      const started = startNode(mode, clock, prefix);
      nodes.push(started);
      prefixes.add(prefix);
      return started;
    };
    after(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      // The injected clock makes month keys live for weeks: remove this run's keys.
      if (mode === 'redis') await deleteRedisKeys(prefixes);
    });

    test('the 31st request in a minute on starter is refused: scope min, limit 30, reset at the next UTC minute', async () => {
      const clock = new ManualClock('2026-05-09T14:29:18.250Z');
      const { limiter } = node(clock);
      const id = await company('starter');
      const first = await limiter.check(id);
      assert.ok(first.allowed);
      assert.equal(first.headers['X-RateLimit-Limit'], '30');
      assert.equal(first.headers['X-RateLimit-Remaining'], '29');
      assert.equal(first.headers['X-RateLimit-Scope'], 'min');
      assert.equal(first.headers['X-RateLimit-Reset'], String(Date.parse('2026-05-09T14:30:00Z') / 1000));
      assert.equal(first.headers.RateLimit, '"min";r=29;t=42');
      assert.equal(allowedCount(await checkTimes(limiter, id, 29)), 29);
      const refused = refusal(await limiter.check(id));
      assert.equal(refused.scope, 'min');
      assert.equal(refused.limit, 30);
      assert.equal(refused.remaining, 0);
      assert.equal(refused.resetAt.toISOString(), '2026-05-09T14:30:00.000Z');
      assert.equal(refused.retryAfterSeconds, 42);
      assert.equal(refused.headers['Retry-After'], '42');
      clock.advance(30_000);
      assert.equal(refusal(await limiter.check(id)).retryAfterSeconds, 12);
    });

    test('a refused request uses up no minute, day or month quota', async () => {
      const clock = new ManualClock('2026-05-09T10:00:05Z');
      const n = node(clock);
      const id = await company('starter', { perMinute: 2, perDay: 5, perMonth: 1_000 });
      assert.equal(allowedCount(await checkTimes(n.limiter, id, 12)), 2); // 10 refused in minute 1
      clock.advance(60_000);
      assert.equal(allowedCount(await checkTimes(n.limiter, id, 12)), 2); // 10 refused in minute 2
      clock.advance(60_000);
      const third = await checkTimes(n.limiter, id, 3);
      assert.equal(allowedCount(third), 1, 'the day allows 5: had refusals counted, it would already be spent');
      assert.equal(refusal(third[1]).scope, 'day');
      await n.limiter.flush();
      const rows = await usageRows(id);
      assert.equal(rows['day 2026-05-09T00:00:00.000Z'], 5);
      assert.equal(rows['month 2026-05-01T00:00:00.000Z'], 5);
    });

    test('the day window trips with scope day and resets at UTC midnight; the month trips with scope month until the 1st', async () => {
      const clock = new ManualClock('2026-12-30T23:58:00Z');
      const { limiter } = node(clock);
      const id = await company('pro', { perDay: 3, perMonth: 5 });
      assert.equal(allowedCount(await checkTimes(limiter, id, 3)), 3);
      const day = refusal(await limiter.check(id));
      assert.deepEqual([day.scope, day.limit, day.resetAt.toISOString(), day.retryAfterSeconds], ['day', 3, '2026-12-31T00:00:00.000Z', 120]);
      clock.set('2026-12-31T00:00:00Z');
      assert.equal(allowedCount(await checkTimes(limiter, id, 2)), 2);
      const month = refusal(await limiter.check(id));
      assert.deepEqual([month.scope, month.limit, month.resetAt.toISOString(), month.retryAfterSeconds], ['month', 5, '2027-01-01T00:00:00.000Z', 86_400]);
      clock.set('2027-01-01T00:00:00Z');
      assert.ok((await limiter.check(id)).allowed, 'a new month (and year) starts with fresh windows');
    });

    test('windows roll over: the next minute admits again', async () => {
      const clock = new ManualClock('2026-05-09T14:29:59Z');
      const { limiter } = node(clock);
      const id = await company('starter');
      assert.equal(allowedCount(await checkTimes(limiter, id, 31)), 30);
      clock.advance(1_000);
      const next = await limiter.check(id);
      assert.ok(next.allowed);
      assert.equal(next.headers['X-RateLimit-Remaining'], '29');
    });

    test('custom limits override the plan, and "default" brings the plan back after the limits refresh', async () => {
      const clock = new ManualClock('2026-05-09T14:00:00Z');
      const { limiter } = node(clock);
      const id = await company('starter', { perMinute: 3 });
      assert.equal(allowedCount(await checkTimes(limiter, id, 5)), 3);
      assert.equal(refusal(await limiter.check(id)).limit, 3);
      await setCompanyLimits(db.orm, id, { perMinute: 'default' });
      clock.advance(31_000); // same minute, past the 30 s limits refresh
      const decisions = await checkTimes(limiter, id, 28);
      assert.equal(allowedCount(decisions), 27, 'plan limit 30 minus the 3 already admitted');
      assert.equal(refusal(decisions[27]).limit, 30);
    });

    test('enterprise has no monthly cap; "unlimited" lifts a window on any plan', async () => {
      const clock = new ManualClock('2026-05-28T12:00:00Z');
      const { limiter } = node(clock);
      const enterprise = await company('enterprise', { perDay: 2 });
      const starter = await company('starter', { perDay: 2, perMonth: 'unlimited' });
      const capped = await company('starter', { perDay: 2, perMonth: 4 });
      const results: Record<string, number> = { enterprise: 0, starter: 0, capped: 0 };
      for (let day = 0; day < 3; day++) {
        // May 28, 29 and 30, two requests each: six in the month.
        if (day > 0) clock.advance(24 * HOUR);
        for (const [name, id] of Object.entries({ enterprise, starter, capped })) results[name]! += allowedCount(await checkTimes(limiter, id, 2));
      }
      assert.deepEqual(results, { enterprise: 6, starter: 6, capped: 4 });
      assert.equal(refusal(await limiter.check(enterprise)).scope, 'day');
      clock.set('2026-05-31T00:00:00Z');
      const fresh = await limiter.check(enterprise);
      assert.ok(fresh.allowed);
      assert.doesNotMatch(fresh.headers['RateLimit-Policy']!, /month/, 'an unlimited window is not advertised');
    });

    test('one bucket per company: every credential of a company shares it, other companies are independent', async () => {
      const clock = new ManualClock('2026-05-09T14:00:00Z');
      const { limiter } = node(clock);
      const a = await company('starter');
      const b = await company('starter');
      // The limiter is keyed by company only: three integrations of company A draw from one bucket.
      let admitted = 0;
      for (let i = 0; i < 12; i++) for (const _credential of ['token-1', 'token-2', 'token-3']) if ((await limiter.check(a)).allowed) admitted++;
      assert.equal(admitted, 30);
      const other = await checkTimes(limiter, b, 30);
      assert.equal(allowedCount(other), 30);
    });

    test('a plan without API access (trial) or an unknown company fails the check loudly instead of counting', async () => {
      const clock = new ManualClock('2026-05-09T14:00:00Z');
      const { limiter } = node(clock);
      await assert.rejects(limiter.check(await company('trial')), NoApiAccessError);
      await assert.rejects(limiter.check('cnosuchcompany0000000000000'), /no company/);
    });

    test('totals reach rate_usage in one batch statement per flush, not one write per check', async () => {
      const clock = new ManualClock('2026-05-09T14:00:00Z');
      const n = node(clock);
      const id = await company('business');
      assert.equal(allowedCount(await checkTimes(n.limiter, id, 100)), 100);
      const writesBefore = n.statements.filter((s) => /INSERT|UPDATE|DELETE/.test(s)).length;
      assert.equal(writesBefore, 0, 'no write while checking');
      assert.equal(n.statements.length, mode === 'postgres' ? 2 : 1, 'reads only: the company limits (and, in PostgreSQL mode, its current totals)');
      await n.limiter.flush();
      const writes = n.statements.filter((s) => /INSERT/.test(s));
      assert.equal(writes.length, 1);
      const rows = await usageRows(id);
      assert.equal(rows['day 2026-05-09T00:00:00.000Z'], 100);
      assert.equal(rows['month 2026-05-01T00:00:00.000Z'], 100);
      if (mode === 'postgres') assert.equal(rows['minute 2026-05-09T14:00:00.000Z'], 100);
      else assert.equal(rows['minute 2026-05-09T14:00:00.000Z'], undefined, 'Redis mode persists day and month totals only');
    });

    test('shutdown flushes what was counted since the last flush', async () => {
      const clock = new ManualClock('2026-05-09T14:00:00Z');
      const prefix = `opsbase-test:${crypto.randomBytes(6).toString('hex')}:`;
      prefixes.add(prefix);
      const n = startNode(mode, clock, prefix);
      const id = await company('pro');
      await checkTimes(n.limiter, id, 7);
      await n.stop();
      assert.equal((await usageRows(id))['day 2026-05-09T00:00:00.000Z'], 7);
    });

    test('dailyUsage returns requests per UTC day, oldest first, with quiet days as 0', async () => {
      const clock = new ManualClock('2026-05-07T09:00:00Z');
      const { limiter } = node(clock);
      const id = await company('starter');
      await checkTimes(limiter, id, 4);
      clock.set('2026-05-09T23:59:00Z');
      await checkTimes(limiter, id, 6);
      await limiter.flush();
      assert.deepEqual(await dailyUsage(db.orm, id, API, 4, clock.now()), [
        { day: '2026-05-06', count: 0 },
        { day: '2026-05-07', count: 4 },
        { day: '2026-05-08', count: 0 },
        { day: '2026-05-09', count: 6 },
      ]);
      assert.deepEqual(await dailyUsage(db.orm, id, 'another-api', 1, clock.now()), [{ day: '2026-05-09', count: 0 }]);
    });

    if (mode === 'postgres') {
      test('two nodes on one database converge, and their overshoot stays within (N − 1) × what one node admits between flushes', async () => {
        const clock = new ManualClock('2026-05-09T14:00:00Z');
        const a = node(clock);
        const b = node(clock);
        const id = await company('starter');
        // Worst case: neither node has seen the other's counts. Each admits a full minute on its own.
        const firstA = allowedCount(await checkTimes(a.limiter, id, 40));
        const firstB = allowedCount(await checkTimes(b.limiter, id, 40));
        assert.deepEqual([firstA, firstB], [30, 30]);
        // Documented bound: L + (N − 1) × min(L, what one node admitted unseen) = 30 + 1 × min(30, 30).
        assert.ok(firstA + firstB <= 30 + 1 * Math.min(30, firstB));
        await a.limiter.flush();
        await b.limiter.flush();
        await a.limiter.flush();
        assert.equal((await usageRows(id))['minute 2026-05-09T14:00:00.000Z'], 60);
        assert.equal(allowedCount(await checkTimes(a.limiter, id, 5)), 0, 'after flushing, both see the global total');
        assert.equal(allowedCount(await checkTimes(b.limiter, id, 5)), 0);

        // Next minute, flushing every 5 checks of each node: the overshoot is at most what the other
        // node admitted since the last flush the first one read, here at most 2 × 5.
        clock.advance(60_000);
        let admitted = 0;
        for (let round = 0; round < 10; round++) {
          admitted += allowedCount(await checkTimes(a.limiter, id, 5));
          admitted += allowedCount(await checkTimes(b.limiter, id, 5));
          await a.limiter.flush();
          await b.limiter.flush();
        }
        assert.ok(admitted >= 30, `the limit is reachable (admitted ${admitted})`);
        assert.ok(admitted <= 30 + 1 * 10, `overshoot within the bound (admitted ${admitted})`);
        await a.limiter.flush();
        assert.equal((await usageRows(id))['minute 2026-05-09T14:01:00.000Z'], admitted);
      });

      test('a node that starts later (or restarts) reads the totals so far: no quota is reset', async () => {
        const clock = new ManualClock('2026-05-09T14:00:00Z');
        const a = node(clock);
        const id = await company('starter', { perDay: 10 });
        assert.equal(allowedCount(await checkTimes(a.limiter, id, 8)), 8);
        await a.stop();
        clock.advance(5 * 60_000);
        const b = node(clock);
        const after = await checkTimes(b.limiter, id, 5);
        assert.equal(allowedCount(after), 2);
        assert.equal(refusal(after[2]).scope, 'day');
      });

      test('memory stays bounded: past windows are dropped once flushed, idle companies are forgotten', async () => {
        const clock = new ManualClock('2026-05-09T14:00:00Z');
        const counters = new PostgresSharedCounters(db.pool, API, 120_000);
        const ids = [await company('starter'), await company('starter')];
        const limits = limitsFromPlanTable(BLUECLERK_PLAN_LIMITS)({ plan: 'starter', limitPerMinute: null, limitPerDay: null, limitPerMonth: null });
        for (let minute = 0; minute < 5; minute++) {
          for (const id of ids) await counters.admit(id, currentWindows(clock.now().getTime()), limits, clock.now().getTime());
          clock.advance(60_000);
          await counters.flush(clock.now().getTime());
          assert.ok(counters.size.counters <= ids.length * 3 + ids.length, `counters ${counters.size.counters}`);
        }
        clock.advance(3 * 60_000);
        await counters.flush(clock.now().getTime());
        await counters.flush(clock.now().getTime());
        assert.deepEqual(counters.size, { companies: 0, counters: 0 });
        // A forgotten company is read back from rate_usage on its next check.
        const result = await counters.admit(ids[0]!, currentWindows(clock.now().getTime()), limits, clock.now().getTime());
        assert.deepEqual(result.counts, [1, 6, 6]);
      });
    } else {
      test('Redis counting is exact across two nodes', async () => {
        const clock = new ManualClock('2026-05-09T14:00:00Z');
        const prefix = `opsbase-test:${crypto.randomBytes(6).toString('hex')}:`;
        const a = node(clock, prefix);
        const b = node(clock, prefix);
        const id = await company('starter');
        const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).limiter.check(id)));
        assert.equal(allowedCount(decisions), 30);
        await a.limiter.flush();
        await b.limiter.flush();
        assert.equal((await usageRows(id))['day 2026-05-09T00:00:00.000Z'], 30);
      });

      test('Redis keys expire with their window', async () => {
        const { Redis } = await import('ioredis');
        const redis = new Redis(process.env.REDIS_URL!);
        try {
          const clock = new ManualClock('2026-05-09T14:29:18.250Z');
          const prefix = `opsbase-test:${crypto.randomBytes(6).toString('hex')}:`;
          const { limiter } = node(clock, prefix);
          const id = await company('starter');
          await limiter.check(id);
          const keys = await redis.keys(`${prefix}*`);
          assert.equal(keys.length, 3);
          for (const key of keys) {
            const ttl = await redis.pttl(key);
            const windowEnd = key.includes(':minute:') ? Date.parse('2026-05-09T14:30:00Z') : key.includes(':day:') ? Date.parse('2026-05-10T00:00:00Z') : Date.parse('2026-06-01T00:00:00Z');
            const expected = windowEnd - clock.now().getTime() + 60_000;
            assert.ok(ttl > 0 && ttl <= expected && ttl > expected - 60_000, `${key} expires with its window (ttl ${ttl}, expected about ${expected})`);
          }
        } finally {
          redis.disconnect();
        }
      });
    }
  });
}

test('setCompanyLimits stores numbers, "unlimited" (-1) and "default" (null), and rejects bad values by option', async () => {
  const id = await company('enterprise');
  assert.deepEqual(await setCompanyLimits(db.orm, id, { perMinute: 1_000, perDay: 'unlimited' }), { companyId: id, limitPerMinute: 1_000, limitPerDay: -1, limitPerMonth: null });
  assert.deepEqual(await setCompanyLimits(db.orm, id, { perMinute: 'default', perMonth: 9_000_000 }), { companyId: id, limitPerMinute: null, limitPerDay: -1, limitPerMonth: 9_000_000 });
  assert.equal(await setCompanyLimits(db.orm, 'cnosuchcompany0000000000000', { perDay: 10 }), null);
  const rejects = (settings: Parameters<typeof setCompanyLimits>[2], field: string) =>
    assert.rejects(setCompanyLimits(db.orm, id, settings), (error: unknown) => error instanceof LimitInputError && error.field === field);
  await rejects({ perMinute: 0 }, 'perMinute');
  await rejects({ perDay: 1.5 }, 'perDay');
  await rejects({ perMonth: 3_000_000_000 }, 'perMonth');
  await rejects({ perMinute: 500, perDay: 100 }, 'perMinute');
  await rejects({ perDay: 500, perMonth: 100 }, 'perDay');
  await rejects({}, 'perMinute');
});
