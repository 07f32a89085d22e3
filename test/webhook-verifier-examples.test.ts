import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { createTestDatabase } from './support/test-database.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import { deliveriesOf } from './support/webhook-fixtures.ts';
import type { Database } from '../src/platform/db/database.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import { createSubscription } from '../src/platform/webhooks/subscriptions.ts';
import { deliverDueOnce } from '../src/platform/webhooks/worker.ts';
import { webhookSubscriptions } from '../src/platform/webhooks/schema.ts';
import { blueClerkWebhooks } from '../src/apis/blueclerk/webhooks/settings.ts';
import { recordBlueClerkEvent } from '../src/apis/blueclerk/records/events.ts';
import * as jsVerifier from '../examples/webhook-verifier.js';
import * as tsVerifier from '../examples/webhook-verifier.ts';

/**
 * examples/webhook-verifier.{js,ts}, written from the seed's five verification steps, run as printed
 * in their headers and fed real deliveries from the server's workers.
 */
let db: Database;
const config = loadConfig({ WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '0s,200ms' });
const children: ChildProcess[] = [];

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  for (const child of children) child.kill();
  await db.close();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function deliverOne(companyId: string) {
  const payload = { id: `c${crypto.randomBytes(12).toString('hex')}`, title: 'Water heater', status: 'OPEN', createdAt: new Date().toISOString() };
  await db.orm.transaction((tx) => recordBlueClerkEvent(tx, companyId, 'ticket.created', payload));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const delivery = (await deliveriesOf(db, companyId)).find((d) => (d.data as { id: string }).id === payload.id);
    if (delivery && (delivery.status === 'delivered' || delivery.status === 'dead')) return { delivery, payload };
    if (Date.now() > deadline) throw new Error('delivery did not settle');
    if ((await deliverDueOnce({ db, config }, blueClerkWebhooks)) === 0) await new Promise((r) => setTimeout(r, 25));
  }
}

for (const [file, command] of [
  ['examples/webhook-verifier.js', [process.execPath, 'examples/webhook-verifier.js']],
  ['examples/webhook-verifier.ts', [process.execPath, '--import', 'tsx', 'examples/webhook-verifier.ts']],
] as const) {
  describe(file, () => {
    test('run as printed, it accepts a real delivery (204) and shows the event; with another secret it answers 401', { timeout: 60_000 }, async () => {
      const company = await createCompany(db.orm, { name: `Verifier ${file}`, plan: 'starter' });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const subscription = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, company.id, { url, events: ['ticket.created'] }));

      const child = spawn(command[0], command.slice(1), { env: { ...process.env, BLUECLERK_WEBHOOK_SECRET: subscription.secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 20_000;
      while (!output.includes('Verifying BlueClerk webhooks')) {
        if (Date.now() > deadline) throw new Error(`${file} did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }

      const { delivery, payload } = await deliverOne(company.id);
      assert.equal(delivery.status, 'delivered', delivery.lastError ?? '');
      assert.equal(delivery.lastResponseStatus, 204);
      while (!output.includes(payload.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(output, new RegExp(`ticket\\.created c[a-z0-9]{24}`));

      // The same endpoint for a subscription whose secret it does not know: every attempt is refused.
      await db.orm.update(webhookSubscriptions).set({ secret: `whsec_${crypto.randomBytes(32).toString('base64')}` }).where(eq(webhookSubscriptions.companyId, company.id));
      const rejected = await deliverOne(company.id);
      assert.equal(rejected.delivery.status, 'dead');
      assert.equal(rejected.delivery.lastResponseStatus, 401);
      child.kill();
    });
  });
}

describe('the five steps, checked on a real delivery', () => {
  test('both verifiers accept the delivery as sent and reject a changed body, a wrong secret, a stale timestamp and a malformed header', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const company = await createCompany(db.orm, { name: 'Verifier steps', plan: 'starter' });
      const subscription = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, company.id, { url: receiver.url(), events: ['ticket.created'] }));
      await deliverOne(company.id);
      const receipt = receiver.receipts[0]!;
      const header = String(receipt.headers['x-blueclerk-signature']);
      const t = Number(/t=(\d+)/.exec(header)![1]);
      for (const verify of [jsVerifier.verifyBlueClerkSignature, tsVerifier.verifyBlueClerkSignature]) {
        assert.equal(verify(receipt.body, header, subscription.secret), null);
        assert.equal(verify(`${receipt.body} `, header, subscription.secret), 'signature does not match');
        assert.equal(verify(receipt.body, header, `whsec_${crypto.randomBytes(32).toString('base64')}`), 'signature does not match');
        assert.equal(verify(receipt.body, header, subscription.secret, t + 301), 'timestamp outside the 5-minute tolerance');
        assert.equal(verify(receipt.body, header, subscription.secret, t + 299), null);
        assert.equal(verify(receipt.body, undefined, subscription.secret), 'missing X-BlueClerk-Signature header');
        assert.equal(verify(receipt.body, 't=abc,v1=zz', subscription.secret), 'malformed X-BlueClerk-Signature header');
      }
    } finally {
      await receiver.close();
    }
  });
});
