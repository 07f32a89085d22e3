// Pure rules of the rate limiter: window alignment, plan tables with company overrides, headers, and
// the validation of custom limits. No database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentWindows, secondsUntilReset, windowAt } from '../src/platform/rate-limit/windows.ts';
import { BLUECLERK_PLAN_LIMITS } from '../src/platform/rate-limit/blueclerk-plan-limits.ts';
import { limitsFromPlanTable, NoApiAccessError, UNLIMITED_STORED } from '../src/platform/rate-limit/limits.ts';
import { decide, rateLimitHeaders } from '../src/platform/rate-limit/decision.ts';
import { LimitInputError, parseLimitSetting } from '../src/platform/rate-limit/company-limits.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

test('windows are aligned to the UTC minute, UTC day and UTC calendar month', () => {
  const [minute, day, month] = currentWindows(at('2026-05-09T14:29:18.250Z'));
  assert.deepEqual([iso(minute.start), iso(minute.end)], ['2026-05-09T14:29:00.000Z', '2026-05-09T14:30:00.000Z']);
  assert.deepEqual([iso(day.start), iso(day.end)], ['2026-05-09T00:00:00.000Z', '2026-05-10T00:00:00.000Z']);
  assert.deepEqual([iso(month.start), iso(month.end)], ['2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
});

test('the month window rolls over the year and knows February of a leap year', () => {
  const december = windowAt('month', at('2026-12-31T23:59:59.999Z'));
  assert.equal(iso(december.end), '2027-01-01T00:00:00.000Z');
  const february = windowAt('month', at('2028-02-10T08:00:00Z'));
  assert.equal((february.end - february.start) / 86_400_000, 29);
});

test('Retry-After rounds up and is never 0', () => {
  const minute = windowAt('minute', at('2026-05-09T14:29:18.250Z'));
  assert.equal(secondsUntilReset(minute, at('2026-05-09T14:29:18.250Z')), 42);
  assert.equal(secondsUntilReset(minute, at('2026-05-09T14:29:59.999Z')), 1);
});

test("BlueClerk's plan table is the seed's, and trial has no row (no API access)", () => {
  const limitsFor = limitsFromPlanTable(BLUECLERK_PLAN_LIMITS);
  const none = { limitPerMinute: null, limitPerDay: null, limitPerMonth: null };
  assert.deepEqual(limitsFor({ plan: 'starter', ...none }), { minute: 30, day: 5_000, month: 50_000 });
  assert.deepEqual(limitsFor({ plan: 'pro', ...none }), { minute: 60, day: 15_000, month: 250_000 });
  assert.deepEqual(limitsFor({ plan: 'business', ...none }), { minute: 120, day: 50_000, month: 1_500_000 });
  assert.deepEqual(limitsFor({ plan: 'enterprise', ...none }), { minute: 300, day: 200_000, month: null });
  assert.throws(() => limitsFor({ plan: 'trial', ...none }), NoApiAccessError);
});

test('custom limits replace the plan figure per window; -1 stored means unlimited, null the plan default', () => {
  const limitsFor = limitsFromPlanTable(BLUECLERK_PLAN_LIMITS);
  assert.deepEqual(limitsFor({ plan: 'enterprise', limitPerMinute: 1_000, limitPerDay: null, limitPerMonth: 5_000_000 }), { minute: 1_000, day: 200_000, month: 5_000_000 });
  assert.deepEqual(limitsFor({ plan: 'starter', limitPerMinute: null, limitPerDay: UNLIMITED_STORED, limitPerMonth: UNLIMITED_STORED }), { minute: 30, day: null, month: null });
});

test('headers name the window with the fewest requests left, in X-RateLimit-* and the IETF draft syntax', () => {
  const now = at('2026-05-09T14:29:18.250Z');
  const windows = currentWindows(now);
  const headers = rateLimitHeaders(windows, { minute: 30, day: 5_000, month: 50_000 }, [1, 4_999, 10], now);
  assert.deepEqual(headers, {
    'X-RateLimit-Limit': '5000',
    'X-RateLimit-Remaining': '1',
    'X-RateLimit-Reset': String(at('2026-05-10T00:00:00Z') / 1000),
    'X-RateLimit-Scope': 'day',
    'RateLimit-Policy': '"min";q=30;w=60, "day";q=5000;w=86400, "month";q=50000;w=2678400',
    RateLimit: '"day";r=1;t=34242',
  });
  assert.deepEqual(rateLimitHeaders(windows, { minute: null, day: null, month: null }, [1, 1, 1], now), {});
});

test('a refusal names the longest exhausted window, since retrying at the minute would fail again', () => {
  const now = at('2026-05-09T14:29:18.250Z');
  const decision = decide(currentWindows(now), { minute: 30, day: 100, month: null }, [30, 100, 100], 1, now);
  assert.equal(decision.allowed, false);
  if (decision.allowed) return;
  assert.equal(decision.scope, 'day');
  assert.equal(decision.limit, 100);
  assert.equal(decision.resetAt.toISOString(), '2026-05-10T00:00:00.000Z');
  assert.equal(decision.headers['Retry-After'], String(decision.retryAfterSeconds));
  assert.equal(decision.headers['X-RateLimit-Remaining'], '0');
});

test('command-line limits: numbers, "unlimited", "default"; anything else names the option', () => {
  assert.equal(parseLimitSetting('perMinute', '300'), 300);
  assert.equal(parseLimitSetting('perMonth', '5_000_000'), 5_000_000);
  assert.equal(parseLimitSetting('perMonth', '1,500,000'), 1_500_000);
  assert.equal(parseLimitSetting('perDay', ' Unlimited '), 'unlimited');
  assert.equal(parseLimitSetting('perDay', 'default'), 'default');
  for (const bad of ['0', '-5', '1.5', 'lots', '', '3000000000']) {
    assert.throws(() => parseLimitSetting('perDay', bad), (error: unknown) => error instanceof LimitInputError && error.field === 'perDay', bad);
  }
});
