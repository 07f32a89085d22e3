import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from './support/test-database.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import { anotherNode, attemptsOf, deliveriesOf, eventually } from './support/webhook-fixtures.ts';
import type { Database } from '../src/platform/db/database.ts';
import { loadConfig, type Config } from '../src/platform/config/config.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import { domainEvents } from '../src/platform/events/schema.ts';
import { createSubscription, deleteSubscription } from '../src/platform/webhooks/subscriptions.ts';
import { claimDueDeliveries, deliverDueOnce } from '../src/platform/webhooks/worker.ts';
import { resendDelivery, sendTestEvent } from '../src/platform/webhooks/deliveries.ts';
import type { WebhookApiSettings } from '../src/platform/webhooks/settings.ts';
import { blueClerkWebhooks } from '../src/apis/blueclerk/webhooks/settings.ts';
import { recordBlueClerkEvent } from '../src/apis/blueclerk/records/events.ts';
import { webhookDailyUsage, webhookDeliveries } from '../src/platform/webhooks/schema.ts';
import { and, eq } from 'drizzle-orm';
import { spawn } from 'node:child_process';
import { purgeWebhookHistory } from '../src/platform/webhooks/retention.ts';
import { webhookAttempts, webhookSubscriptions } from '../src/platform/webhooks/schema.ts';
import { connectionOf } from './support/webhook-fixtures.ts';

/**
 * The delivery mechanism against a real database and a real HTTP receiver on 127.0.0.1 (hence
 * WEBHOOK_ALLOW_PRIVATE=1), with a fast retry schedule: immediately, then after 200 ms and 400 ms.
 */
let db: Database;
let receiver: WebhookReceiver;
const config: Config = loadConfig({ WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '0s,200ms,400ms', WEBHOOK_WORKERS: '0' });
const deps = () => ({ db, config });

before(async () => {
  db = await createTestDatabase();
  receiver = await WebhookReceiver.start();
});
after(async () => {
  await receiver.close();
  await db.close();
});
beforeEach(async () => {
  // Each test starts with nothing left to send by the ones before it.
  await db.orm.update(webhookDeliveries).set({ status: 'cancelled', nextAttemptAt: null }).where(sql`${webhookDeliveries.status} in ('pending','sending','quota_exceeded')`);
  receiver.receipts.length = 0;
  receiver.respond = () => ({ status: 200, body: 'ok' });
});

let n = 0;
async function companyWithWebhook(events: string[] = ['job.created', 'ticket.created'], plan = 'starter', url = receiver.url(`/hook/${++n}`)) {
  const company = await createCompany(db.orm, { name: `Smith Plumbing ${++n}`, plan });
  const subscription = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, company.id, { url, events }));
  return { companyId: company.id, subscription };
}

function ticketCreated(companyId: string, title = 'Water heater') {
  const payload = { id: `c${crypto.randomBytes(12).toString('hex')}`, title, status: 'OPEN', createdAt: new Date().toISOString() };
  return db.orm.transaction((tx) => recordBlueClerkEvent(tx, companyId, 'ticket.created', payload)).then(() => payload);
}

/** Runs delivery rounds until `done` holds (a worker loop, driven by the test). */
async function deliverUntil(done: () => Promise<boolean>, settings: WebhookApiSettings = blueClerkWebhooks, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('deliveries did not settle in time');
    if ((await deliverDueOnce(deps(), settings)) === 0) await new Promise((r) => setTimeout(r, 25));
  }
}

const statusOf = async (companyId: string) => (await deliveriesOf(db, companyId)).map((d) => d.status);

describe('fan-out: a delivery exists exactly when its event was committed', () => {
  test('a rolled-back change leaves neither event nor delivery', async () => {
    const { companyId } = await companyWithWebhook();
    await assert.rejects(
      db.orm.transaction(async (tx) => {
        await recordBlueClerkEvent(tx, companyId, 'ticket.created', { id: 'ckrolledback000000000000', title: 'x', status: 'OPEN', createdAt: new Date().toISOString() });
        throw new Error('the change failed after its event was recorded');
      }),
      /change failed/,
    );
    assert.equal((await db.orm.select().from(domainEvents).where(eq(domainEvents.companyId, companyId))).length, 0);
    assert.equal((await deliveriesOf(db, companyId)).length, 0);
  });

  test('a committed change has one pending delivery per live subscription that asked for its event, of its own company only', async () => {
    const { companyId, subscription } = await companyWithWebhook(['ticket.created']);
    const other = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, companyId, { url: receiver.url('/other'), events: ['job.created'] }));
    const gone = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, companyId, { url: receiver.url('/gone'), events: ['ticket.created'] }));
    await deleteSubscription(db, 'blueclerk', companyId, gone.id);
    const neighbour = await companyWithWebhook(['ticket.created']);

    const payload = await ticketCreated(companyId);
    const deliveries = await deliveriesOf(db, companyId);
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0]!.subscriptionId, subscription.id);
    assert.notEqual(deliveries[0]!.subscriptionId, other.id);
    assert.equal(deliveries[0]!.status, 'pending');
    assert.deepEqual(deliveries[0]!.data, payload);
    const [event] = await db.orm.select().from(domainEvents).where(eq(domainEvents.companyId, companyId));
    assert.equal(deliveries[0]!.eventId, event!.id);
    assert.equal((await deliveriesOf(db, neighbour.companyId)).length, 0);
  });
});

describe('delivery: the seed envelope, signed as the seed says and as Standard Webhooks verifies', () => {
  test('one POST with the event id, type, time, company and the payload; both signatures verify', async () => {
    const { companyId, subscription } = await companyWithWebhook();
    const payload = await ticketCreated(companyId, 'Leaking pipe');
    await deliverUntil(async () => receiver.receipts.length >= 1 && (await statusOf(companyId))[0] === 'delivered');
    assert.equal(receiver.receipts.length, 1);
    const receipt = receiver.receipts[0]!;
    const [delivery] = await deliveriesOf(db, companyId);

    const body = JSON.parse(receipt.body);
    assert.deepEqual(Object.keys(body).sort(), ['companyId', 'createdAt', 'data', 'event', 'id']);
    assert.equal(body.event, 'ticket.created');
    assert.equal(body.id, delivery!.eventId);
    assert.equal(body.companyId, companyId);
    assert.equal(body.createdAt, delivery!.eventTime.toISOString());
    assert.deepEqual(body.data, payload);
    assert.equal(receipt.headers['content-type'], 'application/json');

    // The seed's five steps, written independently of the server's code.
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(receipt.headers['x-blueclerk-signature']));
    assert.ok(match, `X-BlueClerk-Signature is t=<unix>,v1=<hex>: ${receipt.headers['x-blueclerk-signature']}`);
    const expected = crypto.createHmac('sha256', subscription.secret).update(`${match[1]}.${receipt.body}`).digest('hex');
    assert.ok(crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(match[2]!)));
    assert.ok(Math.abs(Date.now() / 1000 - Number(match[1])) < 300);

    // The Standard Webhooks reference library, fed the secret exactly as POST /webhooks returned it.
    assert.match(subscription.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(subscription.secret).verify(receipt.body, receipt.headers as Record<string, string>);
    assert.deepEqual(verified, body);
    assert.equal(receipt.headers['webhook-id'], body.id);
    assert.equal(receipt.headers['webhook-timestamp'], match[1]);

    // A tampered body or a wrong secret does not verify.
    assert.throws(() => new Webhook(subscription.secret).verify(receipt.body.replace('Leaking', 'Leaky'), receipt.headers as Record<string, string>));
    assert.throws(() => new Webhook(`whsec_${crypto.randomBytes(32).toString('base64')}`).verify(receipt.body, receipt.headers as Record<string, string>));
  });

  test('the attempt is logged: time, status, duration and the start of the response body', async () => {
    receiver.respond = () => ({ status: 202, body: 'x'.repeat(5000) });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered');
    const [delivery] = await deliveriesOf(db, companyId);
    const [attempt] = await attemptsOf(db, companyId, delivery!.id);
    assert.equal(attempt!.attempt, 1);
    assert.equal(attempt!.outcome, 'delivered');
    assert.equal(attempt!.responseStatus, 202);
    assert.equal(attempt!.responseBody, 'x'.repeat(1024));
    assert.ok(attempt!.durationMs >= 0);
    assert.equal(attempt!.error, null);
    assert.ok(delivery!.deliveredAt);
  });
});

describe('retries per WEBHOOK_RETRY_SCHEDULE, dead after the last attempt', () => {
  test('500, 500, then 200: three attempts spaced by the schedule, the same webhook-id each time, delivered', async () => {
    receiver.respond = (_r, i) => (i < 2 ? { status: 500, body: 'down' } : { status: 200 });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered');
    assert.equal(receiver.receipts.length, 3);
    assert.equal(new Set(receiver.receipts.map((r) => r.headers['webhook-id'])).size, 1);
    assert.equal(new Set(receiver.receipts.map((r) => r.body)).size, 1, 'the body is the same bytes on every attempt');
    assert.ok(receiver.receipts[1]!.at - receiver.receipts[0]!.at >= 200 - 5, 'the second attempt waits 200 ms');
    assert.ok(receiver.receipts[2]!.at - receiver.receipts[1]!.at >= 400 - 5, 'the third attempt waits 400 ms');
    const [delivery] = await deliveriesOf(db, companyId);
    assert.equal(delivery!.attempts, 3);
    const attempts = await attemptsOf(db, companyId, delivery!.id);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.outcome, a.responseStatus, a.error]), [
      [1, 'failed', 500, 'HTTP 500'],
      [2, 'failed', 500, 'HTTP 500'],
      [3, 'delivered', 200, null],
    ]);
  });

  test('failing every attempt makes the delivery dead after the last one, and nothing more is sent', async () => {
    receiver.respond = () => ({ status: 503 });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'dead');
    assert.equal(receiver.receipts.length, 3);
    const [delivery] = await deliveriesOf(db, companyId);
    assert.equal(delivery!.nextAttemptAt, null);
    assert.equal(delivery!.lastError, 'HTTP 503');
    await new Promise((r) => setTimeout(r, 500));
    await deliverDueOnce(deps(), blueClerkWebhooks);
    assert.equal(receiver.receipts.length, 3);
  });

  test('a redirect is not followed and counts as a failure', async () => {
    receiver.respond = (r) => (r.path.endsWith('/elsewhere') ? { status: 200 } : { status: 302, headers: { location: receiver.url('/elsewhere') } });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'dead');
    assert.equal(receiver.receipts.filter((r) => r.path.endsWith('/elsewhere')).length, 0);
    const [delivery] = await deliveriesOf(db, companyId);
    assert.match(delivery!.lastError!, /^HTTP 302 redirect to .*\/elsewhere not followed$/);
  });

  test('no answer within 5 seconds is a failure (timeout)', { timeout: 60_000 }, async () => {
    receiver.respond = (_r, i) => (i === 0 ? 'hang' : { status: 200 });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    const started = Date.now();
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered', blueClerkWebhooks, 30_000);
    const [delivery] = await deliveriesOf(db, companyId);
    const [first, second] = await attemptsOf(db, companyId, delivery!.id);
    assert.equal(first!.outcome, 'failed');
    assert.equal(first!.responseStatus, null);
    assert.equal(first!.error, 'timed out after 5 s');
    assert.ok(first!.durationMs >= 4900 && first!.durationMs < 6500, `took ${first!.durationMs} ms`);
    assert.equal(second!.outcome, 'delivered');
    assert.ok(Date.now() - started >= 5000);
  });
});

describe('several workers share the work through the database', () => {
  test('two nodes draining the same deliveries send each one exactly once', { timeout: 120_000 }, async () => {
    const { companyId } = await companyWithWebhook(['ticket.created']);
    const events = 40;
    for (let i = 0; i < events; i++) await ticketCreated(companyId, `Ticket ${i}`);
    const nodeB = anotherNode(db);
    try {
      const drain = async (node: Database) => {
        for (;;) {
          const claimed = await deliverDueOnce({ db: node, config }, blueClerkWebhooks, { batchSize: 3 });
          if (claimed === 0 && (await statusOf(companyId)).every((s) => s === 'delivered')) return;
          if (claimed === 0) await new Promise((r) => setTimeout(r, 10));
        }
      };
      await Promise.all([drain(db), drain(nodeB), drain(db), drain(nodeB)]);
    } finally {
      await nodeB.close();
    }
    const ids = receiver.receipts.map((r) => String(r.headers['webhook-id']));
    assert.equal(ids.length, events, 'one request per event');
    assert.equal(new Set(ids).size, events, 'no event sent twice');
  });

  test('a claim whose worker died is due again when its lease ends, and is then delivered once', async () => {
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    // A worker claims the delivery and dies before sending anything.
    const lost = await claimDueDeliveries(db, blueClerkWebhooks, { leaseMs: 600, batchSize: 10 });
    assert.equal(lost.length, 1);
    assert.deepEqual(await statusOf(companyId), ['sending']);
    // While the lease lasts, nobody else takes it.
    assert.equal(await deliverDueOnce(deps(), blueClerkWebhooks), 0);
    assert.equal(receiver.receipts.length, 0);
    await new Promise((r) => setTimeout(r, 650));
    assert.equal(await deliverDueOnce(deps(), blueClerkWebhooks), 1);
    assert.equal(receiver.receipts.length, 1);
    const [delivery] = await deliveriesOf(db, companyId);
    assert.equal(delivery!.status, 'delivered');
    assert.equal(delivery!.attempts, 1, 'the attempt cut off by the crash does not use up the schedule');
  });
});

describe('a worker killed with SIGKILL in the middle of a delivery loses nothing', () => {
  test('the delivery is made again after the lease, with the same webhook-id, and counted as one attempt', { timeout: 60_000 }, async () => {
    const { companyId } = await companyWithWebhook(['ticket.created']);
    await ticketCreated(companyId, 'Burst pipe');
    receiver.respond = (_r, i) => (i === 0 ? 'hang' : { status: 200 });

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/webhook-worker-child.ts'], {
      env: { ...process.env, WEBHOOK_TEST_DB: JSON.stringify(connectionOf(db)), WEBHOOK_TEST_LEASE_MS: '1500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // The child's request has reached the receiver, which holds it open: kill the child right there.
    await receiver.waitFor(1, 30_000);
    assert.match(output, /claimed 1/);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(!output.includes('finished'));
    assert.deepEqual(await statusOf(companyId), ['sending']);

    // Nobody takes it while the dead worker's lease lasts; afterwards the next worker delivers it.
    assert.equal(await deliverDueOnce(deps(), blueClerkWebhooks), 0);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered');
    assert.equal(receiver.receipts.length, 2);
    assert.equal(receiver.receipts[0]!.headers['webhook-id'], receiver.receipts[1]!.headers['webhook-id']);
    assert.ok(receiver.receipts[1]!.at - receiver.receipts[0]!.at >= 1000, 'not before the lease ran out');
    const [delivery] = await deliveriesOf(db, companyId);
    assert.equal(delivery!.attempts, 1);
    assert.equal((await attemptsOf(db, companyId, delivery!.id)).length, 1, 'the killed attempt left no outcome to log');
  });
});

describe('the plan’s webhook deliveries per day', () => {
  const tinyQuota: WebhookApiSettings = { ...blueClerkWebhooks, dailyQuota: { starter: 2 } };

  test('past the quota a delivery is held as quota_exceeded until the next UTC day, then sent and counted then', async () => {
    const { companyId } = await companyWithWebhook(['ticket.created']);
    for (let i = 0; i < 3; i++) await ticketCreated(companyId, `Ticket ${i}`);
    await deliverUntil(async () => !(await statusOf(companyId)).some((s) => s === 'pending' || s === 'sending'), tinyQuota);
    assert.deepEqual((await statusOf(companyId)).sort(), ['delivered', 'delivered', 'quota_exceeded']);
    assert.equal(receiver.receipts.length, 2);
    const held = (await deliveriesOf(db, companyId)).find((d) => d.status === 'quota_exceeded')!;
    assert.match(held.lastError!, /daily quota of 2 webhook deliveries reached; deferred to the next UTC day/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    assert.equal(held.nextAttemptAt!.getTime(), midnight.getTime());
    // Retries of a delivery already counted do not count again; nothing more goes out today.
    assert.equal(await deliverDueOnce(deps(), tinyQuota), 0);

    // The next day: today's counts become yesterday's and the held delivery falls due.
    await db.orm.update(webhookDailyUsage).set({ day: sql`${webhookDailyUsage.day} - 1` }).where(eq(webhookDailyUsage.companyId, companyId));
    await db.orm.update(webhookDeliveries).set({ nextAttemptAt: sql`now()` }).where(and(eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.id, held.id)));
    await deliverUntil(async () => (await statusOf(companyId)).every((s) => s === 'delivered'), tinyQuota);
    assert.equal(receiver.receipts.length, 3);
    const usage = await db.orm.select().from(webhookDailyUsage).where(eq(webhookDailyUsage.companyId, companyId)).orderBy(webhookDailyUsage.day);
    assert.deepEqual(usage.map((u) => u.deliveries), [2, 1]);
  });

  test('the seed’s quotas: Starter 2,000, Pro 7,500, Business 25,000, Enterprise 100,000; trial none', () => {
    assert.deepEqual(blueClerkWebhooks.dailyQuota, { starter: 2000, pro: 7500, business: 25000, enterprise: 100000 });
  });
});

describe('resend and test events', () => {
  test('a dead delivery can be resent: a new delivery of the same event, with a fresh schedule', async () => {
    receiver.respond = () => ({ status: 500 });
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'dead');
    const [dead] = await deliveriesOf(db, companyId);
    assert.equal(await resendDelivery(db, 'blueclerk', 'someone-else', dead!.id), null, 'another company cannot resend it');

    receiver.respond = () => ({ status: 200 });
    const resent = await resendDelivery(db, 'blueclerk', companyId, dead!.id);
    assert.ok(resent);
    await deliverUntil(async () => (await deliveriesOf(db, companyId)).find((d) => d.id === resent)?.status === 'delivered');
    assert.equal(receiver.receipts.length, 4);
    assert.equal(receiver.receipts[3]!.headers['webhook-id'], dead!.eventId);
    assert.equal((await deliveriesOf(db, companyId)).find((d) => d.id === dead!.id)!.status, 'dead', 'the dead one stays in the log');
    assert.ok(await resendDelivery(db, 'blueclerk', companyId, resent), 'a delivered delivery can be resent too');
  });

  test('a pending delivery cannot be resent (it is still being tried)', async () => {
    const { companyId } = await companyWithWebhook();
    await ticketCreated(companyId);
    const [pending] = await deliveriesOf(db, companyId);
    assert.equal(await resendDelivery(db, 'blueclerk', companyId, pending!.id), null);
  });

  test('“Send test event” delivers webhook.test to that subscription, signed like any other', async () => {
    const { companyId, subscription } = await companyWithWebhook(['invoice.paid']);
    assert.ok(await sendTestEvent(db, blueClerkWebhooks, companyId, subscription.id));
    assert.equal(await sendTestEvent(db, blueClerkWebhooks, 'someone-else', subscription.id), null);
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered');
    const receipt = receiver.receipts[0]!;
    const body = JSON.parse(receipt.body);
    assert.equal(body.event, 'webhook.test');
    assert.equal(body.data.subscriptionId, subscription.id);
    new Webhook(subscription.secret).verify(receipt.body, receipt.headers as Record<string, string>);
  });

  test('deleting a subscription cancels its waiting deliveries', async () => {
    const { companyId, subscription } = await companyWithWebhook();
    await ticketCreated(companyId);
    assert.equal(await deleteSubscription(db, 'blueclerk', companyId, subscription.id), true);
    assert.deepEqual(await statusOf(companyId), ['cancelled']);
    assert.equal(await deliverDueOnce(deps(), blueClerkWebhooks), 0);
    assert.equal(receiver.receipts.length, 0);
    assert.equal(await deleteSubscription(db, 'blueclerk', companyId, subscription.id), false);
  });
});

describe('retention', () => {
  test('finished deliveries (and their attempts) go 30 days after they finished; waiting ones and recent ones stay', async () => {
    const { companyId, subscription } = await companyWithWebhook(['ticket.created']);
    await ticketCreated(companyId, 'old');
    await deliverUntil(async () => (await statusOf(companyId))[0] === 'delivered');
    await ticketCreated(companyId, 'recent');
    await deliverUntil(async () => (await statusOf(companyId)).every((s) => s === 'delivered'));
    await ticketCreated(companyId, 'waiting');
    const [old, recent, waiting] = await deliveriesOf(db, companyId);
    const age = (id: string) => db.orm.update(webhookDeliveries).set({ updatedAt: sql`now() - interval '31 days'` }).where(and(eq(webhookDeliveries.companyId, companyId), eq(webhookDeliveries.id, id)));
    await age(old!.id);
    await age(waiting!.id);

    await purgeWebhookHistory(db.orm, 'blueclerk');
    assert.deepEqual((await deliveriesOf(db, companyId)).map((d) => d.id), [recent!.id, waiting!.id]);
    assert.equal((await attemptsOf(db, companyId, old!.id)).length, 0);
    assert.equal((await db.orm.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, old!.id))).length, 0);

    // A deleted subscription stays while it has deliveries in the log, and goes with the last of them.
    await deleteSubscription(db, 'blueclerk', companyId, subscription.id);
    await purgeWebhookHistory(db.orm, 'blueclerk');
    assert.equal((await db.orm.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.companyId, companyId))).length, 1);
    await db.orm.update(webhookDeliveries).set({ updatedAt: sql`now() - interval '31 days'` }).where(eq(webhookDeliveries.companyId, companyId));
    await purgeWebhookHistory(db.orm, 'blueclerk');
    assert.equal((await deliveriesOf(db, companyId)).length, 0);
    assert.equal((await db.orm.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.companyId, companyId))).length, 0);
  });
});
