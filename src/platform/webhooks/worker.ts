import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { WebhookConfig } from '../config/config.ts';
import type { AppContext } from '../context.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { Plan } from '../tenancy/schema.ts';
import { dailyQuotaFor, NEXT_UTC_DAY, takeFromDailyQuota, TODAY_UTC } from './quota.ts';
import { sendWebhook, type SendResult } from './send.ts';
import { DELIVERY_TIMEOUT_MS, type WebhookApiSettings } from './settings.ts';
import { standardWebhookSignature } from './signing.ts';

/**
 * Delivery workers. Any number of them, on any number of nodes, share the work through the database:
 *
 * 1. Claim (one short transaction): take up to `batchSize` due deliveries with `FOR UPDATE SKIP LOCKED`
 *    (two workers never take the same row), mark them `sending` with a fresh claim token, and move their
 *    `next_attempt_at` to the end of a lease. A worker that dies — even SIGKILL mid-request — leaves its
 *    rows due again when the lease ends, so nothing is lost (delivery is at least once; receivers
 *    de-duplicate by `webhook-id`). The plan's daily quota is taken here too.
 * 2. Send, outside any transaction (a slow receiver never holds a database connection or lock).
 * 3. Record (one short transaction): the attempt goes into the log; the delivery becomes `delivered`,
 *    `pending` again at the next step of the retry schedule, or `dead` after the last attempt — but only
 *    if this worker's claim token is still on it (a worker whose lease ran out does not overwrite the
 *    outcome of the worker that took over).
 *
 * An attempt is counted when its outcome is recorded, so an attempt cut off by a crash is made again with
 * the same number instead of using up the schedule.
 */
export interface WorkerOptions {
  /** How long a claim protects a delivery in flight; far above the 5 s timeout. */
  leaseMs: number;
  batchSize: number;
  /** Pause between polls when nothing was due. */
  pollIntervalMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { leaseMs: 60_000, batchSize: 10, pollIntervalMs: 1_000 };

export interface ClaimedDelivery {
  id: string;
  companyId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  eventTime: Date;
  data: Record<string, unknown>;
  /** Attempts already made in this round. */
  attempts: number;
  url: string;
  secret: string;
  claimToken: string;
}

type Deps = Pick<AppContext, 'db' | 'config'>;

interface ClaimRow extends Record<string, unknown> {
  id: string;
  company_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  event_time: Date;
  data: Record<string, unknown>;
  attempts: number;
  quota_day: string | null;
  today: string;
  url: string;
  secret: string;
  subscription_deleted: boolean;
  plan: Plan;
}

/** Claims due deliveries of one API and applies the daily quota; returns those to send now. */
export async function claimDueDeliveries(db: Database, settings: WebhookApiSettings, options: Pick<WorkerOptions, 'leaseMs' | 'batchSize'>): Promise<ClaimedDelivery[]> {
  const claimToken = crypto.randomUUID();
  return db.orm.transaction(async (tx) => {
    const claimed = await tx.execute<ClaimRow>(sql`
      WITH due AS (
        SELECT company_id, id FROM webhook_deliveries
        WHERE api = ${settings.api} AND status IN ('pending', 'sending', 'quota_exceeded') AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT ${options.batchSize}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE webhook_deliveries d
      SET status = 'sending', claim_token = ${claimToken},
          next_attempt_at = clock_timestamp() + ${options.leaseMs}::int * interval '1 millisecond', updated_at = now()
      FROM due, webhook_subscriptions s, companies c
      WHERE d.company_id = due.company_id AND d.id = due.id
        AND s.company_id = d.company_id AND s.id = d.subscription_id AND c.id = d.company_id
      RETURNING d.id, d.company_id, d.subscription_id, d.event_id, d.event_type, d.event_time, d.data, d.attempts,
        to_char(d.quota_day, 'YYYY-MM-DD') AS quota_day, ${TODAY_UTC} AS today,
        s.url, s.secret, s.deleted_at IS NOT NULL AS subscription_deleted, c.plan`);

    const toSend: ClaimedDelivery[] = [];
    for (const row of claimed.rows) {
      const where = sql`company_id = ${row.company_id} AND id = ${row.id} AND claim_token = ${claimToken}`;
      if (row.subscription_deleted) {
        // Fanned out while the subscription was being deleted: nobody wants it any more.
        await tx.execute(sql`UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, claim_token = NULL,
          last_error = 'subscription deleted', updated_at = now() WHERE ${where}`);
        continue;
      }
      if (row.attempts === 0 && row.quota_day !== row.today) {
        const limit = dailyQuotaFor(settings, row.plan);
        if (!(await takeFromDailyQuota(tx, settings.api, row.company_id, row.today, limit))) {
          await tx.execute(sql`UPDATE webhook_deliveries SET status = 'quota_exceeded', next_attempt_at = ${NEXT_UTC_DAY}, claim_token = NULL,
            last_error = ${`daily quota of ${limit} webhook deliveries reached; deferred to the next UTC day`}, updated_at = now() WHERE ${where}`);
          continue;
        }
        await tx.execute(sql`UPDATE webhook_deliveries SET quota_day = ${row.today}::date WHERE ${where}`);
      }
      toSend.push({
        id: row.id,
        companyId: row.company_id,
        subscriptionId: row.subscription_id,
        eventId: row.event_id,
        eventType: row.event_type,
        eventTime: row.event_time instanceof Date ? row.event_time : new Date(row.event_time),
        data: row.data,
        attempts: row.attempts,
        url: row.url,
        secret: row.secret,
        claimToken,
      });
    }
    return toSend;
  });
}

/** The exact request of one attempt: body bytes and headers signed for this moment. */
export function buildRequest(settings: WebhookApiSettings, delivery: ClaimedDelivery, now = new Date()): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(
    settings.envelope({ id: delivery.eventId, type: delivery.eventType, occurredAt: delivery.eventTime, companyId: delivery.companyId, data: delivery.data }),
  );
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': settings.userAgent,
      [settings.signatureHeader]: settings.signatureValue(delivery.secret, timestamp, body),
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(delivery.secret, delivery.eventId, timestamp, body),
    },
  };
}

/** Records one attempt and moves the delivery on: delivered, pending at the next step, or dead. */
export async function recordAttempt(db: Database, schedule: number[], delivery: ClaimedDelivery, startedAt: Date, result: SendResult): Promise<'delivered' | 'pending' | 'dead' | 'lease_lost'> {
  const attempt = delivery.attempts + 1;
  const outcome = result.ok ? 'delivered' : attempt >= schedule.length ? 'dead' : 'pending';
  const nextAttemptAt = outcome === 'pending' ? sql`now() + ${schedule[attempt]!}::int * interval '1 millisecond'` : sql`NULL`;
  const lastError = result.ok ? null : (result.error ?? `HTTP ${result.status}`);
  return db.orm.transaction(async (tx) => {
    const updated = await tx.execute(sql`
      UPDATE webhook_deliveries SET status = ${outcome}, attempts = ${attempt}, next_attempt_at = ${nextAttemptAt}, claim_token = NULL,
        last_attempt_at = ${startedAt}, last_response_status = ${result.status}, last_error = ${lastError},
        delivered_at = ${result.ok ? sql`now()` : sql`delivered_at`}, updated_at = now()
      WHERE company_id = ${delivery.companyId} AND id = ${delivery.id} AND claim_token = ${delivery.claimToken}`);
    // The attempt happened either way: it goes into the log even when another worker has taken over.
    await tx.execute(sql`
      INSERT INTO webhook_attempts (id, company_id, delivery_id, attempt, started_at, duration_ms, outcome, response_status, response_body, error)
      VALUES (${newId()}, ${delivery.companyId}, ${delivery.id}, ${attempt}, ${startedAt}, ${result.durationMs},
        ${result.ok ? 'delivered' : 'failed'}, ${result.status}, ${result.responseBody}, ${lastError})`);
    return (updated.rowCount ?? 0) > 0 ? outcome : 'lease_lost';
  });
}

/** Sends one claimed delivery and records the outcome. */
export async function attemptDelivery(db: Database, config: WebhookConfig, settings: WebhookApiSettings, delivery: ClaimedDelivery) {
  const startedAt = new Date();
  const { body, headers } = buildRequest(settings, delivery, startedAt);
  const result = await sendWebhook({ url: delivery.url, headers, body, timeoutMs: DELIVERY_TIMEOUT_MS, allowPrivate: config.allowPrivate, httpsOnly: config.httpsOnly });
  return recordAttempt(db, config.retryScheduleMs, delivery, startedAt, result);
}

/** One round: claim a batch, send it (in parallel, each bounded by the timeout), record. Returns how many were claimed. */
export async function deliverDueOnce(deps: Deps, settings: WebhookApiSettings, options: Partial<WorkerOptions> = {}): Promise<number> {
  const { leaseMs, batchSize } = { ...DEFAULT_WORKER_OPTIONS, ...options };
  const claimed = await claimDueDeliveries(deps.db, settings, { leaseMs, batchSize });
  // Wait for every attempt, even when one fails to record, so shutdown never leaves one running.
  const outcomes = await Promise.allSettled(claimed.map((delivery) => attemptDelivery(deps.db, deps.config.webhooks, settings, delivery)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return claimed.length;
}

/**
 * Starts this node's delivery loops for one API (`WEBHOOK_WORKERS` of them). Each drains what is due,
 * then polls; shutdown lets the round in flight finish.
 */
export function startWebhookWorkers(ctx: AppContext, settings: WebhookApiSettings, options: Partial<WorkerOptions> = {}): void {
  const merged = { ...DEFAULT_WORKER_OPTIONS, ...options };
  for (let n = 1; n <= ctx.config.webhooks.workers; n++) {
    ctx.background.every(
      `${settings.api} webhook worker ${n}`,
      merged.pollIntervalMs,
      async (signal) => {
        while (!signal.aborted && (await deliverDueOnce(ctx, settings, merged)) > 0);
      },
      (name, error) => ctx.log.error({ err: error }, `${name} failed`),
    );
  }
}
