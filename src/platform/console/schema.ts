import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { people } from '../tenancy/schema.ts';

/** Server-side console sessions: the cookie holds a random token, the table only its SHA-256. */
export const webSessions = pgTable(
  'web_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('web_sessions_person_idx').on(t.personId), index('web_sessions_expires_idx').on(t.expiresAt)],
);

/** Failed sign-ins per key (an email, or a client address), in a fixed window, shared by every node. */
export const signInFailures = pgTable('sign_in_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: timestamp('window_start', { withTimezone: true, precision: 3 }).notNull(),
});
