import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { WebhookConfig } from '../config/config.ts';
import type { Database, Orm } from '../db/database.ts';
import type { Tx } from '../idempotency/idempotency.ts';
import { newId } from '../ids.ts';
import { keysetClauses, syncHorizon, toPage, type ListQuery, type Page } from '../pagination/keyset.ts';
import { nonPublicReason } from './address-guard.ts';
import { webhookDeliveries, webhookSubscriptions } from './schema.ts';
import type { WebhookApiSettings } from './settings.ts';
import { newSigningSecret } from './signing.ts';

/**
 * A company's webhook subscriptions for one API. Every function takes the company id: a subscription of
 * another company is, for the caller, one that does not exist.
 */

/** The caller's input broke a rule; `field` names it (`url`, `events`, `events[2]`), the message is safe to show. */
export class WebhookInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'WebhookInputError';
  }
}

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CreatedSubscription extends Subscription {
  /** Returned by creation only; listings never carry it. */
  secret: string;
}

const MAX_URL_LENGTH = 2048;
const LOCAL_HOST = /^(localhost|[a-z0-9-]+\.localhost)$/i;

function isLoopbackHost(host: string): boolean {
  return LOCAL_HOST.test(host) || nonPublicReason(host) === 'loopback';
}

/**
 * The URL rule: https; plain http only to this machine (spec R-10: "test clients may use http://localhost")
 * or anywhere when WEBHOOK_ALLOW_PRIVATE=1 (development, internal networks), and never when
 * WEBHOOK_HTTPS_ONLY=1. Where it may point is checked again at every connection (address-guard.ts).
 */
export function validateWebhookUrl(raw: unknown, config: Pick<WebhookConfig, 'allowPrivate' | 'httpsOnly'>): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new WebhookInputError('url', 'url is required: the https URL that receives the deliveries');
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) throw new WebhookInputError('url', `url must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookInputError('url', 'url is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookInputError('url', 'url must use https');
  if (url.username || url.password) throw new WebhookInputError('url', 'url must not contain a user name or password; authenticate deliveries with the signature');
  if (url.hash) throw new WebhookInputError('url', 'url must not contain a fragment (#...)');
  if (url.protocol === 'http:') {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (config.httpsOnly) throw new WebhookInputError('url', 'url must use https (this server delivers to https URLs only)');
    if (!config.allowPrivate && !isLoopbackHost(host)) throw new WebhookInputError('url', 'url must use https (plain http is accepted only for http://localhost)');
  }
  return url.toString();
}

export function validateEventTypes(raw: unknown, settings: Pick<WebhookApiSettings, 'eventTypes'>): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new WebhookInputError('events', `events must be a non-empty list of event names: ${settings.eventTypes.join(', ')}`);
  }
  const events: string[] = [];
  raw.forEach((name, index) => {
    if (typeof name !== 'string' || !settings.eventTypes.includes(name)) {
      throw new WebhookInputError(`events[${index}]`, `${JSON.stringify(name)} is not an event name; use ${settings.eventTypes.join(', ')}`);
    }
    if (!events.includes(name)) events.push(name);
  });
  return events;
}

type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

function toSubscription(row: SubscriptionRow): Subscription {
  return { id: row.id, url: row.url, events: row.events, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

function live(companyId: string, api: string) {
  return and(eq(webhookSubscriptions.companyId, companyId), eq(webhookSubscriptions.api, api), isNull(webhookSubscriptions.deletedAt));
}

export async function createSubscription(
  tx: Tx,
  settings: WebhookApiSettings,
  config: Pick<WebhookConfig, 'allowPrivate' | 'httpsOnly'>,
  companyId: string,
  input: { url?: unknown; events?: unknown },
): Promise<CreatedSubscription> {
  const url = validateWebhookUrl(input.url, config);
  const events = validateEventTypes(input.events, settings);
  // Serialises concurrent creations for one company, so the limit below holds under races.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`webhooks:${settings.api}:${companyId}`}))`);
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(webhookSubscriptions).where(live(companyId, settings.api));
  if ((count?.n ?? 0) >= settings.maxSubscriptionsPerCompany) {
    throw new WebhookInputError('url', `a company may have at most ${settings.maxSubscriptionsPerCompany} webhooks; delete one first`);
  }
  const secret = newSigningSecret();
  const [row] = await tx.insert(webhookSubscriptions).values({ id: newId(), companyId, api: settings.api, url, events, secret }).returning();
  return { ...toSubscription(row!), secret };
}

export async function listSubscriptions(orm: Orm, api: string, companyId: string, query: ListQuery): Promise<Page<Subscription>> {
  const horizon = query.order === 'sync' ? await syncHorizon(orm) : null;
  const page = keysetClauses(webhookSubscriptions, query, horizon);
  const rows = await orm
    .select()
    .from(webhookSubscriptions)
    .where(and(live(companyId, api), page.where))
    .orderBy(...page.orderBy)
    .limit(page.take);
  return toPage(rows, query, toSubscription);
}

/** All live subscriptions of a company (the console shows them all; there are at most a few dozen). */
export async function allSubscriptions(orm: Orm, api: string, companyId: string): Promise<Subscription[]> {
  const rows = await orm.select().from(webhookSubscriptions).where(live(companyId, api)).orderBy(desc(webhookSubscriptions.createdAt), desc(webhookSubscriptions.id));
  return rows.map(toSubscription);
}

export async function findSubscription(orm: Orm | Tx, api: string, companyId: string, id: string): Promise<Subscription | null> {
  const [row] = await orm.select().from(webhookSubscriptions).where(and(live(companyId, api), eq(webhookSubscriptions.id, id)));
  return row ? toSubscription(row) : null;
}

/**
 * Deletes a subscription: no new deliveries from this moment, and its waiting ones are cancelled (an
 * attempt already in flight finishes). Returns false when the company has no such subscription.
 */
export async function deleteSubscription(db: Database, api: string, companyId: string, id: string): Promise<boolean> {
  return db.orm.transaction(async (tx) => {
    const deleted = await tx
      .update(webhookSubscriptions)
      .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(live(companyId, api), eq(webhookSubscriptions.id, id)))
      .returning({ id: webhookSubscriptions.id });
    if (deleted.length === 0) return false;
    await tx
      .update(webhookDeliveries)
      .set({ status: 'cancelled', nextAttemptAt: null, claimToken: null, lastError: 'subscription deleted', updatedAt: sql`now()` })
      .where(and(eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.subscriptionId, id), sql`${webhookDeliveries.status} in ('pending','quota_exceeded')`));
    return true;
  });
}
