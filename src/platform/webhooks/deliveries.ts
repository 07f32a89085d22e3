import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Orm } from '../db/database.ts';
import { newId } from '../ids.ts';
import { keysetClauses, toPage, type ListQuery, type Page } from '../pagination/keyset.ts';
import { DELIVERY_STATUSES, webhookAttempts, webhookDeliveries, webhookSubscriptions, type DeliveryStatus } from './schema.ts';
import type { WebhookApiSettings } from './settings.ts';
import { findSubscription } from './subscriptions.ts';

/**
 * The delivery log a company sees (API and console), "Resend" and "Send test event". All scoped to the
 * company and API.
 */
export interface AttemptView {
  attempt: number;
  at: string;
  durationMs: number;
  outcome: 'delivered' | 'failed';
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  event: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  attempts: AttemptView[];
}

/** Newest attempts shown per delivery; older ones of a much-resent delivery are left out. */
const ATTEMPTS_SHOWN = 20;

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

async function withAttempts(orm: Orm, companyId: string, rows: DeliveryRow[]): Promise<Map<string, AttemptView[]>> {
  const byDelivery = new Map<string, AttemptView[]>();
  if (rows.length === 0) return byDelivery;
  const attempts = await orm
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.companyId, companyId), inArray(webhookAttempts.deliveryId, rows.map((r) => r.id))))
    .orderBy(asc(webhookAttempts.startedAt), asc(webhookAttempts.id));
  for (const a of attempts) {
    const list = byDelivery.get(a.deliveryId) ?? [];
    list.push({
      attempt: a.attempt,
      at: a.startedAt.toISOString(),
      durationMs: a.durationMs,
      outcome: a.outcome,
      responseStatus: a.responseStatus,
      responseBody: a.responseBody,
      error: a.error,
    });
    byDelivery.set(a.deliveryId, list);
  }
  for (const [id, list] of byDelivery) byDelivery.set(id, list.slice(-ATTEMPTS_SHOWN));
  return byDelivery;
}

function toView(row: DeliveryRow, attempts: AttemptView[]): DeliveryView {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    eventId: row.eventId,
    event: row.eventType,
    status: row.status,
    attemptCount: row.attempts,
    // While `sending` the column holds the lease, not a scheduled attempt.
    nextAttemptAt: row.status === 'pending' || row.status === 'quota_exceeded' ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    attempts,
  };
}

export class UnknownDeliveryStatus extends Error {
  constructor(value: string) {
    super(`status must be one of ${DELIVERY_STATUSES.join(', ')} (got "${value}")`);
    this.name = 'UnknownDeliveryStatus';
  }
}

export function parseDeliveryStatus(value: unknown): DeliveryStatus | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !(DELIVERY_STATUSES as readonly string[]).includes(value)) throw new UnknownDeliveryStatus(String(value));
  return value as DeliveryStatus;
}

/** A page of one subscription's deliveries, newest first, each with its attempts. Null: no such subscription. */
export async function listDeliveries(
  orm: Orm,
  api: string,
  companyId: string,
  subscriptionId: string,
  query: ListQuery,
  status: DeliveryStatus | null = null,
): Promise<Page<DeliveryView> | null> {
  const subscription = await findSubscription(orm, api, companyId, subscriptionId);
  if (!subscription) return null;
  const page = keysetClauses(webhookDeliveries, { ...query, order: 'browse', updatedSince: null }, null);
  const conditions: SQL[] = [eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.subscriptionId, subscriptionId), page.where];
  if (status) conditions.push(eq(webhookDeliveries.status, status));
  const rows = await orm.select().from(webhookDeliveries).where(and(...conditions)).orderBy(...page.orderBy).limit(page.take);
  const attempts = await withAttempts(orm, companyId, rows);
  return toPage(rows, { ...query, order: 'browse' }, (row) => toView(row, attempts.get(row.id) ?? []));
}

/** The newest deliveries of a company (optionally of one status), for the console. */
export async function recentDeliveries(orm: Orm, api: string, companyId: string, options: { status?: DeliveryStatus; limit: number }): Promise<DeliveryView[]> {
  const conditions: SQL[] = [eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.api, api)];
  if (options.status) conditions.push(eq(webhookDeliveries.status, options.status));
  const rows = await orm
    .select({ delivery: webhookDeliveries })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, and(eq(webhookSubscriptions.companyId, webhookDeliveries.companyId), eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId)))
    .where(and(...conditions, sql`${webhookSubscriptions.deletedAt} is null`))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(options.limit);
  const plain = rows.map((r) => r.delivery);
  const attempts = await withAttempts(orm, companyId, plain);
  return plain.map((row) => toView(row, attempts.get(row.id) ?? []));
}

/**
 * Sends a finished delivery (delivered or dead) again: a new delivery of the same event — same envelope
 * and `webhook-id`, so a receiver that did get it can tell — with a fresh retry schedule, counted
 * against the daily quota like any other. Returns the new delivery's id, or null when the company has
 * no such finished delivery on a live subscription.
 */
export async function resendDelivery(db: Database, api: string, companyId: string, deliveryId: string): Promise<string | null> {
  const id = newId();
  const inserted = await db.orm.execute(sql`
    INSERT INTO webhook_deliveries (id, company_id, subscription_id, api, event_id, event_type, event_time, data, status, attempts, next_attempt_at)
    SELECT ${id}, d.company_id, d.subscription_id, d.api, d.event_id, d.event_type, d.event_time, d.data, 'pending', 0, now()
    FROM webhook_deliveries d
    JOIN webhook_subscriptions s ON s.company_id = d.company_id AND s.id = d.subscription_id AND s.deleted_at IS NULL
    WHERE d.company_id = ${companyId} AND d.id = ${deliveryId} AND d.api = ${api} AND d.status IN ('delivered', 'dead')`);
  return (inserted.rowCount ?? 0) > 0 ? id : null;
}

/** Queues the API's test event for one subscription (whatever events it asked for). Null: no such subscription. */
export async function sendTestEvent(db: Database, settings: WebhookApiSettings, companyId: string, subscriptionId: string): Promise<string | null> {
  const subscription = await findSubscription(db.orm, settings.api, companyId, subscriptionId);
  if (!subscription) return null;
  const id = newId();
  await db.orm.insert(webhookDeliveries).values({
    id,
    companyId,
    subscriptionId,
    api: settings.api,
    eventId: newId(),
    eventType: settings.testEventType,
    eventTime: new Date(),
    data: { subscriptionId, message: `A test event from ${settings.title}: your endpoint is reachable and can verify our signatures.` },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: sql`now()`,
  });
  return id;
}

export async function findDelivery(orm: Orm, api: string, companyId: string, deliveryId: string): Promise<DeliveryView | null> {
  const [row] = await orm.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.api, api), eq(webhookDeliveries.id, deliveryId)));
  if (!row) return null;
  const attempts = await withAttempts(orm, companyId, [row]);
  return toView(row, attempts.get(row.id) ?? []);
}
