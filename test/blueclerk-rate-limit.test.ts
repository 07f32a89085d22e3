// BlueClerk's plan rate limits over HTTP, with counts kept in PostgreSQL always, and in Redis too when
// REDIS_URL is set. Each test uses its own company with a tiny custom limit (setCompanyLimits).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { accessToken, api, apiWorld, type ApiWorld } from './support/blueclerk-fixtures.ts';
import { setCompanyLimits, type CompanyLimitSettings } from '../src/platform/rate-limit/index.ts';
import { rateUsage } from '../src/platform/rate-limit/schema.ts';

const RATE_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-scope', 'ratelimit-policy', 'ratelimit'];

/** Fixed windows reset on the minute: start a burst early enough in one to finish inside it. */
async function awayFromMinuteEnd(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 55_000) await sleep(60_000 - intoMinute + 50);
}

const modes = process.env.REDIS_URL ? (['postgres', 'redis'] as const) : (['postgres'] as const);

for (const mode of modes) {
  describe(`rate limits, counted through ${mode === 'redis' ? 'Redis' : 'PostgreSQL'}`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ env: mode === 'redis' ? { REDIS_URL: process.env.REDIS_URL! } : {} });
    });
    after(() => t.close());

    /** A fresh company (two of them, with all-scope tokens) whose limits are these. */
    async function limitedWorld(limits: CompanyLimitSettings): Promise<ApiWorld> {
      const world = await apiWorld(t);
      await setCompanyLimits(t.ctx.db.orm, world.paid.id, { perMinute: 'default', perDay: 'default', perMonth: 'default' });
      await setCompanyLimits(t.ctx.db.orm, world.paid.id, limits);
      return world;
    }

    test('every response to an authenticated request carries the rate-limit headers, success or error', async () => {
      const world = await limitedWorld({ perMinute: 1_000, perDay: 5_000, perMonth: 50_000 });
      const answers = [
        await api(t, 'GET', '/jobs', { token: world.token }),
        await api(t, 'GET', '/jobs?limit=0', { token: world.token }),
        await api(t, 'GET', '/jobs/cnosuchjob000000000000000', { token: world.token }),
        await api(t, 'POST', '/tickets', { token: world.token, body: {} }),
        await api(t, 'GET', '/jobs', { token: await accessToken(t, world, world.paid.id, ['leads:write']) }),
        await api(t, 'GET', '/me', { token: world.token }),
      ];
      assert.deepEqual(answers.map((r) => r.statusCode), [200, 400, 404, 400, 403, 200]);
      for (const res of answers) for (const header of RATE_HEADERS) assert.ok(res.headers[header] !== undefined, `${res.statusCode} lacks ${header}`);
      const last = answers.at(-1)!.headers;
      // Six requests of 1,000 a minute: the minute has the fewest left.
      assert.equal(last['x-ratelimit-scope'], 'min');
      assert.equal(last['x-ratelimit-limit'], '1000');
      assert.equal(last['x-ratelimit-remaining'], '994');
      const now = new Date();
      const monthSeconds = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)) / 1000;
      assert.equal(last['ratelimit-policy'], `"min";q=1000;w=60, "day";q=5000;w=86400, "month";q=50000;w=${monthSeconds}`);
      assert.match(String(last.ratelimit), /^"min";r=994;t=\d+$/);
      const reset = Number(last['x-ratelimit-reset']);
      assert.equal(reset % 60, 0, 'the minute resets on the minute');
      assert.ok(reset * 1000 > Date.now() && reset * 1000 <= Date.now() + 60_000);
    });

    test('beyond the per-minute limit the API answers 429 with exactly the seed’s body and Retry-After', async () => {
      await awayFromMinuteEnd();
      const world = await limitedWorld({ perMinute: 2 });
      assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 200);
      assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 200);
      const refused = await api(t, 'GET', '/jobs', { token: world.token });
      assert.equal(refused.statusCode, 429, refused.body);
      const body = refused.json();
      assert.deepEqual(Object.keys(body), ['error', 'scope', 'limit', 'remaining', 'resetAt']);
      assert.equal(body.error, 'rate_limit_exceeded');
      assert.equal(body.scope, 'min');
      assert.equal(body.limit, 2);
      assert.equal(body.remaining, 0);
      assert.match(body.resetAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers['retry-after']}`);
      assert.ok(Math.abs(Date.parse(body.resetAt) - (Date.now() + retryAfter * 1000)) <= 1_500, 'Retry-After and resetAt agree');
      assert.equal(refused.headers['x-ratelimit-remaining'], '0');
      assert.equal(refused.headers['x-ratelimit-scope'], 'min');
      assert.match(String(refused.headers['content-type']), /^application\/json/);
    });

    test('every token of a company shares one bucket; another company has its own', async () => {
      await awayFromMinuteEnd();
      const world = await limitedWorld({ perMinute: 3 });
      const secondToken = await accessToken(t, world, world.paid.id, ['jobs:read']);
      assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 200);
      assert.equal((await api(t, 'GET', '/jobs', { token: secondToken })).statusCode, 200);
      assert.equal((await api(t, 'GET', '/me', { token: world.token })).statusCode, 200);
      assert.equal((await api(t, 'GET', '/jobs', { token: secondToken })).statusCode, 429);
      assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 429);
      assert.equal((await api(t, 'GET', '/jobs', { token: world.otherToken })).statusCode, 200, 'another company is not limited by this one');
    });

    test('the day and the month limits answer 429 with scope "day" and "month", resetting at the next UTC day and month', async () => {
      // When several windows are exhausted the longest is named: retrying after the minute would not help.
      const daily = await limitedWorld({ perMinute: 1, perDay: 1 });
      assert.equal((await api(t, 'GET', '/jobs', { token: daily.token })).statusCode, 200);
      const dayRefusal = await api(t, 'GET', '/jobs', { token: daily.token });
      assert.equal(dayRefusal.statusCode, 429);
      const now = new Date();
      assert.deepEqual(dayRefusal.json(), {
        error: 'rate_limit_exceeded',
        scope: 'day',
        limit: 1,
        remaining: 0,
        resetAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString().replace('.000Z', 'Z'),
      });

      const monthly = await limitedWorld({ perMinute: 1, perDay: 'unlimited', perMonth: 1 });
      assert.equal((await api(t, 'GET', '/jobs', { token: monthly.token })).statusCode, 200);
      const monthRefusal = await api(t, 'GET', '/jobs', { token: monthly.token });
      assert.equal(monthRefusal.statusCode, 429);
      assert.equal(monthRefusal.json().scope, 'month');
      assert.equal(monthRefusal.json().resetAt, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().replace('.000Z', 'Z'));
    });

    test('refused requests use up no day or month quota', async () => {
      await awayFromMinuteEnd();
      const world = await limitedWorld({ perMinute: 2, perDay: 1_000, perMonth: 10_000 });
      for (let i = 0; i < 2; i++) assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 200);
      for (let i = 0; i < 5; i++) assert.equal((await api(t, 'GET', '/jobs', { token: world.token })).statusCode, 429);
      // Totals reach rate_usage with the limiter's next flush (every second); wait for two.
      const usage = async () =>
        Object.fromEntries(
          (await t.ctx.db.orm.select().from(rateUsage).where(and(eq(rateUsage.companyId, world.paid.id), eq(rateUsage.api, 'blueclerk')))).map((r) => [r.window, r.count]),
        );
      let counts: Record<string, number> = {};
      for (let i = 0; i < 40 && !(counts.day && counts.month); i++) {
        await sleep(100);
        counts = await usage();
      }
      await sleep(2_200);
      counts = await usage();
      assert.equal(counts.day, 2, 'the day counted the 2 admitted requests, not the 5 refused');
      assert.equal(counts.month, 2);
    });

    test('requests without a valid token are not counted and carry no rate-limit headers; the OpenAPI document is not limited', async () => {
      const world = await limitedWorld({ perMinute: 1_000 });
      const unauthenticated = await t.app.inject({ method: 'GET', url: '/blueclerk/api/v1/jobs' });
      assert.equal(unauthenticated.statusCode, 401);
      assert.equal(unauthenticated.headers['x-ratelimit-limit'], undefined);
      const document = await t.app.inject({ method: 'GET', url: '/blueclerk/api/openapi.json' });
      assert.equal(document.statusCode, 200);
      assert.equal(document.headers['x-ratelimit-limit'], undefined);
      const first = await api(t, 'GET', '/jobs', { token: world.token });
      assert.equal(first.headers['x-ratelimit-remaining'], '999');
    });

    test('an Enterprise company without a monthly cap sees only its limited windows in the headers', async () => {
      const world = await limitedWorld({ perMinute: 300, perDay: 200_000, perMonth: 'unlimited' });
      const res = await api(t, 'GET', '/jobs', { token: world.token });
      assert.equal(res.headers['ratelimit-policy'], '"min";q=300;w=60, "day";q=200000;w=86400');
    });
  });
}

describe('when the rate limiter cannot count', () => {
  let t: TestApp;
  before(async () => {
    // Nothing listens on port 1: every Redis check fails.
    t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  after(() => t.close());

  test('requests are let through without rate-limit headers: the limiter protects the API, it must not take it down', async () => {
    const world = await apiWorld(t);
    const res = await api(t, 'GET', '/jobs', { token: world.token });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-ratelimit-limit'], undefined);
  });
});
