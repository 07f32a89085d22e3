import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import type pg from 'pg';
import { RssSampler, type ServerProcess } from './processes.ts';
import type { Profile } from './profile.ts';
import { LEAD_BODY } from './scenarios.ts';
import { ProgressBar, step } from './progress.ts';

/**
 * Scenario e, webhook fan-out: events of one company with one subscription pointing at a node:http
 * receiver on 127.0.0.1. Latency is receipt time minus the event's recorded time (the envelope's
 * `createdAt`, the event transaction's now(), on the same machine's clock).
 *
 * - burst: N events committed at once into the outbox with their deliveries (BURST_SQL); deliveries
 *   per second is N over the time from the commit to the last receipt. Latency here includes queueing
 *   behind the burst.
 * - steady: leads posted through the API (POST /leads, each one a ticket.created event) at a fixed rate
 *   below capacity, so latency is what one event waits when the queue is short.
 */
export interface WebhookPhase {
  phase: 'burst' | 'steady';
  events: number;
  delivered: number;
  /** Deliveries of an event already received (at-least-once delivery). */
  duplicates: number;
  seconds: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverRssMb: number;
  note: string;
}

class Receiver {
  private readonly latencies = new Map<string, number>();
  duplicates = 0;
  lastReceipt = 0;
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const at = Date.now();
        res.writeHead(200).end('ok');
        try {
          const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; createdAt: string };
          if (this.latencies.has(envelope.id)) this.duplicates++;
          else this.latencies.set(envelope.id, at - Date.parse(envelope.createdAt));
          this.lastReceipt = at;
        } catch {
          // not a delivery; ignored
        }
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  get received(): number {
    return this.latencies.size;
  }

  reset(): void {
    this.latencies.clear();
    this.duplicates = 0;
    this.lastReceipt = 0;
  }

  percentiles(): { p50: number; p99: number } {
    const sorted = [...this.latencies.values()].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return { p50: at(0.5), p99: at(0.99) };
  }

  async waitFor(count: number, timeoutMs: number, bar?: ProgressBar): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let shown = 0;
    while (this.received < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      bar?.advance(this.received - shown);
      shown = this.received;
    }
    bar?.advance(this.received - shown);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Leaves the webhook company with no subscription, nothing waiting, and a fresh daily quota. */
async function resetWebhookCompany(pool: pg.Pool, companyId: string): Promise<void> {
  await pool.query(`UPDATE webhook_subscriptions SET deleted_at = now() WHERE company_id = $1 AND deleted_at IS NULL`, [companyId]);
  await pool.query(
    `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, claim_token = NULL, last_error = 'bench reset'
     WHERE company_id = $1 AND status IN ('pending', 'sending', 'quota_exceeded')`,
    [companyId],
  );
  await pool.query(`DELETE FROM webhook_daily_usage WHERE company_id = $1`, [companyId]);
}

async function subscribe(server: ServerProcess, token: string, url: string): Promise<void> {
  const res = await fetch(`${server.url}/blueclerk/api/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ url, events: ['ticket.created'] }),
  });
  if (res.status !== 201) throw new Error(`POST /webhooks answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/**
 * N events of one company committed at once, with their deliveries: the rows the platform's recordEvent
 * and fanOutEvent write for each event (src/platform/events, src/platform/webhooks/fan-out.ts), written
 * set-based in one transaction so the burst measures the delivery side, not how fast one client can
 * write events one by one.
 */
const BURST_SQL = `
  WITH events AS (
    INSERT INTO domain_events (id, company_id, api, type, payload)
    SELECT 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), $1, 'blueclerk', 'ticket.created',
           jsonb_build_object('id', 'c' || substr(md5(n::text || clock_timestamp()::text), 1, 24), 'title', 'Bench event ' || n, 'status', 'OPEN',
                              'createdAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM generate_series(1, $2::int) AS n
    RETURNING id, company_id, api, type, payload, occurred_at
  )
  INSERT INTO webhook_deliveries (id, company_id, subscription_id, api, event_id, event_type, event_time, data, status, attempts, next_attempt_at)
  SELECT 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), s.company_id, s.id, s.api, e.id, e.type, e.occurred_at, e.payload, 'pending', 0, now()
  FROM events e JOIN webhook_subscriptions s ON s.company_id = e.company_id AND s.api = e.api AND s.deleted_at IS NULL AND e.type = ANY(s.events)`;

async function burst(pool: pg.Pool, server: ServerProcess, receiver: Receiver, companyId: string, events: number, timeoutMs: number): Promise<WebhookPhase> {
  receiver.reset();
  const sampler = new RssSampler(server.pid);
  const bar = new ProgressBar('webhook burst (received)', events);
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(BURST_SQL, [companyId, events]);
    await client.query('COMMIT');
    if (rowCount !== events) throw new Error(`the burst queued ${rowCount} deliveries for ${events} events; the subscription is missing`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  const committed = Date.now();
  await receiver.waitFor(events, timeoutMs, bar);
  bar.finish();
  const seconds = ((receiver.lastReceipt || Date.now()) - committed) / 1000;
  return phaseResult(receiver, sampler, {
    phase: 'burst',
    events,
    seconds,
    note: `${events} events committed in one transaction (${((committed - started) / 1000).toFixed(1)} s), then drained; latency includes queueing behind the burst`,
  });
}

/** A phase's figures: what the receiver saw over `seconds`, and the server's peak RSS meanwhile. */
function phaseResult(receiver: Receiver, sampler: RssSampler, phase: Pick<WebhookPhase, 'phase' | 'events' | 'seconds' | 'note'>): WebhookPhase {
  const { p50, p99 } = receiver.percentiles();
  return {
    ...phase,
    delivered: receiver.received,
    duplicates: receiver.duplicates,
    deliveriesPerSecond: Math.round(receiver.received / phase.seconds),
    p50Ms: p50,
    p99Ms: p99,
    serverRssMb: sampler.stop(),
  };
}

async function steady(server: ServerProcess, receiver: Receiver, token: string, rate: number, seconds: number, timeoutMs: number): Promise<WebhookPhase> {
  receiver.reset();
  const sampler = new RssSampler(server.pid);
  const result = await autocannon({
    url: server.url,
    connections: 10,
    duration: seconds,
    overallRate: rate,
    requests: [
      {
        method: 'POST',
        path: '/blueclerk/api/v1/leads',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: LEAD_BODY,
        setupRequest(req) {
          req.headers = { ...req.headers, 'idempotency-key': crypto.randomUUID() };
          return req;
        },
      },
    ],
  });
  // Requests still in flight when the load stopped may have made events too: wait for at least the 201s.
  const created = Number(result.statusCodeStats?.['201']?.count ?? 0);
  await receiver.waitFor(created, timeoutMs);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  return phaseResult(receiver, sampler, {
    phase: 'steady',
    events: Math.max(created, receiver.received),
    seconds,
    note: `POST /leads at ${rate}/s for ${seconds} s through the API (${created} leads created, ${result.non2xx} refused)`,
  });
}

export async function webhookFanOut(server: ServerProcess, pool: pg.Pool, companyId: string, token: string, profile: Profile): Promise<WebhookPhase[]> {
  const receiver = new Receiver();
  const url = await receiver.listen();
  try {
    await resetWebhookCompany(pool, companyId);
    await subscribe(server, token, url);
    const timeoutMs = profile.name === 'quick' ? 30_000 : 90_000;
    step(`e: burst of ${profile.webhooks.burstEvents} events`);
    const phases = [await burst(pool, server, receiver, companyId, profile.webhooks.burstEvents, timeoutMs)];
    step(`e: steady ${profile.webhooks.steadyRate} leads/s for ${profile.webhooks.steadySeconds} s`);
    phases.push(await steady(server, receiver, token, profile.webhooks.steadyRate, profile.webhooks.steadySeconds, timeoutMs));
    return phases;
  } finally {
    await resetWebhookCompany(pool, companyId);
    await receiver.close();
  }
}
