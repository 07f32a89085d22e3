import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEASE_MS } from '../src/platform/idempotency/idempotency.ts';
import { DEFAULT_WORKER_OPTIONS } from '../src/platform/webhooks/worker.ts';
import { cleanUpCli } from './support/cli.ts';
import { blueClerkHeaders, call, clevertimHeaders, createLiveStore, prepareTenant, startServer, withStore, type Answer, type LiveStore, type LiveTenant, type RunningServer } from './support/live-opsbase.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * SIGKILL of the real server (`opsbase start`) in the middle of a burst of writes that carry
 * Idempotency-Keys while webhook deliveries are in flight, then a start on the same data (the embedded
 * data directory, or the DATABASE_URL database). The promises checked afterwards:
 *
 * - every write the client saw acknowledged (2xx) is there, as acknowledged;
 * - a client retrying every key, acknowledged or not, gets the first answer again (same status, same
 *   bytes, `Idempotent-Replayed: true`) for an acknowledged one, and no key ever makes a second record;
 * - every committed event reaches the receiver at least once (duplicates allowed, always with the same
 *   webhook-id and body).
 *
 * Clevertim has no Idempotency-Key (its API document defines none), so its writes are checked for the
 * first promise only.
 */
const API = '/blueclerk/api/v1';
const LEADS = 300;
const PATCHES = 40;
const CONTACTS = 40;
const CLIENTS = 8;
/** The kill comes once this many writes were acknowledged: well inside the burst. */
const KILL_AFTER_ACKS = 60;
const RECEIVER_DELAY_MS = 1_000;

let store: LiveStore | undefined;
let receiver: WebhookReceiver | undefined;
after(async () => {
  await cleanUpCli();
  await receiver?.close();
  await store?.drop();
});

type Write =
  | { kind: 'lead'; key: string; body: Record<string, string> }
  | { kind: 'patch'; key: string; ticketId: string; body: Record<string, string> }
  | { kind: 'contact'; marker: string; body: Record<string, string> };

interface Sent {
  write: Write;
  answer: Answer | null;
}

function writeRequest(server: RunningServer, tenant: LiveTenant, write: Write): Promise<Answer | null> {
  if (write.kind === 'lead') return call(`${server.url}${API}/leads`, { method: 'POST', headers: blueClerkHeaders(tenant, write.key), body: JSON.stringify(write.body) });
  if (write.kind === 'patch') return call(`${server.url}${API}/tickets/${write.ticketId}`, { method: 'PATCH', headers: blueClerkHeaders(tenant, write.key), body: JSON.stringify(write.body) });
  return call(`${server.url}/clevertim/api/contact`, { method: 'POST', headers: clevertimHeaders(tenant), body: JSON.stringify(write.body) });
}

const acknowledged = (sent: Sent) => sent.answer !== null && sent.answer.status >= 200 && sent.answer.status < 300;

test('SIGKILL during idempotent writes and webhook deliveries: nothing acknowledged is lost, retries make no duplicates, every event is delivered', async (t) => {
  receiver = await WebhookReceiver.start();
  // A slow receiver keeps deliveries in flight (and a backlog queued) when the kill comes.
  // The ids of the deliveries received whose answer is not yet sent: the server does not know yet
  // that they arrived.
  const awaitingAnswer = new Set<string>();
  receiver.respond = (receipt) => {
    const id = String(receipt.headers['webhook-id']);
    awaitingAnswer.add(id);
    setTimeout(() => awaitingAnswer.delete(id), RECEIVER_DELAY_MS);
    return { status: 200, body: 'ok', delayMs: RECEIVER_DELAY_MS };
  };
  store = await createLiveStore();
  const tenant = await prepareTenant(store, receiver.url('/hook'));
  const serverEnv = { LOG_LEVEL: 'error', WEBHOOK_RETRY_SCHEDULE: '0s,500ms,1s,2s,4s,8s,15s,30s', WEBHOOK_WORKERS: '2' };
  let server = await startServer(store, serverEnv);

  // Tickets for the PATCHes, one each, so the last acknowledged patch of a ticket is its only one.
  const ticketIds: string[] = [];
  for (let i = 0; i < PATCHES; i++) {
    const answer = await call(`${server.url}${API}/tickets`, { method: 'POST', headers: blueClerkHeaders(tenant, `setup-${i}`), body: JSON.stringify({ title: `Ticket to patch ${i}` }) });
    assert.equal(answer?.status, 201, answer?.body);
    ticketIds.push(JSON.parse(answer!.body).id);
  }

  const writes: Write[] = [];
  for (let i = 0; i < LEADS; i++) writes.push({ kind: 'lead', key: `crash-lead-${i}`, body: { contactName: `Crash lead ${i}`, email: `lead${i}@example.com`, notes: `burst lead ${i}`, source: 'crash-test' } });
  for (let i = 0; i < PATCHES; i++) writes.splice(i * 5 + 2, 0, { kind: 'patch', key: `crash-patch-${i}`, ticketId: ticketIds[i]!, body: { title: `Patched in the burst ${i}`, status: 'IN_PROGRESS' } });
  for (let i = 0; i < CONTACTS; i++) writes.splice(i * 6 + 4, 0, { kind: 'contact', marker: `Crash contact ${i}`, body: { fn: `Crash contact ${i}`, ln: 'Burst' } });

  // The burst: CLIENTS concurrent clients take the next write until none is left. The server is killed
  // at the first moment when KILL_AFTER_ACKS writes were acknowledged and both writes and deliveries
  // are in flight, so the rest of the burst is cut off or refused.
  const sent: Sent[] = [];
  let next = 0;
  let inFlight = 0;
  let acks = 0;
  let killed = false;
  let atKill = { inFlight: 0, cutOffDeliveries: [] as string[], receipts: 0 };
  const clients = Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < writes.length) {
        const write = writes[next++]!;
        inFlight++;
        const answer = await writeRequest(server, tenant, write);
        inFlight--;
        sent.push({ write, answer });
        if (answer && answer.status >= 200 && answer.status < 300) acks++;
      }
    }),
  );
  let burstOver = false;
  void clients.finally(() => (burstOver = true));
  while (!burstOver) {
    if (acks >= KILL_AFTER_ACKS && inFlight > 0 && awaitingAnswer.size > 0) {
      atKill = { inFlight, cutOffDeliveries: [...awaitingAnswer], receipts: receiver.receipts.length };
      killed = true;
      await server.kill();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await clients;
  const answered = sent.filter((s) => s.answer !== null);
  const serverErrors = () => server.output().split('\n').filter((line) => line.includes('"level":50')).slice(0, 2).join('\n');
  assert.deepEqual(answered.filter((s) => !acknowledged(s)).map((s) => `${s.answer!.status} ${s.answer!.body}`), [], `before the kill, every write was acknowledged; the server logged:\n${serverErrors()}`);
  assert.ok(killed, 'the burst ended before writes and deliveries were in flight together');
  assert.ok(atKill.inFlight > 0, 'writes were in flight at the kill');
  assert.ok(atKill.cutOffDeliveries.length > 0, `deliveries were in flight at the kill (${atKill.receipts} received by then)`);
  const unanswered = sent.length - answered.length;
  assert.ok(unanswered > 0 && answered.length >= KILL_AFTER_ACKS);

  server = await startServer(store, serverEnv);

  // 1. Every acknowledged write is there, as it was acknowledged.
  for (const { write, answer } of sent.filter(acknowledged)) {
    if (write.kind === 'contact') {
      const record = JSON.parse(answer!.body).content[0];
      const read = await call(`${server.url}/clevertim/api/contact/${record.id}`, { headers: clevertimHeaders(tenant) });
      assert.equal(read?.status, 200, `acknowledged Clevertim contact ${record.id} is there`);
      assert.equal(JSON.parse(read!.body).content[0].fn, write.marker);
      continue;
    }
    const ticketId = write.kind === 'lead' ? JSON.parse(answer!.body).ticketId : write.ticketId;
    const read = await call(`${server.url}${API}/tickets/${ticketId}`, { headers: blueClerkHeaders(tenant) });
    assert.equal(read?.status, 200, `acknowledged ${write.key} (ticket ${ticketId}) is there`);
    const ticket = JSON.parse(read!.body);
    if (write.kind === 'lead') assert.equal(ticket.contactName, write.body.contactName);
    else assert.deepEqual([ticket.title, ticket.status], [write.body.title, write.body.status], `acknowledged ${write.key} is applied`);
  }

  // 2. A client retries every key. A request cut off by the kill may have left its claim on the key
  // ("still running", 409) until the claim's lease runs out; the client retries it after a pause.
  const retryDeadline = Date.now() + LEASE_MS + 30_000;
  const keyed = sent.filter((s): s is Sent & { write: Exclude<Write, { kind: 'contact' }> } => s.write.kind !== 'contact');
  const finalAnswers = new Map<string, Answer>();
  let pending = keyed;
  let inProgressSeen = 0;
  while (pending.length > 0) {
    const stillRunning: typeof keyed = [];
    for (const s of pending) {
      const answer = await writeRequest(server, tenant, s.write);
      assert.ok(answer, `retry of ${s.write.key} was answered`);
      if (answer.status === 409 && /still being processed/.test(answer.body)) {
        stillRunning.push(s);
        continue;
      }
      finalAnswers.set(s.write.key, answer);
    }
    inProgressSeen += stillRunning.length;
    pending = stillRunning;
    if (pending.length > 0) {
      assert.ok(Date.now() < retryDeadline, `keys still "in progress" ${LEASE_MS + 30_000} ms after the restart: ${pending.map((s) => s.write.key).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  for (const s of keyed) {
    const retried = finalAnswers.get(s.write.key)!;
    const expected = s.write.kind === 'lead' ? 201 : 200;
    if (acknowledged(s)) {
      assert.equal(retried.status, s.answer!.status, `${s.write.key}: the retry answers the first status`);
      assert.equal(retried.body, s.answer!.body, `${s.write.key}: the retry answers the first body, byte for byte`);
      assert.equal(retried.headers.get('idempotent-replayed'), 'true', `${s.write.key}: marked as a replay`);
    } else {
      assert.equal(retried.status, expected, `${s.write.key} (unacknowledged): the retry succeeds: ${retried.body}`);
    }
  }

  // No key made a second record: one ticket per lead key, and every patch applied.
  const { leadCounts, events } = await withStore(store, async (db) => {
    const leads = await db.pool.query<{ contact_name: string; n: string }>(
      `SELECT contact_name, count(*) AS n FROM bc_tickets WHERE company_id = $1 AND source = 'crash-test' GROUP BY contact_name`,
      [tenant.companyId],
    );
    const committed = await db.pool.query<{ id: string }>(`SELECT id FROM domain_events WHERE company_id = $1 AND type = 'ticket.created'`, [tenant.companyId]);
    return { leadCounts: new Map(leads.rows.map((r) => [r.contact_name, Number(r.n)])), events: committed.rows.map((r) => r.id) };
  });
  assert.equal(leadCounts.size, LEADS, 'every lead key made its ticket');
  assert.deepEqual([...leadCounts].filter(([, n]) => n !== 1), [], 'no lead key made two tickets');
  for (const s of keyed.filter((k) => k.write.kind === 'patch')) {
    const ticket = JSON.parse(finalAnswers.get(s.write.key)!.body);
    assert.equal(ticket.title, s.write.body.title);
  }

  // 3. Every committed ticket.created event reaches the receiver at least once, and the server comes to
  // know it: every delivery ends `delivered`. A delivery whose answer the kill cut off is sent again
  // when its lease ends (the receiver sees it twice, with the same id and body).
  assert.equal(events.length, PATCHES + LEADS, 'one ticket.created event per ticket');
  const deliveryDeadline = Date.now() + DEFAULT_WORKER_OPTIONS.leaseMs + 45_000;
  const timesReceived = (id: string) => receiver!.receipts.filter((r) => r.headers['webhook-id'] === id).length;
  const notDelivered = () => withStore(store!, async (db) => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE company_id = $1 AND status <> 'delivered'`, [tenant.companyId])).rows[0]!.n));
  for (;;) {
    const missing = events.filter((id) => timesReceived(id) === 0);
    const notResent = atKill.cutOffDeliveries.filter((id) => timesReceived(id) < 2);
    const open = await notDelivered();
    if (missing.length === 0 && notResent.length === 0 && open === 0) break;
    assert.ok(
      Date.now() < deliveryDeadline,
      `${missing.length} events never received (e.g. ${missing.slice(0, 3).join(', ')}); ${notResent.length} deliveries cut off by the kill not sent again; ${open} deliveries not marked delivered`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const bodyById = new Map<string, string>();
  for (const receipt of receiver.receipts) {
    const id = String(receipt.headers['webhook-id']);
    assert.ok(events.includes(id), `delivered id ${id} is a committed event`);
    assert.equal(JSON.parse(receipt.body).id, id);
    if (bodyById.has(id)) assert.equal(receipt.body, bodyById.get(id), `a repeated delivery of ${id} carries the same body`);
    bodyById.set(id, receipt.body);
  }

  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  t.diagnostic(`kill after ${answered.length} answers (${atKill.inFlight} writes and ${atKill.cutOffDeliveries.length} deliveries in flight), ${unanswered} unanswered, ${inProgressSeen} "still running" retries, ${receiver.receipts.length - events.length} duplicate deliveries`);
});
