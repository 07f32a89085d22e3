import { foreignKey, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { memberships } from '../tenancy/schema.ts';

/**
 * Personal API tokens: one per person, per company, per API (Clevertim's "API token" under My Info &
 * Settings; BlueRequests' bearer tokens). Only the SHA-256 of a token is stored, as the primary key, so a
 * request is one index lookup and a leaked table cannot be replayed. Issuing a new token replaces the row
 * of that (api, company, person), so the old token stops working in the same statement. The row hangs off
 * the membership: when the person leaves the company, their tokens for it are deleted with it.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    api: text('api').notNull(),
    companyId: text('company_id').notNull(),
    personId: text('person_id').notNull(),
    /** The token's last four characters, so a person can tell which token they hold. */
    hint: text('hint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('api_tokens_holder_key').on(t.api, t.companyId, t.personId),
    index('api_tokens_person_idx').on(t.personId),
    foreignKey({ name: 'api_tokens_membership_fk', columns: [t.companyId, t.personId], foreignColumns: [memberships.companyId, memberships.personId] }).onDelete('cascade'),
  ],
);
