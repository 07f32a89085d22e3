import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Small platform-wide facts that must survive restarts and be shared by nodes (e.g. which company is the demo). */
export const platformSettings = pgTable('platform_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
