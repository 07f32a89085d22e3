// The limiter's life in a process: created with the API, flushing from ctx.background, and making its
// final flush when the background work stops, whatever it was doing at that moment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from './support/test-database.ts';
import type { Database } from '../src/platform/db/database.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { BackgroundWork } from '../src/platform/background.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import { BLUECLERK_PLAN_LIMITS, createRateLimiter, limitsFromPlanTable } from '../src/platform/rate-limit/index.ts';
import type { Queryable } from '../src/platform/rate-limit/usage-store.ts';

let db: Database;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.close());

test('a shutdown that arrives while a flush is running still ends with a final flush of everything counted', async () => {
  const companyId = (await createCompany(db.orm, { name: 'Lifecycle Co', plan: 'starter' })).id;
  // Holds the first batch write until released, so the shutdown lands in the middle of a flush.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let flushStarted!: () => void;
  const inFlush = new Promise<void>((resolve) => (flushStarted = resolve));
  let holdNext = true;
  const pool: Queryable = {
    query: (async (text: string, values?: unknown[]) => {
      if (holdNext && text.includes('INSERT INTO rate_usage')) {
        holdNext = false;
        flushStarted();
        await held;
      }
      return db.pool.query(text, values);
    }) as Queryable['query'],
  };
  const background = new BackgroundWork();
  const ctx = { config: loadConfig({}), db, background, log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger };
  const limiter = createRateLimiter(ctx, { api: 'lifecycle', limitsFor: limitsFromPlanTable(BLUECLERK_PLAN_LIMITS), flushIntervalMs: 10, redisUrl: null, db: pool });

  assert.equal((await limiter.check(companyId)).allowed, true);
  await inFlush; // the background flush is sending the first request's count
  assert.equal((await limiter.check(companyId)).allowed, true); // counted during that flush
  const stopped = background.stop();
  await sleep(20);
  release();
  await stopped;
  const { rows } = await db.pool.query<{ count: string }>(`SELECT count FROM rate_usage WHERE company_id = $1 AND api = 'lifecycle' AND "window" = 'day'`, [companyId]);
  assert.equal(Number(rows[0]?.count ?? 0), 2, 'both admitted requests reached rate_usage');
});
