import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { accessToken, api, apiWorld, asContractor, type ApiWorld } from './support/blueclerk-fixtures.ts';
import {
  createContact,
  createEstimate,
  createInvoice,
  createJob,
  createProperty,
  createTicket,
  type Contact,
  type Estimate,
  type Invoice,
  type Job,
  type Property,
  type Ticket,
} from '../src/apis/blueclerk/records/index.ts';

let t: TestApp;
let world: ApiWorld;

interface Records {
  contact: Contact;
  property: Property;
  ticket: Ticket;
  job: Job;
  estimate: Estimate;
  invoice: Invoice;
}

/** One of each record, made by the contractor's side for a company. */
async function recordsOf(companyId: string): Promise<Records> {
  return asContractor(t, async (tx) => {
    const contact = await createContact(tx, companyId, { type: 'HOMEOWNER', name: 'Maria Garcia', email: 'maria@example.com', address: '123 Main St, Austin, TX 78701' });
    const property = await createProperty(tx, companyId, { address: '123 Main St, Austin, TX 78701', contactId: contact.id });
    const ticket = await createTicket(tx, companyId, { title: 'Water heater leaking', contactId: contact.id, propertyId: property.id }, 'console');
    const job = await createJob(tx, companyId, { title: 'Replace water heater', propertyId: property.id, ticketId: ticket.id, scheduledAt: '2026-05-12T15:00:00Z' });
    const estimate = await createEstimate(tx, companyId, { totalAmount: '1890.00', jobId: job.id, propertyId: property.id });
    const invoice = await createInvoice(tx, companyId, { totalAmount: '1890', jobId: job.id });
    return { contact, property, ticket: { ...ticket, jobId: job.id }, job, estimate, invoice };
  });
}

let mine: Records;
let theirs: Records;

before(async () => {
  t = await startTestApp();
  world = await apiWorld(t);
  mine = await recordsOf(world.paid.id);
  theirs = await recordsOf(world.otherPaid.id);
});
after(() => t.close());

function assertError(res: { statusCode: number; body: string; json(): unknown }, status: number, error: string, field?: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: string; message: string; details?: { field: string }[] };
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
  assert.doesNotMatch(res.body, /at .*\.ts:\d+|stack/);
  if (field) assert.ok(body.details?.some((d) => d.field === field), `details name ${field}: ${res.body}`);
}

const READ_ENDPOINTS = [
  { path: '/tickets', scope: 'tickets:read', key: 'ticket' },
  { path: '/jobs', scope: 'jobs:read', key: 'job' },
  { path: '/properties', scope: 'properties:read', key: 'property' },
  { path: '/estimates', scope: 'estimates:read', key: 'estimate' },
  { path: '/invoices', scope: 'invoices:read', key: 'invoice' },
  { path: '/contacts', scope: 'contacts:read', key: 'contact' },
] as const;

describe('read endpoints', () => {
  for (const endpoint of READ_ENDPOINTS) {
    test(`GET ${endpoint.path} lists the company’s records in the seed’s envelope, and never another company’s`, async () => {
      const res = await api(t, 'GET', endpoint.path, { token: world.token });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['data', 'hasMore', 'nextCursor']);
      assert.deepEqual(body.data, [mine[endpoint.key]]);
      assert.equal(body.hasMore, false);
      assert.equal(body.nextCursor, null);
    });

    test(`GET ${endpoint.path}/:id returns the record bare; another company’s id and an unknown id answer 404 not_found`, async () => {
      const own = await api(t, 'GET', `${endpoint.path}/${mine[endpoint.key].id}`, { token: world.token });
      assert.equal(own.statusCode, 200, own.body);
      assert.deepEqual(own.json(), mine[endpoint.key]);
      assertError(await api(t, 'GET', `${endpoint.path}/${theirs[endpoint.key].id}`, { token: world.token }), 404, 'not_found');
      assertError(await api(t, 'GET', `${endpoint.path}/cnosuchrecord000000000000`, { token: world.token }), 404, 'not_found');
      // An id longer than the router's default parameter limit (100) still reaches the API, which answers
      // in its own dialect (ids are at most 64 characters) rather than with fastify's 414.
      assertError(await api(t, 'GET', `${endpoint.path}/${'x'.repeat(300)}`, { token: world.token }), 400, 'invalid_request');
      // The other company sees its own record under the same path.
      const other = await api(t, 'GET', `${endpoint.path}/${theirs[endpoint.key].id}`, { token: world.otherToken });
      assert.deepEqual(other.json(), theirs[endpoint.key]);
    });

    test(`GET ${endpoint.path} and ${endpoint.path}/:id need the scope ${endpoint.scope}`, async () => {
      const token = await accessToken(t, world, world.paid.id, ['leads:write']);
      const list = await api(t, 'GET', endpoint.path, { token });
      assertError(list, 403, 'insufficient_scope');
      assert.match(String(list.headers['www-authenticate']), new RegExp(`scope="${endpoint.scope}"`));
      assertError(await api(t, 'GET', `${endpoint.path}/${mine[endpoint.key].id}`, { token }), 403, 'insufficient_scope');
      const scoped = await accessToken(t, world, world.paid.id, [endpoint.scope]);
      assert.equal((await api(t, 'GET', endpoint.path, { token: scoped })).statusCode, 200);
    });
  }

  test('records follow the field conventions: CUID ids, ISO 8601 UTC timestamps ending in Z, money as decimal strings', async () => {
    const estimate = (await api(t, 'GET', `/estimates/${mine.estimate.id}`, { token: world.token })).json();
    const invoice = (await api(t, 'GET', `/invoices/${mine.invoice.id}`, { token: world.token })).json();
    const job = (await api(t, 'GET', `/jobs/${mine.job.id}`, { token: world.token })).json();
    assert.match(estimate.id, /^c[a-z0-9]{24}$/);
    assert.equal(estimate.totalAmount, '1890.00');
    assert.equal(invoice.amountPaid, '0.00');
    assert.equal(job.scheduledAt, '2026-05-12T15:00:00.000Z');
    for (const value of [estimate.createdAt, invoice.updatedAt, job.createdAt]) assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof invoice.totalAmount, 'string');
  });

  test('a job carries every field its webhook payloads name (id, title, status, propertyId, createdAt)', async () => {
    const job = (await api(t, 'GET', `/jobs/${mine.job.id}`, { token: world.token })).json();
    for (const field of ['id', 'title', 'status', 'propertyId', 'createdAt', 'updatedAt', 'ticketId', 'scheduledAt', 'completedAt']) assert.ok(field in job, field);
    assert.equal(job.propertyId, mine.property.id);
    assert.equal(job.ticketId, mine.ticket.id);
  });

  test('an id longer than any CUID answers 400 naming id, never a 500', async () => {
    assertError(await api(t, 'GET', `/jobs/${'c'.repeat(80)}`, { token: world.token }), 400, 'invalid_request', 'id');
    assertError(await api(t, 'PATCH', `/tickets/${'c'.repeat(80)}`, { token: world.token, body: { title: 'x' } }), 400, 'invalid_request', 'id');
  });
});

describe('POST /leads', () => {
  test('creates an OPEN ticket and answers 201 {"ticketId", "status": "OPEN"}', async () => {
    const res = await api(t, 'POST', '/leads', {
      token: world.token,
      body: { businessName: 'Smith Plumbing', contactName: 'Joe Smith', email: 'joe@smithplumbing.com', phone: '+15125551234', address: '123 Main St, Austin, TX 78701', notes: 'Needs water heater replacement', source: 'leads2jobs' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['status', 'ticketId']);
    assert.equal(body.status, 'OPEN');
    assert.match(body.ticketId, /^c[a-z0-9]{24}$/);
    const ticket = (await api(t, 'GET', `/tickets/${body.ticketId}`, { token: world.token })).json();
    assert.equal(ticket.status, 'OPEN');
    assert.equal(ticket.title, 'Smith Plumbing (Joe Smith)');
    assert.equal(ticket.description, 'Needs water heater replacement');
    assert.equal(ticket.source, 'leads2jobs');
    assert.equal(ticket.phone, '+15125551234');
    assert.equal(ticket.address, '123 Main St, Austin, TX 78701');
  });

  test('records ticket.created with the ticket’s own id, title, status and createdAt, and queues its webhook deliveries, with a key or without', async () => {
    const subscription = (await api(t, 'POST', '/webhooks', { token: world.token, body: { url: 'https://yourapp.com/hooks/leads', events: ['ticket.created'] } })).json();
    try {
      const withAndWithoutKey: Record<string, string>[] = [{ 'idempotency-key': crypto.randomUUID() }, {}];
      for (const headers of withAndWithoutKey) {
        const res = await api(t, 'POST', '/leads', { token: world.token, headers, body: { businessName: 'Event Plumbing', email: 'e@example.com' } });
        assert.equal(res.statusCode, 201, res.body);
        const ticket = (await api(t, 'GET', `/tickets/${res.json().ticketId}`, { token: world.token })).json();
        const events = (
          await t.ctx.db.pool.query<{ id: string; company_id: string; payload: unknown }>(`SELECT id, company_id, payload FROM domain_events WHERE type = 'ticket.created' AND payload->>'id' = $1`, [ticket.id])
        ).rows;
        assert.equal(events.length, 1);
        assert.equal(events[0]!.company_id, world.paid.id);
        assert.deepEqual(events[0]!.payload, { id: ticket.id, title: 'Event Plumbing', status: 'OPEN', createdAt: ticket.createdAt });
        const deliveries = (await t.ctx.db.pool.query<{ subscription_id: string }>(`SELECT subscription_id FROM webhook_deliveries WHERE event_id = $1`, [events[0]!.id])).rows;
        assert.deepEqual(deliveries.map((d) => d.subscription_id), [subscription.id]);
      }
    } finally {
      await api(t, 'DELETE', `/webhooks/${subscription.id}`, { token: world.token });
    }
  });

  test('unknown fields are ignored', async () => {
    const res = await api(t, 'POST', '/leads', { token: world.token, body: { contactName: 'Ann', phone: '+15125550000', budget: 5000 } });
    assert.equal(res.statusCode, 201, res.body);
  });

  test('a lead without a name, or without a way to reach them, answers 400 naming the field', async () => {
    assertError(await api(t, 'POST', '/leads', { token: world.token, body: { email: 'a@example.com' } }), 400, 'invalid_request', 'businessName');
    assertError(await api(t, 'POST', '/leads', { token: world.token, body: { businessName: 'Acme' } }), 400, 'invalid_request', 'email');
    assertError(await api(t, 'POST', '/leads', { token: world.token, body: { businessName: { name: 'Acme' }, email: 'a@example.com' } }), 400, 'invalid_request', 'businessName');
  });

  test('needs leads:write', async () => {
    const token = await accessToken(t, world, world.paid.id, ['tickets:read']);
    assertError(await api(t, 'POST', '/leads', { token, body: { businessName: 'A', email: 'a@example.com' } }), 403, 'insufficient_scope');
  });
});

describe('POST /tickets and PATCH /tickets/:id', () => {
  test('POST /tickets answers 201 with the OPEN ticket, source "api"', async () => {
    const res = await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'Gutter cleaning', email: 'x@example.com', propertyId: mine.property.id } });
    assert.equal(res.statusCode, 201, res.body);
    const ticket = res.json();
    assert.equal(ticket.status, 'OPEN');
    assert.equal(ticket.source, 'api');
    assert.equal(ticket.propertyId, mine.property.id);
    assert.deepEqual((await api(t, 'GET', `/tickets/${ticket.id}`, { token: world.token })).json(), ticket);
  });

  test('validation errors name the field: missing title, unknown field, wrong type, bad status', async () => {
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: {} }), 400, 'invalid_request', 'title');
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'x', priority: 'high' } }), 400, 'invalid_request', 'priority');
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'x', contactId: 7 } }), 400, 'invalid_request', 'contactId');
    assertError(await api(t, 'PATCH', `/tickets/${mine.ticket.id}`, { token: world.token, body: { status: 'DONE' } }), 400, 'invalid_request', 'status');
    assertError(await api(t, 'PATCH', `/tickets/${mine.ticket.id}`, { token: world.token, body: { title: null } }), 400, 'invalid_request', 'title');
  });

  test('a link to another company’s contact or property answers 400 naming the field, and nothing is created', async () => {
    const before = (await api(t, 'GET', '/tickets?limit=100', { token: world.token })).json().data.length;
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'x', contactId: theirs.contact.id } }), 400, 'invalid_request', 'contactId');
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'x', propertyId: 'cnosuchproperty0000000000' } }), 400, 'invalid_request', 'propertyId');
    assertError(await api(t, 'PATCH', `/tickets/${mine.ticket.id}`, { token: world.token, body: { propertyId: theirs.property.id } }), 400, 'invalid_request', 'propertyId');
    assert.equal((await api(t, 'GET', '/tickets?limit=100', { token: world.token })).json().data.length, before);
  });

  test('PATCH changes what it names, leaves absent fields alone, and null clears', async () => {
    const created = (await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'Fence repair', description: 'Three panels', contactId: mine.contact.id } })).json();
    const res = await api(t, 'PATCH', `/tickets/${created.id}`, { token: world.token, body: { status: 'IN_PROGRESS', description: null } });
    assert.equal(res.statusCode, 200, res.body);
    const patched = res.json();
    assert.equal(patched.status, 'IN_PROGRESS');
    assert.equal(patched.description, null);
    assert.equal(patched.title, 'Fence repair');
    assert.equal(patched.contactId, mine.contact.id);
    assert.ok(patched.updatedAt >= created.updatedAt);
  });

  test('null clears a link: PATCH {"contactId": null, "propertyId": null}, and POST with null links creates an unlinked ticket', async () => {
    const created = (await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'Gate latch', contactId: mine.contact.id, propertyId: mine.property.id } })).json();
    const res = await api(t, 'PATCH', `/tickets/${created.id}`, { token: world.token, body: { contactId: null, propertyId: null } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().contactId, null);
    assert.equal(res.json().propertyId, null);
    const unlinked = await api(t, 'POST', '/tickets', { token: world.token, body: { title: 'Porch light', contactId: null, propertyId: null } });
    assert.equal(unlinked.statusCode, 201, unlinked.body);
    assert.equal(unlinked.json().contactId, null);
  });

  test('JSON bodies are taken as typed: a number where text is due answers 400 naming the field', async () => {
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: { title: 12345 } }), 400, 'invalid_request', 'title');
  });

  test('PATCH of another company’s ticket answers 404 and changes nothing', async () => {
    assertError(await api(t, 'PATCH', `/tickets/${theirs.ticket.id}`, { token: world.token, body: { status: 'CLOSED' } }), 404, 'not_found');
    assert.equal((await api(t, 'GET', `/tickets/${theirs.ticket.id}`, { token: world.otherToken })).json().status, 'OPEN');
  });

  test('POST and PATCH need tickets:write', async () => {
    const token = await accessToken(t, world, world.paid.id, ['tickets:read']);
    assertError(await api(t, 'POST', '/tickets', { token, body: { title: 'x' } }), 403, 'insufficient_scope');
    assertError(await api(t, 'PATCH', `/tickets/${mine.ticket.id}`, { token, body: { title: 'x' } }), 403, 'insufficient_scope');
  });

  test('a body that is not JSON answers 400 invalid_request', async () => {
    assertError(await api(t, 'POST', '/tickets', { token: world.token, body: '{"title": ' }), 400, 'invalid_request', 'body');
  });
});

test('errors use the seed’s catalogue: 401 invalid_token without a token, 404 not_found for an unknown path', async () => {
  assertError(await t.app.inject({ method: 'GET', url: '/blueclerk/api/v1/jobs' }), 401, 'invalid_token');
  assertError(await api(t, 'GET', '/nothing-here', { token: world.token }), 404, 'not_found');
});

test('a request that names another company answers 403 forbidden; naming its own company is no trespass', async () => {
  assertError(await api(t, 'GET', `/jobs?companyId=${world.otherPaid.id}`, { token: world.token }), 403, 'forbidden', 'companyId');
  assertError(await api(t, 'POST', '/leads', { token: world.token, body: { companyId: world.otherPaid.id, businessName: 'A', email: 'a@example.com' } }), 403, 'forbidden', 'companyId');
  assert.equal((await api(t, 'GET', `/jobs?companyId=${world.paid.id}`, { token: world.token })).statusCode, 200);
  assert.equal((await api(t, 'POST', '/leads', { token: world.token, body: { companyId: world.paid.id, businessName: 'A', email: 'a@example.com' } })).statusCode, 201);
});

test('the scope is checked before the body: a token without tickets:write gets 403, not a validation error', async () => {
  const token = await accessToken(t, world, world.paid.id, ['tickets:read']);
  assertError(await api(t, 'POST', '/tickets', { token, body: { nonsense: true } }), 403, 'insufficient_scope');
  assertError(await api(t, 'GET', '/jobs?limit=0', { token }), 403, 'insufficient_scope');
});
