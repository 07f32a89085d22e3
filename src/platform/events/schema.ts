import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { companies } from '../tenancy/schema.ts';

/**
 * Domain events, written in the same transaction as the change they describe (a transactional outbox):
 * a rolled-back change leaves no event, a committed one always has its event. Webhook delivery reads
 * from here.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: text('id').primaryKey(),
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    api: text('api').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('domain_events_company_idx').on(t.companyId, t.occurredAt)],
);
