import { and, asc, desc, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Orm } from '../db/database.ts';

/**
 * Cursor pagination over (timestamp, id) keysets: the cost of a page does not depend on its depth. The
 * cursor condition is a row comparison, `(created_at, id) < ($at, $id)`, which PostgreSQL uses as an
 * index condition on (company_id, created_at, id): a deep page starts reading where the previous one
 * stopped instead of filtering its way there.
 *
 * Two orders, as BlueClerk documents them:
 * - browse (no `updatedSince`): newest first, `createdAt` desc then `id` desc;
 * - sync (with `updatedSince`): `updatedAt` asc then `id` asc, so a client walks forward and resumes
 *   from the newest `updatedAt` it has seen.
 *
 * Sync safety. A row's `updatedAt` is its transaction's start time (`now()`), but transactions commit in
 * any order: a row stamped 10:00:00.100 may become visible after one stamped 10:00:00.200 was already
 * served, and a client resuming from .200 would never see it. Sync lists therefore only show rows
 * stamped before the *horizon* (see `syncHorizon`), read in a statement of its own before the page:
 * every transaction that was open then is stamped at or after the horizon, every transaction that
 * started later is stamped after it, and every one that had committed is visible to the page's later
 * snapshot. So whatever commits afterwards sorts after everything a client has been shown. A write in
 * flight delays a row's appearance by the length of its transaction; it never hides it. (Browse lists
 * need no horizon: new rows appear at the top, before any cursor, and a client does not sync with them.)
 */

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export class ListQueryError extends Error {
  constructor(readonly parameter: 'cursor' | 'limit' | 'updatedSince', message: string) {
    super(message);
    this.name = 'ListQueryError';
  }
}

type Order = 'browse' | 'sync';

interface Cursor {
  order: Order;
  at: string; // ISO timestamp of the last row's sort key
  id: string;
}

export interface ListQuery {
  limit: number;
  cursor: Cursor | null;
  updatedSince: Date | null;
  order: Order;
}

export interface ListParams {
  limit?: unknown;
  cursor?: unknown;
  updatedSince?: unknown;
}

// ISO 8601 with a date and time and an explicit zone, so a client never gets its own local time guessed.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseListQuery(params: ListParams): ListQuery {
  let limit = DEFAULT_LIMIT;
  if (params.limit !== undefined && params.limit !== '') {
    const raw = String(params.limit);
    if (!/^-?\d+$/.test(raw)) throw new ListQueryError('limit', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const n = Number(raw);
    if (n < 1) throw new ListQueryError('limit', `limit must be at least 1`);
    limit = Math.min(n, MAX_LIMIT); // values above the maximum are clamped, as documented
  }

  let updatedSince: Date | null = null;
  if (params.updatedSince !== undefined && params.updatedSince !== '') {
    const raw = String(params.updatedSince);
    const parsed = ISO_TIMESTAMP.test(raw) || ISO_DATE.test(raw) ? new Date(ISO_DATE.test(raw) ? `${raw}T00:00:00Z` : raw) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      throw new ListQueryError('updatedSince', 'updatedSince must be an ISO 8601 timestamp with a time zone, e.g. 2026-05-09T14:00:00Z');
    }
    updatedSince = parsed;
  }

  const order: Order = updatedSince ? 'sync' : 'browse';
  let cursor: Cursor | null = null;
  if (params.cursor !== undefined && params.cursor !== '') {
    cursor = decodeCursor(String(params.cursor));
    if (cursor.order !== order) {
      throw new ListQueryError('cursor', 'cursor belongs to a list with different filters; start again without cursor');
    }
  }
  return { limit, cursor, updatedSince, order };
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.order === 'sync' ? 's' : 'b', cursor.at, cursor.id])).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  const invalid = () => new ListQueryError('cursor', 'cursor is not valid; use the nextCursor of the previous page');
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parts) || parts.length !== 3) throw invalid();
  const [order, at, id] = parts as unknown[];
  if ((order !== 's' && order !== 'b') || typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at)) || id.length > 64) {
    throw invalid();
  }
  return { order: order === 's' ? 'sync' : 'browse', at, id };
}

export interface KeysetColumns {
  id: PgColumn;
  createdAt: PgColumn;
  updatedAt: PgColumn;
}

/**
 * The sync horizon: the start of the oldest transaction open on this database (other than this
 * statement's), or the start of this statement if none is open, truncated to the millisecond our
 * timestamps keep. Transactions on the embedded database run one at a time, so there it is simply now.
 * The database role must be able to see its own sessions in pg_stat_activity (it always can; other
 * roles' sessions writing these tables would need pg_read_all_stats).
 */
export async function syncHorizon(db: { execute: Orm['execute'] }): Promise<Date> {
  const result = await db.execute<{ horizon: Date | string }>(sql`SELECT least(
      date_trunc('milliseconds', statement_timestamp()),
      (SELECT date_trunc('milliseconds', min(xact_start)) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend')
    ) AS horizon`);
  const horizon = result.rows[0]!.horizon;
  return horizon instanceof Date ? horizon : new Date(horizon);
}

/**
 * WHERE and ORDER BY for one page; select `take` (= limit + 1) rows and pass them to `toPage`.
 * `horizon` is required for sync lists (`syncHorizon`, read before the page's own statement).
 */
export function keysetClauses(columns: KeysetColumns, query: ListQuery, horizon: Date | null): { where: SQL; orderBy: SQL[]; take: number } {
  const take = query.limit + 1;
  if (query.order === 'sync') {
    if (!horizon) throw new Error('keysetClauses: a sync list needs its horizon (syncHorizon) read first');
    const conditions: SQL[] = [sql`${columns.updatedAt} >= ${query.updatedSince!}`, sql`${columns.updatedAt} < ${horizon}`];
    if (query.cursor) conditions.push(sql`(${columns.updatedAt}, ${columns.id}) > (${new Date(query.cursor.at)}::timestamptz, ${query.cursor.id})`);
    return { where: and(...conditions)!, orderBy: [asc(columns.updatedAt), asc(columns.id)], take };
  }
  return { ...browseClauses(columns, query.cursor ? { at: new Date(query.cursor.at), id: query.cursor.id } : null), take };
}

/**
 * The browse order's WHERE and ORDER BY, after a cursor's row or from the top. The values may be
 * `sql.placeholder(...)`s, so a prepared statement (see db/prepared.ts) states the same rule.
 */
export function browseClauses(columns: KeysetColumns, after: { at: unknown; id: unknown } | null): { where: SQL; orderBy: SQL[] } {
  const where = after ? sql`(${columns.createdAt}, ${columns.id}) < (${after.at}::timestamptz, ${after.id})` : sql`true`;
  return { where, orderBy: [desc(columns.createdAt), desc(columns.id)] };
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** Turns `limit + 1` fetched rows into the seed's list envelope. */
export function toPage<R extends { id: string; createdAt: Date; updatedAt: Date }, T>(rows: R[], query: ListQuery, serialise: (row: R) => T): Page<T> {
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const nextCursor =
    hasMore && last
      ? encodeCursor({ order: query.order, at: (query.order === 'sync' ? last.updatedAt : last.createdAt).toISOString(), id: last.id })
      : null;
  return { data: pageRows.map(serialise), nextCursor, hasMore };
}
