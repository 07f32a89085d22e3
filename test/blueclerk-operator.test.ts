import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, asc, eq, sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { hiddenFields, mergeCookies, PASSWORD, sessionCookieFor } from './support/oauth-fixtures.ts';
import { addMembership, createCompany, createPerson, type Company, type Person } from '../src/platform/tenancy/tenancy.ts';
import { domainEvents } from '../src/platform/events/schema.ts';
import { addUsage } from '../src/platform/rate-limit/usage-store.ts';
import { windowAt } from '../src/platform/rate-limit/windows.ts';

/**
 * The contractor's side of BlueClerk (issue 4, item 2): the JSON operator API under
 * /blueclerk/operator, authenticated by the console session, and the console pages that make the same
 * changes. Every change must record its domain event in the same transaction; a refused change
 * records nothing.
 */

let t: TestApp;
let smith: Company; // Joe (owner) and Mia (member)
let jones: Company; // Ann (owner), nobody else
let joe: Person;
let mia: Person;
let ann: Person;

before(async () => {
  t = await startTestApp();
  const orm = t.ctx.db.orm;
  smith = await createCompany(orm, { name: 'Smith Plumbing', plan: 'starter' });
  jones = await createCompany(orm, { name: 'Jones Electric', plan: 'pro' });
  joe = await createPerson(orm, { email: 'joe@smith.example', password: PASSWORD, name: 'Joe Smith' });
  mia = await createPerson(orm, { email: 'mia@smith.example', password: PASSWORD, name: 'Mia Field' });
  ann = await createPerson(orm, { email: 'ann@jones.example', password: PASSWORD, name: 'Ann Jones' });
  await addMembership(orm, { companyId: smith.id, personId: joe.id, role: 'owner' });
  await addMembership(orm, { companyId: smith.id, personId: mia.id, role: 'member' });
  await addMembership(orm, { companyId: jones.id, personId: ann.id, role: 'owner' });
});
after(() => t.close());

// ---- helpers -------------------------------------------------------------------------------------

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

interface Operator {
  cookie: string;
  csrfToken: string;
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown, options?: { csrf?: string | null }): Promise<Response>;
  patch(path: string, body: unknown): Promise<Response>;
}

/** Signs the person in and fetches a CSRF token from GET /me, as a script using the operator API would. */
async function operatorFor(person: Person, companyId = smith.id): Promise<Operator> {
  const session = await sessionCookieFor(t, person);
  const me = await t.app.inject({ url: '/blueclerk/operator/me', headers: { cookie: session } });
  assert.equal(me.statusCode, 200, me.body);
  const cookie = mergeCookies(session, me.headers['set-cookie']);
  const csrfToken = me.json().csrfToken as string;
  const url = (path: string) => `/blueclerk/operator/companies/${companyId}${path}`;
  return {
    cookie,
    csrfToken,
    get: (path) => t.app.inject({ url: url(path), headers: { cookie } }),
    post: (path, body, options = {}) => {
      const csrf = options.csrf === undefined ? csrfToken : options.csrf;
      return t.app.inject({ method: 'POST', url: url(path), headers: { cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) }, ...(body === undefined ? {} : { payload: body as object }) });
    },
    patch: (path, body) => t.app.inject({ method: 'PATCH', url: url(path), headers: { cookie, 'x-csrf-token': csrfToken }, payload: body as object }),
  };
}

/** The domain events recorded about one record (payload.id), oldest first. */
async function eventsAbout(recordId: string, type?: string) {
  return t.ctx.db.orm
    .select()
    .from(domainEvents)
    .where(and(sql`${domainEvents.payload}->>'id' = ${recordId}`, type ? eq(domainEvents.type, type) : undefined))
    .orderBy(asc(domainEvents.occurredAt), asc(domainEvents.id));
}

async function countRows(table: string, companyId: string): Promise<number> {
  const { rows } = await t.ctx.db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE company_id = $1`, [companyId]);
  return rows[0].n;
}

async function countEvents(companyId: string): Promise<number> {
  return countRows('domain_events', companyId);
}

const CUID = /^c[a-z0-9]{24}$/;

// ---- the operator API ----------------------------------------------------------------------------

describe('operator API: authentication and access', () => {
  test('GET /me names the signed-in person, their companies with role, and hands out a CSRF token', async () => {
    const session = await sessionCookieFor(t, joe);
    const res = await t.app.inject({ url: '/blueclerk/operator/me', headers: { cookie: session } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.person, { id: joe.id, name: 'Joe Smith', email: 'joe@smith.example' });
    assert.deepEqual(body.companies, [{ id: smith.id, name: 'Smith Plumbing', plan: 'starter', role: 'owner', canWrite: true }]);
    assert.ok(typeof body.csrfToken === 'string' && body.csrfToken.length > 20);
  });

  test('without a console session every operator path answers 401 invalid_token', async () => {
    for (const url of ['/blueclerk/operator/me', `/blueclerk/operator/companies/${smith.id}/jobs`]) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json().error, 'invalid_token');
      assert.match(res.json().message, /Sign in to the console/);
    }
    const forged = await t.app.inject({ url: `/blueclerk/operator/companies/${smith.id}/jobs`, headers: { cookie: 'opsbase_session=not-a-session' } });
    assert.equal(forged.statusCode, 401);
  });

  test('a person who is not a member gets 404 for the company and sees none of its data', async () => {
    const joeOps = await operatorFor(joe);
    const job = (await joeOps.post('/jobs', { title: 'Smith-only job' })).json();
    const eventsBefore = await countEvents(smith.id);
    const stranger = await operatorFor(ann, smith.id);
    const attempts = [
      await stranger.get('/jobs'),
      await stranger.get(`/jobs/${job.id}`),
      await stranger.get('/properties'),
      await stranger.post('/jobs', { title: 'Planted by Ann' }),
      await stranger.patch(`/jobs/${job.id}`, { title: 'Renamed by Ann' }),
      await stranger.post(`/jobs/${job.id}/status`, { status: 'CANCELLED' }),
    ];
    for (const res of attempts) {
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error, 'not_found');
      assert.equal(res.json().message, `No company with id ${smith.id}`);
      assert.ok(!res.body.includes('Smith-only job'));
    }
    // Through her own company, Smith's record does not exist either.
    const own = await operatorFor(ann, jones.id);
    assert.equal((await own.get(`/jobs/${job.id}`)).statusCode, 404);
    assert.deepEqual((await own.get('/jobs')).json().data, []);
    assert.equal((await joeOps.get(`/jobs/${job.id}`)).json().title, 'Smith-only job', 'nothing was renamed');
    assert.equal(await countEvents(smith.id), eventsBefore, 'no event from any refused attempt');
  });

  test('an unknown company id answers 404 as a foreign one does', async () => {
    const ops = await operatorFor(joe, 'cdoesnotexist00000000000000');
    const res = await ops.get('/jobs');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });

  test('a write without the CSRF header is refused with 403 and writes nothing', async () => {
    const ops = await operatorFor(joe);
    const before = { properties: await countRows('bc_properties', smith.id), events: await countEvents(smith.id) };
    const missing = await ops.post('/properties', { address: '9 Forged Way' }, { csrf: null });
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error, 'forbidden');
    assert.match(missing.json().message, /x-csrf-token/);
    const wrong = await ops.post('/properties', { address: '9 Forged Way' }, { csrf: 'not-the-token' });
    assert.equal(wrong.statusCode, 403);
    const job = (await ops.post('/jobs', { title: 'Status target' })).json();
    const patch = await t.app.inject({ method: 'PATCH', url: `/blueclerk/operator/companies/${smith.id}/jobs/${job.id}`, headers: { cookie: ops.cookie }, payload: { title: 'x' } });
    assert.equal(patch.statusCode, 403);
    assert.equal(await countRows('bc_properties', smith.id), before.properties);
    assert.equal(await countEvents(smith.id), before.events + 1, 'only the job.created of the accepted request');
    // Another person's token does not fit this person's CSRF secret cookie either.
    const mias = await operatorFor(mia);
    assert.equal((await ops.post('/properties', { address: '9 Forged Way' }, { csrf: mias.csrfToken })).statusCode, 403);
  });

  test('every role may read and write: a member creates a job and moves it along', async () => {
    const ops = await operatorFor(mia);
    const created = await ops.post('/jobs', { title: 'Member-made job' });
    assert.equal(created.statusCode, 201);
    const moved = await ops.post(`/jobs/${created.json().id}/status`, { status: 'IN_PROGRESS' });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().status, 'IN_PROGRESS');
  });

  test('the operator API is not part of the public OpenAPI document', async () => {
    const res = await t.app.inject({ url: '/blueclerk/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('/operator'));
    assert.ok(!res.body.includes('companyId'));
  });
});

describe('operator API: creating each kind records its event', () => {
  test('POST /properties answers 201 with the property and records property.created', async () => {
    const ops = await operatorFor(joe);
    const res = await ops.post('/properties', { address: '  123 Main St, Austin, TX 78701 ' });
    assert.equal(res.statusCode, 201);
    const property = res.json();
    assert.match(property.id, CUID);
    assert.equal(property.address, '123 Main St, Austin, TX 78701');
    assert.equal(property.contactId, null);
    const events = await eventsAbout(property.id);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'property.created');
    assert.equal(events[0]!.companyId, smith.id);
    assert.equal(events[0]!.api, 'blueclerk');
    assert.deepEqual(events[0]!.payload, { id: property.id, address: property.address, createdAt: property.createdAt });
    assert.deepEqual((await ops.get(`/properties/${property.id}`)).json(), property);
  });

  test('POST /contacts answers 201 with the contact (contacts have no webhook event, so none is recorded)', async () => {
    const ops = await operatorFor(joe);
    const res = await ops.post('/contacts', { type: 'HOMEOWNER', name: 'Pat Owner', email: 'pat@example.com', phone: '' });
    assert.equal(res.statusCode, 201);
    const contact = res.json();
    assert.equal(contact.type, 'HOMEOWNER');
    assert.equal(contact.phone, null, 'blank optional text is stored as null');
    assert.deepEqual(await eventsAbout(contact.id), []);
    const property = await ops.post('/properties', { address: '5 Oak Ave', contactId: contact.id });
    assert.equal(property.statusCode, 201);
    assert.equal(property.json().contactId, contact.id);
  });

  test('POST /tickets answers 201 with an OPEN ticket from the console and records ticket.created', async () => {
    const ops = await operatorFor(joe);
    const res = await ops.post('/tickets', { title: 'Leaking tap', contactName: 'Pat Owner', phone: '+15125551234' });
    assert.equal(res.statusCode, 201);
    const ticket = res.json();
    assert.equal(ticket.status, 'OPEN');
    assert.equal(ticket.source, 'console');
    const events = await eventsAbout(ticket.id);
    assert.deepEqual(events.map((e) => e.type), ['ticket.created']);
    assert.deepEqual(events[0]!.payload, { id: ticket.id, title: 'Leaking tap', status: 'OPEN', createdAt: ticket.createdAt });
    const closed = await ops.patch(`/tickets/${ticket.id}`, { status: 'CLOSED' });
    assert.equal(closed.statusCode, 200);
    assert.equal(closed.json().status, 'CLOSED');
  });

  test('POST /jobs answers 201 with a SCHEDULED job at the property and records job.created', async () => {
    const ops = await operatorFor(joe);
    const property = (await ops.post('/properties', { address: '77 Elm St' })).json();
    const res = await ops.post('/jobs', { title: 'Water heater', propertyId: property.id, scheduledAt: '2026-05-09T14:00:00Z' });
    assert.equal(res.statusCode, 201);
    const job = res.json();
    assert.equal(job.status, 'SCHEDULED');
    assert.equal(job.propertyId, property.id);
    assert.equal(job.scheduledAt, '2026-05-09T14:00:00.000Z');
    const events = await eventsAbout(job.id);
    assert.deepEqual(events.map((e) => e.type), ['job.created']);
    assert.deepEqual(events[0]!.payload, { id: job.id, title: 'Water heater', status: 'SCHEDULED', propertyId: property.id, createdAt: job.createdAt });
  });

  test('POST /jobs/:id/status changes the status and records job.status_changed with old and new status', async () => {
    const ops = await operatorFor(joe);
    const job = (await ops.post('/jobs', { title: 'Boiler service' })).json();
    const started = await ops.post(`/jobs/${job.id}/status`, { status: 'IN_PROGRESS' });
    assert.equal(started.statusCode, 200);
    assert.equal(started.json().status, 'IN_PROGRESS');
    const done = await ops.post(`/jobs/${job.id}/status`, { status: 'COMPLETED' });
    assert.equal(done.json().status, 'COMPLETED');
    assert.ok(done.json().completedAt, 'completing a job stamps completedAt');
    const changes = await eventsAbout(job.id, 'job.status_changed');
    assert.deepEqual(
      changes.map((e) => [(e.payload as { oldStatus: string }).oldStatus, (e.payload as { newStatus: string }).newStatus]),
      [['SCHEDULED', 'IN_PROGRESS'], ['IN_PROGRESS', 'COMPLETED']],
    );
    assert.equal((changes[1]!.payload as { changedAt: string }).changedAt, done.json().updatedAt);
    // The same status again is no change, and records nothing.
    assert.equal((await ops.post(`/jobs/${job.id}/status`, { status: 'COMPLETED' })).statusCode, 200);
    assert.equal((await eventsAbout(job.id, 'job.status_changed')).length, 2);
  });

  test('a status that is not one of the job statuses answers 400 naming status, and records nothing', async () => {
    const ops = await operatorFor(joe);
    const job = (await ops.post('/jobs', { title: 'Roof check' })).json();
    const res = await ops.post(`/jobs/${job.id}/status`, { status: 'FINISHED' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
    assert.equal(res.json().details[0].field, 'status');
    assert.equal((await ops.get(`/jobs/${job.id}`)).json().status, 'SCHEDULED');
    assert.deepEqual(await eventsAbout(job.id, 'job.status_changed'), []);
    const unknown = await ops.post('/jobs/cnosuchjob000000000000000/status', { status: 'ON_HOLD' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().message, 'No job with id cnosuchjob000000000000000');
  });

  test('estimates: a draft cannot be approved (409, no event); send records estimate.sent, approve records estimate.approved', async () => {
    const ops = await operatorFor(joe);
    const created = await ops.post('/estimates', { totalAmount: '1234.5' });
    assert.equal(created.statusCode, 201);
    const estimate = created.json();
    assert.equal(estimate.status, 'DRAFT');
    assert.equal(estimate.totalAmount, '1234.50');
    assert.match(estimate.estimateNumber, /^EST-\d+$/);
    assert.deepEqual(await eventsAbout(estimate.id), [], 'a draft is not an event');

    const early = await ops.post(`/estimates/${estimate.id}/approve`);
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error, 'conflict');
    assert.match(early.json().message, /DRAFT/);
    assert.deepEqual(await eventsAbout(estimate.id), []);
    assert.equal((await ops.get(`/estimates/${estimate.id}`)).json().status, 'DRAFT', 'the refused approval changed nothing');

    const sent = await ops.post(`/estimates/${estimate.id}/send`);
    assert.equal(sent.statusCode, 200);
    assert.equal(sent.json().status, 'SENT');
    assert.ok(sent.json().sentAt);
    const approved = await ops.post(`/estimates/${estimate.id}/approve`);
    assert.equal(approved.statusCode, 200);
    assert.equal(approved.json().status, 'APPROVED');
    const events = await eventsAbout(estimate.id);
    assert.deepEqual(events.map((e) => e.type), ['estimate.sent', 'estimate.approved']);
    assert.deepEqual(events[0]!.payload, { id: estimate.id, estimateNumber: estimate.estimateNumber, totalAmount: '1234.50', sentAt: sent.json().sentAt });
    assert.deepEqual(events[1]!.payload, { id: estimate.id, estimateNumber: estimate.estimateNumber, approvedAt: approved.json().approvedAt });
  });

  test('a sent estimate can be declined, which records no event', async () => {
    const ops = await operatorFor(joe);
    const estimate = (await ops.post('/estimates', { totalAmount: '99' })).json();
    await ops.post(`/estimates/${estimate.id}/send`);
    const declined = await ops.post(`/estimates/${estimate.id}/decline`);
    assert.equal(declined.statusCode, 200);
    assert.equal(declined.json().status, 'DECLINED');
    assert.deepEqual((await eventsAbout(estimate.id)).map((e) => e.type), ['estimate.sent']);
  });

  test('invoices: mark-paid answers PAID and records invoice.paid once; marking it again is a 409', async () => {
    const ops = await operatorFor(joe);
    const job = (await ops.post('/jobs', { title: 'Invoice me' })).json();
    const created = await ops.post('/invoices', { totalAmount: '250', jobId: job.id });
    assert.equal(created.statusCode, 201);
    const invoice = created.json();
    assert.equal(invoice.status, 'DRAFT');
    assert.equal(invoice.amountPaid, '0.00');
    assert.equal((await ops.post(`/invoices/${invoice.id}/send`)).json().status, 'SENT');
    const paid = await ops.post(`/invoices/${invoice.id}/mark-paid`);
    assert.equal(paid.statusCode, 200);
    assert.equal(paid.json().status, 'PAID');
    assert.equal(paid.json().amountPaid, '250.00');
    assert.ok(paid.json().paidAt);
    const again = await ops.post(`/invoices/${invoice.id}/mark-paid`);
    assert.equal(again.statusCode, 409);
    const events = await eventsAbout(invoice.id);
    assert.deepEqual(events.map((e) => e.type), ['invoice.paid']);
    assert.deepEqual(events[0]!.payload, { id: invoice.id, invoiceNumber: invoice.invoiceNumber, totalAmount: '250.00', paidAt: paid.json().paidAt });
  });

  test('invoice payments: a part payment records no event, the payment that settles it records invoice.paid', async () => {
    const ops = await operatorFor(joe);
    const invoice = (await ops.post('/invoices', { totalAmount: '100.00' })).json();
    const part = await ops.post(`/invoices/${invoice.id}/payments`, { amount: '40' });
    assert.equal(part.statusCode, 200);
    assert.equal(part.json().status, 'PARTIALLY_PAID');
    assert.deepEqual(await eventsAbout(invoice.id), []);
    const tooMuch = await ops.post(`/invoices/${invoice.id}/payments`, { amount: '60.01' });
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.json().details[0].field, 'amount');
    const rest = await ops.post(`/invoices/${invoice.id}/payments`, { amount: '60.00' });
    assert.equal(rest.json().status, 'PAID');
    assert.deepEqual((await eventsAbout(invoice.id)).map((e) => e.type), ['invoice.paid']);
  });

  test('PATCH changes a record; an unknown id answers 404; lists page like the public API', async () => {
    const ops = await operatorFor(joe);
    const job = (await ops.post('/jobs', { title: 'Old title' })).json();
    const renamed = await ops.patch(`/jobs/${job.id}`, { title: 'New title' });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().title, 'New title');
    assert.equal((await ops.patch('/jobs/cnosuchjob000000000000000', { title: 'x' })).statusCode, 404);
    const page = await ops.get('/jobs?limit=1');
    assert.equal(page.statusCode, 200);
    assert.equal(page.json().data.length, 1);
    assert.equal(page.json().hasMore, true);
    const next = await ops.get(`/jobs?limit=1&cursor=${page.json().nextCursor}`);
    assert.notEqual(next.json().data[0].id, page.json().data[0].id);
    const badLimit = await ops.get('/jobs?limit=0');
    assert.equal(badLimit.statusCode, 400);
    assert.equal(badLimit.json().details[0].field, 'limit');
  });
});

describe('operator API: refused changes write nothing', () => {
  test('a validation error answers 400 invalid_request naming the field', async () => {
    const ops = await operatorFor(joe);
    const before = await countEvents(smith.id);
    const cases: [string, unknown, string][] = [
      ['/properties', {}, 'address'],
      ['/properties', { address: '   ' }, 'address'],
      ['/jobs', { title: 'Fine', colour: 'blue' }, 'colour'],
      ['/jobs', { title: 'Fine', scheduledAt: 'next tuesday' }, 'scheduledAt'],
      ['/estimates', { totalAmount: '12.345' }, 'totalAmount'],
      ['/contacts', { type: 'NEIGHBOUR', name: 'Sam' }, 'type'],
    ];
    for (const [path, body, field] of cases) {
      const res = await ops.post(path, body);
      assert.equal(res.statusCode, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.json().error, 'invalid_request');
      assert.equal(res.json().details[0].field, field, `${path} ${JSON.stringify(body)}: ${res.body}`);
      assert.ok(res.json().message.includes(field));
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: `/blueclerk/operator/companies/${smith.id}/jobs`,
      headers: { cookie: ops.cookie, 'x-csrf-token': ops.csrfToken, 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error, 'invalid_request');
    assert.equal(await countEvents(smith.id), before);
  });

  test("a reference to another company's property or contact answers 400 naming it, and writes nothing", async () => {
    const theirs = await operatorFor(ann, jones.id);
    const foreignProperty = (await theirs.post('/properties', { address: '1 Jones Rd' })).json();
    const foreignContact = (await theirs.post('/contacts', { type: 'BUILDER', name: 'Jones Builder' })).json();
    const foreignJob = (await theirs.post('/jobs', { title: 'Jones job' })).json();
    const ops = await operatorFor(joe);
    const before = {
      jobs: await countRows('bc_jobs', smith.id),
      properties: await countRows('bc_properties', smith.id),
      tickets: await countRows('bc_tickets', smith.id),
      invoices: await countRows('bc_invoices', smith.id),
      events: await countEvents(smith.id),
      theirEvents: await countEvents(jones.id),
    };
    const cases: [string, unknown, string][] = [
      ['/jobs', { title: 'Sneaky job', propertyId: foreignProperty.id }, 'propertyId'],
      ['/properties', { address: '2 Sneaky St', contactId: foreignContact.id }, 'contactId'],
      ['/tickets', { title: 'Sneaky ticket', contactId: foreignContact.id }, 'contactId'],
      ['/invoices', { totalAmount: '10.00', jobId: foreignJob.id }, 'jobId'],
    ];
    for (const [path, body, field] of cases) {
      const res = await ops.post(path, body);
      assert.equal(res.statusCode, 400, path);
      assert.equal(res.json().details[0].field, field);
      assert.ok(!res.body.includes('1 Jones Rd') && !res.body.includes('Jones Builder'), 'nothing of theirs is shown');
    }
    const job = (await ops.post('/jobs', { title: 'Our job' })).json();
    const moved = await ops.patch(`/jobs/${job.id}`, { propertyId: foreignProperty.id });
    assert.equal(moved.statusCode, 400);
    assert.equal((await ops.get(`/jobs/${job.id}`)).json().propertyId, null);
    assert.equal(await countRows('bc_jobs', smith.id), before.jobs + 1);
    assert.equal(await countRows('bc_properties', smith.id), before.properties);
    assert.equal(await countRows('bc_tickets', smith.id), before.tickets);
    assert.equal(await countRows('bc_invoices', smith.id), before.invoices);
    assert.equal(await countEvents(smith.id), before.events + 1, 'only job.created of "Our job"');
    assert.equal(await countEvents(jones.id), before.theirEvents);
    // Acting on another company's record through our own company: 404, not a change.
    assert.equal((await ops.post(`/jobs/${foreignJob.id}/status`, { status: 'CANCELLED' })).statusCode, 404);
    assert.equal((await theirs.get(`/jobs/${foreignJob.id}`)).json().status, 'SCHEDULED');
  });
});

// ---- the console pages ---------------------------------------------------------------------------

interface Browser {
  cookie: string;
}

const pagesOf = (companyId: string) => `/blueclerk/console/companies/${companyId}`;

async function browserFor(person: Person): Promise<Browser> {
  return { cookie: await sessionCookieFor(t, person) };
}

async function open(browser: Browser, url: string) {
  const res = await t.app.inject({ url, headers: { cookie: browser.cookie } });
  browser.cookie = mergeCookies(browser.cookie, res.headers['set-cookie']);
  return res;
}

/** Opens the page the form is on, then posts the form with that page's CSRF token, as a browser does. */
async function submit(browser: Browser, pageUrl: string, action: string, fields: Record<string, string>) {
  const page = await open(browser, pageUrl);
  const form = new URLSearchParams({ _csrf: hiddenFields(page.body)._csrf ?? '', ...fields });
  return t.app.inject({ method: 'POST', url: action, headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
}

const alertOf = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1]?.replace(/&quot;/g, '"').replace(/&#39;/g, "'") ?? null;
const rowOf = (html: string, id: string) => new RegExp(`<tr data-id="${id}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';

describe('console pages', () => {
  test("the console home links each of the person's companies to its BlueClerk pages", async () => {
    const browser = await browserFor(joe);
    const home = await open(browser, '/');
    assert.equal(home.statusCode, 200);
    const row = new RegExp(`<tr data-company="${smith.id}">([\\s\\S]*?)</tr>`).exec(home.body)?.[1] ?? '';
    assert.ok(row.includes(`<a href="${pagesOf(smith.id)}">BlueClerk records</a>`), row);
    assert.ok(row.includes(`<a href="${pagesOf(smith.id)}/usage">BlueClerk API usage</a>`));
    assert.ok(!home.body.includes(jones.id));
    const overview = await open(browser, pagesOf(smith.id));
    assert.equal(overview.statusCode, 200);
    for (const section of ['properties', 'contacts', 'tickets', 'jobs', 'estimates', 'invoices', 'usage']) {
      assert.ok(overview.body.includes(`href="${pagesOf(smith.id)}/${section}"`), section);
    }
  });

  test('a job created and moved along through the pages is listed with its status and records the same events as the API', async () => {
    const browser = await browserFor(mia);
    const property = (await (await operatorFor(joe)).post('/properties', { address: '12 Page Lane' })).json();
    const created = await submit(browser, `${pagesOf(smith.id)}/jobs`, `${pagesOf(smith.id)}/jobs`, { title: 'Page-made job', propertyId: property.id, scheduledAt: '2026-05-09T14:00' });
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, `${pagesOf(smith.id)}/jobs`);
    const list = await open(browser, `${pagesOf(smith.id)}/jobs`);
    const id = new RegExp(`<tr data-id="(c[a-z0-9]+)">\\s*<td>Page-made job</td>`).exec(list.body)?.[1];
    assert.ok(id, 'the new job is listed');
    assert.match(rowOf(list.body, id), /data-status="SCHEDULED"/);
    assert.ok(rowOf(list.body, id).includes('12 Page Lane'), 'the property is shown by its address');
    const job = (await (await operatorFor(joe)).get(`/jobs/${id}`)).json();
    assert.equal(job.scheduledAt, '2026-05-09T14:00:00.000Z', 'the form’s time is read as UTC');
    assert.equal(job.propertyId, property.id);

    const moved = await submit(browser, `${pagesOf(smith.id)}/jobs`, `${pagesOf(smith.id)}/jobs/${id}/status`, { status: 'ON_HOLD' });
    assert.equal(moved.statusCode, 303);
    const after = await open(browser, `${pagesOf(smith.id)}/jobs`);
    assert.match(rowOf(after.body, id), /data-status="ON_HOLD"/);
    const events = await eventsAbout(id);
    assert.deepEqual(events.map((e) => e.type), ['job.created', 'job.status_changed']);
    assert.deepEqual(events[1]!.payload, { id, oldStatus: 'SCHEDULED', newStatus: 'ON_HOLD', changedAt: (events[1]!.payload as { changedAt: string }).changedAt });
  });

  test('each record page creates its kind: property, contact, ticket, estimate and invoice, with their events', async () => {
    const browser = await browserFor(joe);
    const base = pagesOf(smith.id);
    const made = async (section: string, fields: Record<string, string>) => {
      const res = await submit(browser, `${base}/${section}`, `${base}/${section}`, fields);
      assert.equal(res.statusCode, 303, `${section}: ${alertOf(res.body)}`);
      const list = await open(browser, `${base}/${section}`);
      return /<tr data-id="(c[a-z0-9]+)">/.exec(list.body)![1]!; // newest first
    };
    const contact = await made('contacts', { type: 'BUILDER', name: 'Bo Builder', businessName: 'Bo Homes', email: '', phone: '', address: '' });
    const property = await made('properties', { address: '3 Form St', contactId: contact });
    assert.deepEqual((await eventsAbout(property)).map((e) => e.type), ['property.created']);
    const ticket = await made('tickets', { title: 'Form ticket', description: 'From the page', contactId: contact, propertyId: property });
    assert.deepEqual((await eventsAbout(ticket)).map((e) => e.type), ['ticket.created']);
    const ops = await operatorFor(joe);
    assert.equal((await ops.get(`/tickets/${ticket}`)).json().source, 'console');
    assert.equal((await ops.get(`/properties/${property}`)).json().contactId, contact);
    const estimate = await made('estimates', { totalAmount: '480', jobId: '', propertyId: property });
    assert.equal((await ops.get(`/estimates/${estimate}`)).json().totalAmount, '480.00');
    const invoice = await made('invoices', { totalAmount: '75.5', jobId: '' });
    assert.equal((await ops.get(`/invoices/${invoice}`)).json().status, 'DRAFT');
  });

  test('estimate and invoice buttons: approving a draft is refused with the reason; Send, Approve and Mark paid record their events', async () => {
    const browser = await browserFor(joe);
    const base = pagesOf(smith.id);
    const ops = await operatorFor(joe);
    const estimate = (await ops.post('/estimates', { totalAmount: '300' })).json();
    const early = await submit(browser, `${base}/estimates`, `${base}/estimates/${estimate.id}/approve`, {});
    assert.equal(early.statusCode, 409);
    assert.match(alertOf(early.body) ?? '', /is DRAFT; it must be SENT to become APPROVED/);
    assert.deepEqual(await eventsAbout(estimate.id), []);
    assert.equal((await submit(browser, `${base}/estimates`, `${base}/estimates/${estimate.id}/send`, {})).statusCode, 303);
    assert.equal((await submit(browser, `${base}/estimates`, `${base}/estimates/${estimate.id}/approve`, {})).statusCode, 303);
    assert.match(rowOf((await open(browser, `${base}/estimates`)).body, estimate.id), /data-status="APPROVED"/);
    assert.deepEqual((await eventsAbout(estimate.id)).map((e) => e.type), ['estimate.sent', 'estimate.approved']);

    const invoice = (await ops.post('/invoices', { totalAmount: '120.00' })).json();
    assert.equal((await submit(browser, `${base}/invoices`, `${base}/invoices/${invoice.id}/mark-paid`, {})).statusCode, 303);
    const row = rowOf((await open(browser, `${base}/invoices`)).body, invoice.id);
    assert.match(row, /data-status="PAID"/);
    assert.match(row, /<td>120\.00<\/td>\s*<td>120\.00<\/td>/, 'total and paid');
    assert.deepEqual((await eventsAbout(invoice.id)).map((e) => e.type), ['invoice.paid']);
  });

  test('the edit form changes a record; a blank optional field clears it', async () => {
    const browser = await browserFor(joe);
    const base = pagesOf(smith.id);
    const ops = await operatorFor(joe);
    const contact = (await ops.post('/contacts', { type: 'HOMEOWNER', name: 'Edit Me', phone: '+15550001111' })).json();
    const form = await open(browser, `${base}/contacts/${contact.id}`);
    assert.match(form.body, /Edit contact Edit Me/);
    assert.match(form.body, /value="\+15550001111"/);
    const saved = await submit(browser, `${base}/contacts/${contact.id}`, `${base}/contacts/${contact.id}`, { type: 'HOMEOWNER', name: 'Edited', businessName: '', email: 'e@example.com', phone: '', address: '' });
    assert.equal(saved.statusCode, 303);
    const now = (await ops.get(`/contacts/${contact.id}`)).json();
    assert.equal(now.name, 'Edited');
    assert.equal(now.email, 'e@example.com');
    assert.equal(now.phone, null);
  });

  test('a refused form says which field and why, keeps what was typed, and writes nothing', async () => {
    const browser = await browserFor(joe);
    const base = pagesOf(smith.id);
    const before = { jobs: await countRows('bc_jobs', smith.id), events: await countEvents(smith.id) };
    const blank = await submit(browser, `${base}/jobs`, `${base}/jobs`, { title: '  ', propertyId: '', scheduledAt: '' });
    assert.equal(blank.statusCode, 400);
    assert.equal(alertOf(blank.body), 'Title: enter a value.');
    const theirs = (await (await operatorFor(ann, jones.id)).post('/properties', { address: '8 Jones Rd' })).json();
    const foreign = await submit(browser, `${base}/jobs`, `${base}/jobs`, { title: 'Kept title', propertyId: theirs.id, scheduledAt: '' });
    assert.equal(foreign.statusCode, 400);
    assert.match(alertOf(foreign.body) ?? '', /^Property: there is no property with id/);
    assert.match(foreign.body, /value="Kept title"/, 'what was typed is kept');
    assert.ok(!foreign.body.includes('8 Jones Rd'));
    const money = await submit(browser, `${base}/invoices`, `${base}/invoices`, { totalAmount: 'twelve', jobId: '' });
    assert.equal(money.statusCode, 400);
    assert.equal(alertOf(money.body), 'Total (e.g. 1234.56): “twelve” is not a valid value.');
    assert.equal(await countRows('bc_jobs', smith.id), before.jobs);
    assert.equal(await countEvents(smith.id), before.events);
  });

  test("another company's pages answer 404 and show none of its data, for reading and for posting", async () => {
    const theirs = (await (await operatorFor(ann, jones.id)).post('/jobs', { title: 'Jones secret job' })).json();
    const browser = await browserFor(joe);
    for (const url of [pagesOf(jones.id), `${pagesOf(jones.id)}/jobs`, `${pagesOf(jones.id)}/jobs/${theirs.id}`, `${pagesOf(jones.id)}/usage`, `${pagesOf(smith.id)}/jobs/${theirs.id}`]) {
      const res = await open(browser, url);
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.ok(!res.body.includes('Jones secret job') && !res.body.includes('Jones Electric'), url);
    }
    const events = await countEvents(jones.id);
    const post = await submit(browser, `${pagesOf(smith.id)}/jobs`, `${pagesOf(jones.id)}/jobs/${theirs.id}/status`, { status: 'CANCELLED' });
    assert.equal(post.statusCode, 404);
    assert.equal(await countEvents(jones.id), events);
    const unsigned = await t.app.inject({ url: `${pagesOf(smith.id)}/jobs` });
    assert.equal(unsigned.statusCode, 303);
    assert.match(String(unsigned.headers.location), /^\/login\?next=/);
  });

  test('a form post without its CSRF token is refused with a page and writes nothing', async () => {
    const browser = await browserFor(joe);
    const before = await countRows('bc_properties', smith.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `${pagesOf(smith.id)}/properties`,
      headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'address=1+Forged+Rd',
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /This form has expired/);
    assert.equal(await countRows('bc_properties', smith.id), before);
  });

  test("the usage page shows the company's API requests per day for 30 days, with its plan limits", async () => {
    const day = (daysAgo: number) => windowAt('day', Date.now()).start - daysAgo * 86_400_000;
    await addUsage(t.ctx.db.pool, 'blueclerk', [
      { companyId: smith.id, window: 'day', windowStart: day(0), delta: 1234 },
      { companyId: smith.id, window: 'day', windowStart: day(3), delta: 250 },
      { companyId: smith.id, window: 'day', windowStart: day(40), delta: 999 }, // older than the page shows
      { companyId: jones.id, window: 'day', windowStart: day(0), delta: 777 },
    ]);
    const browser = await browserFor(mia);
    const res = await open(browser, `${pagesOf(smith.id)}/usage`);
    assert.equal(res.statusCode, 200);
    const rows = [...res.body.matchAll(/<tr data-day="(\d{4}-\d\d-\d\d)"><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    assert.equal(rows.length, 30);
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    assert.deepEqual(rows[0], [iso(day(0)), '1,234'], 'today first');
    assert.deepEqual(rows[3], [iso(day(3)), '250']);
    assert.deepEqual(rows[29], [iso(day(29)), '0']);
    assert.match(res.body, /data-field="total">1,484</);
    assert.match(res.body, /30 per minute · 5,000 per UTC day · 50,000 per month/);
    assert.match(res.body, /data-field="today">1,234 requests \(24\.7% of 5,000\)/);
    assert.ok(!res.body.includes('777'), "another company's usage is not shown");
  });

  test('the usage page shows contract limits, and says a trial company has no API access', async () => {
    const orm = t.ctx.db.orm;
    const { setCompanyLimits } = await import('../src/platform/rate-limit/index.ts');
    const big = await createCompany(orm, { name: 'Big Contract Co', plan: 'enterprise' });
    const trial = await createCompany(orm, { name: 'Trial Co', plan: 'trial' });
    await addMembership(orm, { companyId: big.id, personId: joe.id, role: 'admin' });
    await addMembership(orm, { companyId: trial.id, personId: joe.id, role: 'owner' });
    await setCompanyLimits(orm, big.id, { perMinute: 1000, perDay: 'unlimited' });
    const browser = await browserFor(joe);
    const contract = await open(browser, `${pagesOf(big.id)}/usage`);
    assert.match(contract.body, /Enterprise<\/span> with contract limits/);
    assert.match(contract.body, /1,000 per minute · unlimited per UTC day · unlimited per month/);
    const trialPage = await open(browser, `${pagesOf(trial.id)}/usage`);
    assert.equal(trialPage.statusCode, 200);
    assert.match(trialPage.body, /plan has no API access/);
  });
});
