import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { accessToken, api, apiWorld, asContractor, type ApiWorld } from './support/blueclerk-fixtures.ts';
import { hiddenFields, mergeCookies, sessionCookieFor } from './support/oauth-fixtures.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import { deliveriesOf, eventually } from './support/webhook-fixtures.ts';
import { createJob, createProperty } from '../src/apis/blueclerk/records/index.ts';
import { addMembership, createPerson } from '../src/platform/tenancy/tenancy.ts';

/**
 * BlueClerk's webhook endpoints (seed "Webhooks", spec 4.9, 6, R-10), the delivery log extension and the
 * console page, on the whole server with its own delivery workers (WEBHOOK_WORKERS=1) and a real
 * receiver on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE=1).
 */
let t: TestApp;
let world: ApiWorld;
let receiver: WebhookReceiver;

before(async () => {
  t = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '0s,200ms,400ms', WEBHOOK_WORKERS: '1' } });
  world = await apiWorld(t);
  receiver = await WebhookReceiver.start();
});
after(async () => {
  await t.close();
  await receiver.close();
});

function assertError(res: { statusCode: number; body: string; json(): unknown }, status: number, error: string, field?: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: string; message: string; details?: { field: string }[] };
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
  if (field) assert.ok(body.details?.some((d) => d.field === field), `details name ${field}: ${res.body}`);
}

const subscribe = (token: string, body: unknown, headers: Record<string, string> = {}) => api(t, 'POST', '/webhooks', { token, body, headers });

describe('POST /webhooks', () => {
  test('201 with id, url, events, createdAt and the secret (whsec_...), which is shown only here', async () => {
    const res = await subscribe(world.token, { url: 'https://yourapp.com/webhooks/blueclerk', events: ['job.created', 'job.status_changed', 'invoice.paid'] });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    assert.match(created.id, /^c[a-z0-9]{24}$/);
    assert.equal(created.url, 'https://yourapp.com/webhooks/blueclerk');
    assert.deepEqual(created.events, ['job.created', 'job.status_changed', 'invoice.paid']);
    assert.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);

    const list = await api(t, 'GET', '/webhooks', { token: world.token });
    assert.equal(list.statusCode, 200);
    const listed = list.json().data.find((w: { id: string }) => w.id === created.id);
    assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'events', 'id', 'updatedAt', 'url']);
    assert.ok(!list.body.includes(created.secret));
    assert.equal(list.json().hasMore, false);
    assert.equal(list.json().nextCursor, null);
  });

  test('the same Idempotency-Key returns the first response (same secret) and creates nothing more', async () => {
    const key = crypto.randomUUID();
    const body = { url: 'https://yourapp.com/idempotent', events: ['ticket.created'] };
    const first = await subscribe(world.token, body, { 'idempotency-key': key });
    const again = await subscribe(world.token, body, { 'idempotency-key': key });
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    const all = (await api(t, 'GET', '/webhooks?limit=100', { token: world.token })).json().data;
    assert.equal(all.filter((w: { url: string }) => w.url === 'https://yourapp.com/idempotent').length, 1);
  });

  test('400 invalid_request naming the field: missing or non-https url, unknown or no events', async () => {
    assertError(await subscribe(world.token, { events: ['job.created'] }), 400, 'invalid_request', 'url');
    assertError(await subscribe(world.token, { url: 'yourapp.com/hook', events: ['job.created'] }), 400, 'invalid_request', 'url');
    assertError(await subscribe(world.token, { url: 'ftp://yourapp.com/hook', events: ['job.created'] }), 400, 'invalid_request', 'url');
    assertError(await subscribe(world.token, { url: 'https://yourapp.com/hook', events: [] }), 400, 'invalid_request', 'events');
    assertError(await subscribe(world.token, { url: 'https://yourapp.com/hook', events: ['job.created', 'job.deleted'] }), 400, 'invalid_request', 'events[1]');
    assertError(await subscribe(world.token, { url: 'https://yourapp.com/hook', events: [{ name: 'job.created' }] }), 400, 'invalid_request');
    assertError(await subscribe(world.token, '{"url": '), 400, 'invalid_request');
  });

  test('the scope webhooks:manage is required', async () => {
    const narrow = await accessToken(t, world, world.paid.id, ['jobs:read']);
    assertError(await subscribe(narrow, { url: 'https://yourapp.com/hook', events: ['job.created'] }), 403, 'insufficient_scope');
    assertError(await api(t, 'GET', '/webhooks', { token: narrow }), 403, 'insufficient_scope');
    assertError(await api(t, 'GET', '/webhooks', { token: 'bc_at_nonsense' }), 401, 'invalid_token');
  });
});

describe('GET /webhooks, DELETE /webhooks/:id: the company’s own only', () => {
  test('another company’s webhooks are not listed, and cannot be deleted or read (404)', async () => {
    const theirs = (await subscribe(world.otherToken, { url: 'https://jones.example/hook', events: ['job.created'] })).json();
    const mine = (await api(t, 'GET', '/webhooks?limit=100', { token: world.token })).json().data;
    assert.ok(!mine.some((w: { id: string }) => w.id === theirs.id));
    assertError(await api(t, 'DELETE', `/webhooks/${theirs.id}`, { token: world.token }), 404, 'not_found');
    assertError(await api(t, 'GET', `/webhooks/${theirs.id}/deliveries`, { token: world.token }), 404, 'not_found');
    assert.equal((await api(t, 'GET', `/webhooks/${theirs.id}/deliveries`, { token: world.otherToken })).statusCode, 200);
  });

  test('DELETE answers 204 with no body, then the webhook is gone (404 again)', async () => {
    const created = (await subscribe(world.token, { url: 'https://yourapp.com/delete-me', events: ['job.created'] })).json();
    const res = await api(t, 'DELETE', `/webhooks/${created.id}`, { token: world.token });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assertError(await api(t, 'DELETE', `/webhooks/${created.id}`, { token: world.token }), 404, 'not_found');
    const listed = (await api(t, 'GET', '/webhooks?limit=100', { token: world.token })).json().data;
    assert.ok(!listed.some((w: { id: string }) => w.id === created.id));
  });

  test('pages with limit and cursor, newest first', async () => {
    const token = await accessToken(t, { ...world, owner: world.stranger }, world.otherPaid.id, ['webhooks:manage']);
    for (let i = 0; i < 3; i++) await subscribe(token, { url: `https://jones.example/page/${i}`, events: ['job.created'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(t, 'GET', `/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      assert.equal(res.statusCode, 200, res.body);
      seen.push(...res.json().data.map((w: { url: string }) => w.url));
      cursor = res.json().nextCursor;
    } while (cursor);
    assert.deepEqual(seen.filter((u) => u.includes('/page/')), ['https://jones.example/page/2', 'https://jones.example/page/1', 'https://jones.example/page/0']);
    assertError(await api(t, 'GET', '/webhooks?cursor=garbage!', { token }), 400, 'invalid_request', 'cursor');
  });
});

describe('end to end: a change in BlueClerk reaches the subscriber through the server’s own workers', () => {
  test('job.created is delivered, signed, and shows in GET /webhooks/:id/deliveries with its attempt', async () => {
    receiver.respond = () => ({ status: 200, body: 'thanks' });
    const created = (await subscribe(world.token, { url: receiver.url('/e2e'), events: ['job.created'] })).json();
    const job = await asContractor(t, async (tx) => {
      const property = await createProperty(tx, world.paid.id, { address: '1 Delivery Lane' });
      return createJob(tx, world.paid.id, { title: 'Replace water heater', propertyId: property.id });
    });
    await receiver.waitFor(1);
    const receipt = receiver.receipts.find((r) => r.path === '/e2e')!;
    const body = JSON.parse(receipt.body);
    assert.equal(body.event, 'job.created');
    assert.deepEqual(body.data, { id: job.id, title: 'Replace water heater', status: 'SCHEDULED', propertyId: job.propertyId, createdAt: job.createdAt });
    new Webhook(created.secret).verify(receipt.body, receipt.headers as Record<string, string>);

    const log = await eventually(async () => {
      const res = await api(t, 'GET', `/webhooks/${created.id}/deliveries`, { token: world.token });
      const page = res.json() as { data: Record<string, any>[]; hasMore: boolean };
      return page.data[0]?.status === 'delivered' ? page : undefined;
    }, 10_000, 'the delivery to be recorded');
    const [delivery] = log.data;
    assert.equal(delivery.event, 'job.created');
    assert.equal(delivery.eventId, body.id);
    assert.equal(delivery.attemptCount, 1);
    assert.equal(delivery.subscriptionId, created.id);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].responseStatus, 200);
    assert.equal(delivery.attempts[0].responseBody, 'thanks');
    assert.equal(delivery.attempts[0].outcome, 'delivered');
    assert.equal(typeof delivery.attempts[0].durationMs, 'number');
    assert.equal(log.hasMore, false);

    const dead = await api(t, 'GET', `/webhooks/${created.id}/deliveries?status=dead`, { token: world.token });
    assert.deepEqual(dead.json().data, []);
    assertError(await api(t, 'GET', `/webhooks/${created.id}/deliveries?status=lost`, { token: world.token }), 400, 'invalid_request', 'status');
  });

  test('a receiver that keeps failing: dead after the schedule, visible in the log with every attempt', async () => {
    receiver.respond = (r) => (r.path === '/down' ? { status: 500, body: 'database down' } : { status: 200 });
    const created = (await subscribe(world.token, { url: receiver.url('/down'), events: ['property.created'] })).json();
    await asContractor(t, (tx) => createProperty(tx, world.paid.id, { address: '2 Failure Road' }));
    const delivery = await eventually(async () => {
      const res = await api(t, 'GET', `/webhooks/${created.id}/deliveries?status=dead`, { token: world.token });
      return res.json().data[0];
    }, 15_000, 'the delivery to die');
    assert.equal(delivery.attemptCount, 3);
    assert.deepEqual(delivery.attempts.map((a: { attempt: number; responseStatus: number; error: string }) => [a.attempt, a.responseStatus, a.error]), [
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 500, 'HTTP 500'],
    ]);
    assert.equal(delivery.attempts[0].responseBody, 'database down');
    assert.equal(delivery.nextAttemptAt, null);
  });
});

describe('the OpenAPI document', () => {
  test('documents the three seed endpoints and the deliveries extension with its schema', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/blueclerk/api/openapi.json' })).json();
    assert.ok(doc.paths['/webhooks'].post);
    assert.ok(doc.paths['/webhooks'].get);
    assert.ok(doc.paths['/webhooks/{id}'].delete);
    const deliveries = doc.paths['/webhooks/{id}/deliveries'].get;
    assert.equal(deliveries.operationId, 'listWebhookDeliveries');
    assert.deepEqual(deliveries.security, [{ oauth2: ['webhooks:manage'] }]);
    assert.ok(doc.components.schemas.WebhookDelivery.properties.attempts);
    assert.ok(doc.components.schemas.WebhookAttempt.properties.responseBody);
    const created = doc.paths['/webhooks'].post.responses['201'].content['application/json'].schema;
    assert.ok(created.properties.secret, 'the creation response documents the secret');
    assert.equal(doc.paths['/webhooks'].get.responses['200'].content['application/json'].schema.properties.data.items.$ref, '#/components/schemas/Webhook');
    assert.ok(!doc.components.schemas.Webhook.properties.secret, 'the listed webhook has no secret');
  });
});

describe('the console page', () => {
  test('owners see the webhooks, their deliveries and the dead ones; Resend and Send test event work with the CSRF token', async () => {
    receiver.respond = (r) => (r.path === '/console' ? { status: 500 } : { status: 200 });
    const created = (await subscribe(world.token, { url: receiver.url('/console'), events: ['ticket.created'] })).json();
    await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'Dripping tap' } });
    await eventually(async () => (await deliveriesOf(t.ctx.db, world.paid.id)).find((d) => d.subscriptionId === created.id && d.status === 'dead'), 15_000, 'a dead delivery');

    let cookie = await sessionCookieFor(t, world.owner);
    const page = await t.app.inject({ method: 'GET', url: `/blueclerk/console/webhooks/${world.paid.id}`, headers: { cookie } });
    assert.equal(page.statusCode, 200, page.body);
    cookie = mergeCookies(cookie, page.headers['set-cookie']);
    assert.ok(page.body.includes(receiver.url('/console')));
    assert.match(page.body, /Deliveries today \(UTC\)/);
    assert.match(page.body, /of 2000/);
    const dead = (await deliveriesOf(t.ctx.db, world.paid.id)).find((d) => d.subscriptionId === created.id && d.status === 'dead')!;
    assert.ok(page.body.includes(`data-delivery="${dead.id}" data-status="dead"`));
    const csrf = hiddenFields(page.body)._csrf!;

    // Resend without the CSRF token is refused; with it, a new delivery is queued and delivered.
    const refused = await t.app.inject({ method: 'POST', url: `/blueclerk/console/webhooks/${world.paid.id}/deliveries/${dead.id}/resend`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    assert.equal(refused.statusCode, 403);
    receiver.respond = () => ({ status: 200 });
    const resend = await t.app.inject({
      method: 'POST',
      url: `/blueclerk/console/webhooks/${world.paid.id}/deliveries/${dead.id}/resend`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    assert.equal(resend.statusCode, 303, resend.body);
    assert.equal(resend.headers.location, `/blueclerk/console/webhooks/${world.paid.id}?notice=resent`);
    await eventually(async () => (await deliveriesOf(t.ctx.db, world.paid.id)).find((d) => d.subscriptionId === created.id && d.id !== dead.id && d.status === 'delivered'), 10_000, 'the resent delivery');

    const test = await t.app.inject({
      method: 'POST',
      url: `/blueclerk/console/webhooks/${world.paid.id}/subscriptions/${created.id}/test`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    assert.equal(test.statusCode, 303, test.body);
    await eventually(async () => receiver.receipts.find((r) => r.path === '/console' && JSON.parse(r.body).event === 'webhook.test'), 10_000, 'the test event');
  });

  test('people who do not manage the company get 404, for the page and the forms', async () => {
    const strangerCookie = await sessionCookieFor(t, world.stranger);
    const page = await t.app.inject({ method: 'GET', url: `/blueclerk/console/webhooks/${world.paid.id}`, headers: { cookie: strangerCookie } });
    assert.equal(page.statusCode, 404);
    const member = await createPerson(t.ctx.db.orm, { email: `member-${crypto.randomUUID()}@example.com`, password: 'correct horse battery staple', name: 'Member' });
    await addMembership(t.ctx.db.orm, { companyId: world.paid.id, personId: member.id, role: 'member' });
    const memberPage = await t.app.inject({ method: 'GET', url: `/blueclerk/console/webhooks/${world.paid.id}`, headers: { cookie: await sessionCookieFor(t, member) } });
    assert.equal(memberPage.statusCode, 404);

    // A stranger with a valid CSRF token of their own still cannot act on another company's deliveries.
    let cookie = strangerCookie;
    const index = await t.app.inject({ method: 'GET', url: '/blueclerk/console/webhooks', headers: { cookie } });
    assert.equal(index.statusCode, 200);
    assert.ok(!index.body.includes(world.paid.id));
    cookie = mergeCookies(cookie, index.headers['set-cookie']);
    const [delivery] = await deliveriesOf(t.ctx.db, world.paid.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `/blueclerk/console/webhooks/${world.paid.id}/deliveries/${delivery!.id}/resend`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: hiddenFields(index.body)._csrf! }).toString(),
    });
    assert.equal(res.statusCode, 404);

    const anonymous = await t.app.inject({ method: 'GET', url: `/blueclerk/console/webhooks/${world.paid.id}` });
    assert.equal(anonymous.statusCode, 303);
  });
});
