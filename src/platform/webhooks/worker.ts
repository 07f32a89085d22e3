import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { WebhookConfig } from '../config/config.ts';
import type { AppContext } from '../context.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { Plan } from '../tenancy/schema.ts';
import { dailyQuotaFor, NEXT_UTC_DAY, takeManyFromDailyQuota, TODAY_UTC } from './quota.ts';
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
 * 3. Record (short transactions of two statements, each for the attempts that finished meanwhile): each attempt goes into the log; each delivery becomes `delivered`,
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

/**
 * A batch of 100: a round costs a handful of statements whatever its size (claim, quota per company,
 * one record), so larger batches spread them over more deliveries (the bench's burst: 540 deliveries/s
 * with batches of 10, 990 with 100). The sends of a batch run in parallel, each bounded by the timeout.
 */
export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { leaseMs: 60_000, batchSize: 100, pollIntervalMs: 1_000 };

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

    // The bookkeeping of a batch is a few statements, not a few per delivery: the cancelled in one, the
    // quota taken once per company, the quota day stamped on the admitted in one.
    const idsOf = (rows: ClaimRow[]) => sql`(SELECT jsonb_array_elements_text(${JSON.stringify(rows.map((row) => row.id))}::jsonb))`;
    const ours = (rows: ClaimRow[]) => sql`company_id = ${rows[0]!.company_id} AND id IN ${idsOf(rows)} AND claim_token = ${claimToken}`;
    const live = claimed.rows.filter((row) => !row.subscription_deleted);
    const cancelled = claimed.rows.filter((row) => row.subscription_deleted);
    // Fanned out while the subscription was being deleted: nobody wants them any more.
    for (const rows of byCompany(cancelled).values()) {
      await tx.execute(sql`UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, claim_token = NULL,
        last_error = 'subscription deleted', updated_at = now() WHERE ${ours(rows)}`);
    }
    const refused = new Set<ClaimRow>();
    for (const rows of byCompany(live.filter((row) => row.attempts === 0 && row.quota_day !== row.today)).values()) {
      const { company_id: companyId, today, plan } = rows[0]!;
      const limit = dailyQuotaFor(settings, plan);
      const granted = await takeManyFromDailyQuota(tx, settings.api, companyId, today, limit, rows.length);
      const [admitted, deferred] = [rows.slice(0, granted), rows.slice(granted)];
      if (admitted.length > 0) await tx.execute(sql`UPDATE webhook_deliveries SET quota_day = ${today}::date WHERE ${ours(admitted)}`);
      if (deferred.length > 0) {
        await tx.execute(sql`UPDATE webhook_deliveries SET status = 'quota_exceeded', next_attempt_at = ${NEXT_UTC_DAY}, claim_token = NULL,
          last_error = ${`daily quota of ${limit} webhook deliveries reached; deferred to the next UTC day`}, updated_at = now() WHERE ${ours(deferred)}`);
        for (const row of deferred) refused.add(row);
      }
    }
    const toSend: ClaimedDelivery[] = [];
    for (const row of live) {
      if (refused.has(row)) continue;
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

function byCompany(rows: ClaimRow[]): Map<string, ClaimRow[]> {
  const groups = new Map<string, ClaimRow[]>();
  for (const row of rows) groups.set(row.company_id, [...(groups.get(row.company_id) ?? []), row]);
  return groups;
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

export interface Attempt {
  delivery: ClaimedDelivery;
  startedAt: Date;
  result: SendResult;
}

export type AttemptOutcome = 'delivered' | 'pending' | 'dead' | 'lease_lost';

/** Records one attempt and moves the delivery on: delivered, pending at the next step, or dead. */
export async function recordAttempt(db: Database, schedule: number[], delivery: ClaimedDelivery, startedAt: Date, result: SendResult): Promise<AttemptOutcome> {
  return (await recordAttempts(db, schedule, [{ delivery, startedAt, result }]))[0]!;
}

/**
 * Records attempts in one transaction of two statements, whatever their number: each goes into
 * the log, and each delivery becomes delivered, pending at the next step of the schedule, or dead, but
 * only while this worker's claim token is still on it (otherwise its outcome is `lease_lost`: another
 * worker took it over after our lease ran out, and its outcome is the one that counts).
 */
export async function recordAttempts(db: Database, schedule: number[], attempts: Attempt[]): Promise<AttemptOutcome[]> {
  if (attempts.length === 0) return [];
  const rows = attempts.map(({ delivery, startedAt, result }) => {
    const attempt = delivery.attempts + 1;
    const outcome = result.ok ? 'delivered' : attempt >= schedule.length ? 'dead' : 'pending';
    return {
      log_id: newId(),
      company_id: delivery.companyId,
      id: delivery.id,
      claim_token: delivery.claimToken,
      status: outcome,
      attempt,
      retry_in_ms: outcome === 'pending' ? schedule[attempt]! : null,
      started_at: startedAt.toISOString(),
      duration_ms: Math.round(result.durationMs),
      ok: result.ok,
      response_status: result.status,
      // A receiver's body may hold NUL characters, which PostgreSQL text cannot: the log keeps the rest.
      response_body: result.responseBody?.replace(/\u0000/g, '') ?? null,
      last_error: result.ok ? null : (result.error ?? `HTTP ${result.status}`),
    };
  });
  const batch = sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(log_id text, company_id text, id text, claim_token text,
    status text, attempt int, retry_in_ms int, started_at timestamptz, duration_ms int, ok boolean, response_status int,
    response_body text, last_error text)`;
  return db.orm.transaction(async (tx) => {
    const updated = await tx.execute<{ id: string; company_id: string }>(sql`
      UPDATE webhook_deliveries d SET status = v.status, attempts = v.attempt,
        next_attempt_at = CASE WHEN v.retry_in_ms IS NULL THEN NULL ELSE now() + v.retry_in_ms * interval '1 millisecond' END,
        claim_token = NULL, last_attempt_at = v.started_at, last_response_status = v.response_status, last_error = v.last_error,
        delivered_at = CASE WHEN v.ok THEN now() ELSE d.delivered_at END, updated_at = now()
      FROM ${batch}
      WHERE d.company_id = v.company_id AND d.id = v.id AND d.claim_token = v.claim_token
      RETURNING d.id, d.company_id`);
    // The attempts happened either way: they go into the log even when another worker has taken over.
    await tx.execute(sql`
      INSERT INTO webhook_attempts (id, company_id, delivery_id, attempt, started_at, duration_ms, outcome, response_status, response_body, error)
      SELECT v.log_id, v.company_id, v.id, v.attempt, v.started_at, v.duration_ms, CASE WHEN v.ok THEN 'delivered' ELSE 'failed' END,
        v.response_status, v.response_body, v.last_error
      FROM ${batch}`);
    const kept = new Set(updated.rows.map((row) => `${row.company_id}\n${row.id}`));
    return rows.map((row) => (kept.has(`${row.company_id}\n${row.id}`) ? (row.status as AttemptOutcome) : 'lease_lost'));
  });
}

/** Sends one claimed delivery, outside any transaction; never throws (a failure is a result). */
export async function sendDelivery(config: WebhookConfig, settings: WebhookApiSettings, delivery: ClaimedDelivery): Promise<Attempt> {
  const startedAt = new Date();
  const { body, headers } = buildRequest(settings, delivery, startedAt);
  const result = await sendWebhook({ url: delivery.url, headers, body, timeoutMs: DELIVERY_TIMEOUT_MS, allowPrivate: config.allowPrivate, httpsOnly: config.httpsOnly });
  return { delivery, startedAt, result };
}

/** Sends one claimed delivery and records the outcome. */
export async function attemptDelivery(db: Database, config: WebhookConfig, settings: WebhookApiSettings, delivery: ClaimedDelivery) {
  const attempt = await sendDelivery(config, settings, delivery);
  return recordAttempt(db, config.retryScheduleMs, attempt.delivery, attempt.startedAt, attempt.result);
}

/**
 * One round: claim a batch, send it (in parallel, each bounded by the timeout), and record outcomes as
 * they arrive: whatever has finished while the previous record ran goes into the next one (one
 * transaction of two statements each), so under load a round takes a few transactions, not one per
 * delivery, and an answered delivery waits only for the record in progress, not for the slowest send
 * of its batch (a crash re-sends what was not recorded). Returns how many were claimed.
 */
export async function deliverDueOnce(deps: Deps, settings: WebhookApiSettings, options: Partial<WorkerOptions> = {}): Promise<number> {
  const { leaseMs, batchSize } = { ...DEFAULT_WORKER_OPTIONS, ...options };
  const claimed = await claimDueDeliveries(deps.db, settings, { leaseMs, batchSize });
  const finished: Attempt[] = [];
  let recording = Promise.resolve();
  let recordFailure: { error: unknown } | null = null;
  const recordFinished = () => {
    recording = recording.then(async () => {
      const attempts = finished.splice(0);
      if (attempts.length === 0) return;
      try {
        await recordAttempts(deps.db, deps.config.webhooks.retryScheduleMs, attempts);
      } catch (error) {
        recordFailure ??= { error }; // those deliveries stay claimed and are sent again when the lease ends
      }
    });
  };
  // Wait for every send and every record, so shutdown never leaves one running.
  const sent = await Promise.allSettled(
    claimed.map(async (delivery) => {
      finished.push(await sendDelivery(deps.config.webhooks, settings, delivery));
      recordFinished();
    }),
  );
  await recording;
  if (recordFailure) throw (recordFailure as { error: unknown }).error;
  const failed = sent.find((s): s is PromiseRejectedResult => s.status === 'rejected');
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
