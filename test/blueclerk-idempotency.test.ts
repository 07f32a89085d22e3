import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { REDIRECT_URI } from './support/oauth-fixtures.ts';
import { accessToken, ALL_SCOPES, api, apiWorld, asContractor, type ApiWorld } from './support/blueclerk-fixtures.ts';
import { createContact, updateTicket } from '../src/apis/blueclerk/records/index.ts';
import { registerClient } from '../src/platform/oauth/clients.ts';
import { blueClerkOAuth } from '../src/apis/blueclerk/oauth.ts';
import { BackgroundWork } from '../src/platform/background.ts';
import { buildServer } from '../src/platform/http/server.ts';
import { apis } from '../src/apis/index.ts';
import { scheduleIdempotencyPurge } from '../src/platform/idempotency/idempotency.ts';

let t: TestApp;
let world: ApiWorld;

before(async () => {
  t = await startTestApp();
  world = await apiWorld(t);
  // Holds a ticket titled "slow" inside its transaction, so a duplicate can arrive while it runs.
  await t.ctx.db.pool.query(`CREATE FUNCTION test_slow_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.title LIKE 'slow%' THEN PERFORM pg_sleep(0.8); END IF; RETURN NEW; END $$`);
  await t.ctx.db.pool.query(`CREATE TRIGGER test_slow_ticket BEFORE INSERT ON bc_tickets FOR EACH ROW EXECUTE FUNCTION test_slow_ticket()`);
});
after(() => t.close());

const newKey = () => crypto.randomUUID();

async function ticketsTitled(title: string): Promise<number> {
  const { rows } = await t.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bc_tickets WHERE title = $1', [title]);
  return rows[0]!.n;
}

function post(path: string, body: unknown, key: string | undefined, token = world.token) {
  return api(t, 'POST', path, { token, body, headers: key ? { 'idempotency-key': key } : {} });
}

describe('Idempotency-Key', () => {
  test('the same key and payload replays the stored status and body, with Idempotent-Replayed: true, and creates nothing', async () => {
    const key = newKey();
    const lead = { businessName: 'Replay Plumbing', email: 'replay@example.com' };
    const first = await post('/leads', lead, key);
    const second = await post('/leads', lead, key);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body, 'byte-identical');
    assert.equal(await ticketsTitled('Replay Plumbing'), 1);
  });

  test('key order in the JSON body does not make it a different request', async () => {
    const key = newKey();
    const first = await api(t, 'POST', '/tickets', { token: world.token, body: '{"title":"Order A","email":"a@example.com"}', headers: { 'idempotency-key': key } });
    const second = await api(t, 'POST', '/tickets', { token: world.token, body: '{"email":"a@example.com","title":"Order A"}', headers: { 'idempotency-key': key } });
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
  });

  test('a PATCH replay answers what the first PATCH answered and does not apply it again', async () => {
    const ticket = (await post('/tickets', { title: 'Patch me' }, undefined)).json();
    const key = newKey();
    const first = await api(t, 'PATCH', `/tickets/${ticket.id}`, { token: world.token, body: { status: 'IN_PROGRESS' }, headers: { 'idempotency-key': key } });
    assert.equal(first.statusCode, 200);
    // The contractor closes it meanwhile; a retried PATCH must not reopen it.
    await asContractor(t, (tx) => updateTicket(tx, world.paid.id, ticket.id, { status: 'CLOSED' }));
    const retry = await api(t, 'PATCH', `/tickets/${ticket.id}`, { token: world.token, body: { status: 'IN_PROGRESS' }, headers: { 'idempotency-key': key } });
    assert.equal(retry.statusCode, 200);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    assert.equal((await api(t, 'GET', `/tickets/${ticket.id}`, { token: world.token })).json().status, 'CLOSED');
  });

  test('the same key with a different payload answers 409 conflict and creates nothing', async () => {
    const key = newKey();
    assert.equal((await post('/tickets', { title: 'Original payload' }, key)).statusCode, 201);
    const other = await post('/tickets', { title: 'Different payload' }, key);
    assert.equal(other.statusCode, 409, other.body);
    assert.equal(other.json().error, 'conflict');
    assert.equal(typeof other.json().message, 'string');
    assert.equal(await ticketsTitled('Different payload'), 0);
    // The same key on another endpoint is a different request too.
    assert.equal((await post('/leads', { businessName: 'Original payload', email: 'x@example.com' }, key)).statusCode, 409);
  });

  test('a duplicate arriving while the first is still running answers 409 conflict, and only one row is created', async () => {
    const key = newKey();
    const body = { title: 'slow duplicate' };
    // Sent together; whichever reaches the key first runs (held 0.8 s by the trigger), the other is the duplicate.
    const answers = await Promise.all([post('/tickets', body, key), post('/tickets', body, key)]);
    const [first, duplicate] = [...answers].sort((a, b) => a.statusCode - b.statusCode) as [(typeof answers)[0], (typeof answers)[0]];
    assert.deepEqual([first.statusCode, duplicate.statusCode], [201, 409], `${first.body} / ${duplicate.body}`);
    assert.equal(duplicate.json().error, 'conflict');
    assert.match(duplicate.json().message, /still being processed/);
    assert.equal(await ticketsTitled('slow duplicate'), 1);
    // Once it finished, the duplicate is a replay.
    const later = await post('/tickets', body, key);
    assert.equal(later.statusCode, 201);
    assert.equal(later.headers['idempotent-replayed'], 'true');
  });

  test('a duplicate sent to another node sharing the database while the first runs never creates a second row', async () => {
    const background = new BackgroundWork();
    const { app: node2 } = await buildServer({ config: t.ctx.config, db: t.ctx.db, background }, apis);
    await node2.ready();
    try {
      const key = newKey();
      const body = { title: 'slow on two nodes' };
      const first = post('/tickets', body, key);
      await sleep(300);
      const duplicate = await node2.inject({
        method: 'POST',
        url: '/blueclerk/api/v1/tickets',
        headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json', 'idempotency-key': key },
        payload: JSON.stringify(body),
      });
      assert.equal((await first).statusCode, 201);
      if (t.ctx.db.kind === 'server') {
        // PostgreSQL: the first request's claim is committed and still running.
        assert.equal(duplicate.statusCode, 409, duplicate.body);
        assert.equal(duplicate.json().error, 'conflict');
      } else {
        // The embedded database runs one transaction at a time: the duplicate waits and replays.
        assert.equal(duplicate.statusCode, 201, duplicate.body);
        assert.equal(duplicate.headers['idempotent-replayed'], 'true');
      }
      assert.equal(await ticketsTitled('slow on two nodes'), 1);
    } finally {
      await node2.close();
      await background.stop();
    }
  });

  test('keys are scoped to the company and the app: the same key elsewhere is a new request', async () => {
    const key = newKey();
    const body = { title: 'Scoped key' };
    assert.equal((await post('/tickets', body, key)).statusCode, 201);
    const otherCompany = await post('/tickets', body, key, world.otherToken);
    assert.equal(otherCompany.statusCode, 201);
    assert.equal(otherCompany.headers['idempotent-replayed'], undefined);
    const secondApp = await registerClient(t.ctx.db.orm, blueClerkOAuth, world.owner.id, {
      name: 'Second integration',
      redirectUris: [REDIRECT_URI],
      scopes: ALL_SCOPES,
      contactEmail: 'dev@second.example',
    });
    const secondToken = await accessToken(t, { ...world, app: { id: secondApp.client.id, clientId: secondApp.clientId, clientSecret: secondApp.clientSecret } }, world.paid.id, ['tickets:write']);
    const otherApp = await post('/tickets', body, key, secondToken);
    assert.equal(otherApp.statusCode, 201);
    assert.equal(otherApp.headers['idempotent-replayed'], undefined);
    assert.equal(await ticketsTitled('Scoped key'), 3);
    // A second token of the same app and company shares the key.
    const sameApp = await post('/tickets', body, key, await accessToken(t, world, world.paid.id, ['tickets:write']));
    assert.equal(sameApp.headers['idempotent-replayed'], 'true');
  });

  test('validation failures are not stored: the client fixes the request and retries with the same key', async () => {
    const key = newKey();
    const theirContact = await asContractor(t, (tx) => createContact(tx, world.otherPaid.id, { type: 'BUILDER', name: 'Not yours' }));
    assert.equal((await post('/tickets', { title: '' }, key)).statusCode, 400);
    assert.equal((await post('/tickets', { title: 'Fixed', contactId: theirContact.id }, key)).statusCode, 400);
    const fixed = await post('/tickets', { title: 'Fixed' }, key);
    assert.equal(fixed.statusCode, 201, fixed.body);
    assert.equal(fixed.headers['idempotent-replayed'], undefined);
    assert.equal((await post('/leads', { email: 'nobody@example.com' }, newKey())).statusCode, 400);
  });

  test('an Idempotency-Key that is not 1 to 255 printable ASCII characters answers 400 naming it', async () => {
    for (const key of ['x'.repeat(256), 'has space']) {
      const res = await post('/tickets', { title: 'Bad key' }, key);
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json().details.map((d: { field: string }) => d.field), ['Idempotency-Key']);
    }
    assert.equal(await ticketsTitled('Bad key'), 0);
  });

  test('without a key every POST creates', async () => {
    await post('/tickets', { title: 'No key' }, undefined);
    await post('/tickets', { title: 'No key' }, undefined);
    assert.equal(await ticketsTitled('No key'), 2);
  });

  test('after 24 hours a key acts anew, and the background purge deletes expired keys', async () => {
    const key = newKey();
    await post('/tickets', { title: 'Expiring key' }, key);
    await t.ctx.db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const again = await post('/tickets', { title: 'Expiring key' }, key);
    assert.equal(again.headers['idempotent-replayed'], undefined);
    assert.equal(await ticketsTitled('Expiring key'), 2);

    await t.ctx.db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const background = new BackgroundWork();
    scheduleIdempotencyPurge({ ...t.ctx, background }, 50);
    try {
      for (let i = 0; i < 100; i++) {
        const { rows } = await t.ctx.db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key]);
        if (rows.length === 0) break;
        await sleep(20);
      }
      const { rows } = await t.ctx.db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key]);
      assert.equal(rows.length, 0, 'the expired key was purged');
    } finally {
      await background.stop();
    }
  });
});
