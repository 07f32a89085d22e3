import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { companies } from '../tenancy/schema.ts';
import type { WindowKind } from './windows.ts';

/**
 * Requests counted per company, API and fixed window. Written in batches by the rate limiters (one
 * statement per flush, adding each node's delta), never once per request. In PostgreSQL mode these
 * rows are how nodes learn each other's counts; in Redis mode only day and month rows are written,
 * for the usage page. Minute rows are purged an hour after their window; day and month rows are kept
 * as usage history.
 */
export const rateUsage = pgTable(
  'rate_usage',
  {
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    api: text('api').notNull(),
    window: text('window').$type<WindowKind>().notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, precision: 3 }).notNull(),
    // bigint: an unlimited month can pass 2^31 requests.
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.api, t.window, t.windowStart] }),
    index('rate_usage_purge_idx').on(t.window, t.windowStart),
    check('rate_usage_window_check', sql`${t.window} in ('minute','day','month')`),
  ],
);
