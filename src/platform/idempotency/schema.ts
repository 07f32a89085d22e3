import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { companies } from '../tenancy/schema.ts';

/**
 * One row per Idempotency-Key, per company and credential. A row is `running` while its first request
 * holds the lease, and becomes `done` in the same transaction as the change it made, with the response
 * to replay. So a crash can lose the claim (the key is then usable again) but never the record of a
 * committed change.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    credential: text('credential').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').$type<'running' | 'done'>().notNull(),
    owner: text('owner').notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, precision: 3 }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.credential, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);
