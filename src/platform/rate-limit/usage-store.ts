import { and, asc, eq, gte } from 'drizzle-orm';
import type pg from 'pg';
import type { Orm } from '../db/database.ts';
import { rateUsage } from './schema.ts';
import { windowAt, type WindowKind } from './windows.ts';

/** The part of pg.Pool the limiter uses; tests wrap it to count statements. */
export type Queryable = Pick<pg.Pool, 'query'>;

export interface UsageDelta {
  companyId: string;
  window: WindowKind;
  windowStart: number;
  /** Requests admitted since the last flush; 0 asks only for the current total. */
  delta: number;
}

export interface UsageTotal {
  companyId: string;
  window: WindowKind;
  windowStart: number;
  count: number;
}

/**
 * Adds a batch of deltas to rate_usage and returns the resulting global totals, in ONE statement
 * whatever the batch size. Rows with delta 0 are only read, so a node refreshes its view of counters
 * it has nothing to add to without writing (and without creating empty rows). The join on companies
 * drops deltas of a company deleted meanwhile, which would otherwise fail the whole batch on the
 * foreign key, again at every retry. Each (company, window, start) occurs at most once per batch:
 * ON CONFLICT cannot update one row twice in a statement.
 */
export async function addUsage(db: Queryable, api: string, batch: UsageDelta[]): Promise<UsageTotal[]> {
  if (batch.length === 0) return [];
  const { rows } = await db.query<{ company_id: string; window: WindowKind; window_start: Date; count: string }>(
    `WITH batch AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[]) AS b(company_id, "window", window_start, delta)
     ), added AS (
       INSERT INTO rate_usage (company_id, api, "window", window_start, count)
       SELECT b.company_id, $1, b."window", b.window_start, b.delta
       FROM batch b JOIN companies c ON c.id = b.company_id
       WHERE b.delta > 0
       ON CONFLICT (company_id, api, "window", window_start) DO UPDATE SET count = rate_usage.count + excluded.count
       RETURNING company_id, "window", window_start, count
     )
     SELECT company_id, "window", window_start, count FROM added
     UNION ALL
     SELECT r.company_id, r."window", r.window_start, r.count
     FROM batch b JOIN rate_usage r
       ON r.company_id = b.company_id AND r.api = $1 AND r."window" = b."window" AND r.window_start = b.window_start
     WHERE b.delta = 0`,
    [
      api,
      batch.map((d) => d.companyId),
      batch.map((d) => d.window),
      batch.map((d) => new Date(d.windowStart).toISOString()),
      batch.map((d) => d.delta),
    ],
  );
  return rows.map((r) => ({ companyId: r.company_id, window: r.window, windowStart: r.window_start.getTime(), count: Number(r.count) }));
}

/** One company's stored totals for the given windows (a node seeing the company for the first time). */
export async function readUsage(db: Queryable, api: string, companyId: string, windows: { kind: WindowKind; start: number }[]): Promise<UsageTotal[]> {
  const { rows } = await db.query<{ window: WindowKind; window_start: Date; count: string }>(
    `SELECT r."window", r.window_start, r.count
     FROM unnest($3::text[], $4::timestamptz[]) AS w("window", window_start)
     JOIN rate_usage r ON r.company_id = $1 AND r.api = $2 AND r."window" = w."window" AND r.window_start = w.window_start`,
    [companyId, api, windows.map((w) => w.kind), windows.map((w) => new Date(w.start).toISOString())],
  );
  return rows.map((r) => ({ companyId, window: r.window, windowStart: r.window_start.getTime(), count: Number(r.count) }));
}

/** Minute rows only matter while their minute lasts; an hour of them is kept for diagnosis. */
export const MINUTE_ROWS_KEPT_MS = 60 * 60_000;

export async function purgeMinuteUsage(db: Queryable, nowMs: number): Promise<void> {
  await db.query(`DELETE FROM rate_usage WHERE "window" = 'minute' AND window_start < $1`, [new Date(nowMs - MINUTE_ROWS_KEPT_MS).toISOString()]);
}

export interface DailyUsage {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  count: number;
}

/**
 * Requests per UTC day for the console's usage page: the last `days` days up to and including
 * today, oldest first, days without requests as 0. Counts are what the nodes have flushed, so today's
 * figure trails live traffic by up to one flush interval.
 */
export async function dailyUsage(orm: Orm, companyId: string, api: string, days: number, now: Date = new Date()): Promise<DailyUsage[]> {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`days must be a whole number from 1 to 366 (got ${days})`);
  const today = windowAt('day', now.getTime()).start;
  const first = today - (days - 1) * 86_400_000;
  const rows = await orm
    .select({ windowStart: rateUsage.windowStart, count: rateUsage.count })
    .from(rateUsage)
    .where(and(eq(rateUsage.companyId, companyId), eq(rateUsage.api, api), eq(rateUsage.window, 'day'), gte(rateUsage.windowStart, new Date(first))))
    .orderBy(asc(rateUsage.windowStart));
  const byDay = new Map(rows.map((r) => [r.windowStart.getTime(), r.count]));
  return Array.from({ length: days }, (_, i) => {
    const start = first + i * 86_400_000;
    return { day: new Date(start).toISOString().slice(0, 10), count: byDay.get(start) ?? 0 };
  });
}
