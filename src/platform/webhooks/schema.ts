import { sql } from 'drizzle-orm';
import { check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { companies } from '../tenancy/schema.ts';

/**
 * Outgoing webhooks, shared by every API (each row names its `api`).
 *
 * A subscription's signing secret is stored as issued (`whsec_<base64>`), not hashed: signing needs the
 * secret itself, unlike checking a presented token. It is read only by the deliverer, never listed or
 * logged; anyone who can read this table (or a backup of it) can forge deliveries to that subscriber, so
 * protect database access and backups as you protect the server's keys. A leaked secret is replaced by
 * deleting the subscription and creating a new one.
 *
 * Subscriptions are deleted softly (`deleted_at`): deliveries keep a real foreign key to them, and a
 * business change that fans out at the moment a subscription is deleted never fails on that key.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: text('id').notNull(),
    companyId: text('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    api: text('api').notNull(),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    secret: text('secret').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    primaryKey({ name: 'webhook_subscriptions_pk', columns: [t.companyId, t.id] }),
    // Fan-out and listings only ever look at a company's live subscriptions of one API.
    index('webhook_subscriptions_live_idx').on(t.companyId, t.api, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
  ],
);

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'dead', 'quota_exceeded', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one subscription. Written by the event's own transaction (fan-out), so it exists exactly
 * when the event does. `next_attempt_at` is when a worker may take it: for `pending` the scheduled
 * attempt, for `sending` the end of the claiming worker's lease (a worker that died leaves it due again),
 * for `quota_exceeded` the start of the next UTC day. `attempts` counts attempts of the current round
 * (a resend starts a new round); `quota_day` is the UTC day this round was counted against the plan.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').notNull(),
    companyId: text('company_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    api: text('api').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    eventTime: ts('event_time').notNull(),
    data: jsonb('data').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at'),
    claimToken: text('claim_token'),
    quotaDay: date('quota_day', { mode: 'string' }),
    lastAttemptAt: ts('last_attempt_at'),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'webhook_deliveries_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'webhook_deliveries_subscription_fk', columns: [t.companyId, t.subscriptionId], foreignColumns: [webhookSubscriptions.companyId, webhookSubscriptions.id] }).onDelete('cascade'),
    check('webhook_deliveries_status_check', sql`${t.status} in ('pending','sending','delivered','dead','quota_exceeded','cancelled')`),
    // What the workers scan: only rows that may still be sent.
    index('webhook_deliveries_due_idx').on(t.api, t.nextAttemptAt).where(sql`${t.status} in ('pending','sending','quota_exceeded')`),
    index('webhook_deliveries_log_idx').on(t.companyId, t.subscriptionId, t.createdAt, t.id),
    // What the retention purge scans: finished rows by age.
    index('webhook_deliveries_finished_idx').on(t.api, t.updatedAt).where(sql`${t.status} in ('delivered','dead','cancelled')`),
  ],
);

/** The delivery log: one row per HTTP attempt (or refusal), whatever its outcome. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').notNull(),
    companyId: text('company_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    startedAt: ts('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    outcome: text('outcome').$type<'delivered' | 'failed'>().notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    error: text('error'),
  },
  (t) => [
    primaryKey({ name: 'webhook_attempts_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'webhook_attempts_delivery_fk', columns: [t.companyId, t.deliveryId], foreignColumns: [webhookDeliveries.companyId, webhookDeliveries.id] }).onDelete('cascade'),
    index('webhook_attempts_delivery_idx').on(t.companyId, t.deliveryId, t.startedAt),
  ],
);

/** Deliveries counted against the plan's "webhook deliveries/day", per company, API and UTC day. */
export const webhookDailyUsage = pgTable(
  'webhook_daily_usage',
  {
    companyId: text('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    api: text('api').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    deliveries: integer('deliveries').notNull(),
  },
  (t) => [primaryKey({ name: 'webhook_daily_usage_pk', columns: [t.companyId, t.api, t.day] })],
);
