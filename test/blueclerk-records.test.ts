import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, asc, eq, sql } from 'drizzle-orm';
import { createTestDatabase } from './support/test-database.ts';
import type { Database } from '../src/platform/db/database.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import { domainEvents } from '../src/platform/events/schema.ts';
import { parseListQuery } from '../src/platform/pagination/keyset.ts';
import type { Tx } from '../src/platform/idempotency/idempotency.ts';
import {
  approveEstimate,
  changeJobStatus,
  createContact,
  createEstimate,
  createInvoice,
  createJob,
  createLead,
  createProperty,
  createTicket,
  declineEstimate,
  getJob,
  getTicket,
  listJobs,
  markInvoicePaid,
  recordErrorFromDatabase,
  recordInvoicePayment,
  RecordInputError,
  RecordStateError,
  sendEstimate,
  updateEstimate,
  updateJob,
  updateTicket,
} from '../src/apis/blueclerk/records/index.ts';

let db: Database;
let company: string;
let other: string;

before(async () => {
  db = await createTestDatabase();
  company = (await createCompany(db.orm, { name: 'Smith Plumbing', plan: 'starter' })).id;
  other = (await createCompany(db.orm, { name: 'Jones Electric', plan: 'pro' })).id;
});
after(() => db.close());

const inTx = <T>(work: (tx: Tx) => Promise<T>) => db.orm.transaction(work);

async function eventsOf(companyId: string, type: string) {
  return db.orm
    .select()
    .from(domainEvents)
    .where(and(eq(domainEvents.companyId, companyId), eq(domainEvents.type, type)))
    .orderBy(asc(domainEvents.occurredAt), asc(domainEvents.id));
}

const CUID = /^c[a-z0-9]{24}$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('field conventions', () => {
  test('ids are CUIDs, timestamps ISO 8601 UTC ending in Z, money decimal strings with two decimals', async () => {
    const property = await inTx((tx) => createProperty(tx, company, { address: '123 Main St, Austin, TX 78701' }));
    const estimate = await inTx((tx) => createEstimate(tx, company, { totalAmount: '1234.5', propertyId: property.id }));
    assert.match(property.id, CUID);
    assert.match(property.createdAt, ISO_UTC);
    assert.match(estimate.updatedAt, ISO_UTC);
    assert.equal(estimate.totalAmount, '1234.50');
    assert.equal(estimate.sentAt, null);
  });
});

describe('each change records its webhook event in the same transaction, with the payload fields of the seed', () => {
  test('property.created: id, address, createdAt', async () => {
    const property = await inTx((tx) => createProperty(tx, company, { address: '1 Event Way' }));
    const [event] = (await eventsOf(company, 'property.created')).filter((e) => (e.payload as { id: string }).id === property.id);
    assert.deepEqual(event!.payload, { id: property.id, address: '1 Event Way', createdAt: property.createdAt });
    assert.equal(event!.api, 'blueclerk');
  });

  test('ticket.created: id, title, status, createdAt — also for a lead', async () => {
    const ticket = await inTx((tx) => createLead(tx, company, { businessName: 'Smith Plumbing', contactName: 'Joe Smith', email: 'joe@smithplumbing.com', notes: 'Needs water heater replacement', source: 'leads2jobs' }));
    assert.equal(ticket.status, 'OPEN');
    assert.equal(ticket.title, 'Smith Plumbing (Joe Smith)');
    assert.equal(ticket.description, 'Needs water heater replacement');
    assert.equal(ticket.source, 'leads2jobs');
    const [event] = (await eventsOf(company, 'ticket.created')).filter((e) => (e.payload as { id: string }).id === ticket.id);
    assert.deepEqual(event!.payload, { id: ticket.id, title: ticket.title, status: 'OPEN', createdAt: ticket.createdAt });
  });

  test('job.created: id, title, status, propertyId, createdAt; job.status_changed: id, oldStatus, newStatus, changedAt', async () => {
    const property = await inTx((tx) => createProperty(tx, company, { address: '2 Job Road' }));
    const job = await inTx((tx) => createJob(tx, company, { title: 'Replace water heater', propertyId: property.id }));
    const [created] = (await eventsOf(company, 'job.created')).filter((e) => (e.payload as { id: string }).id === job.id);
    assert.deepEqual(created!.payload, { id: job.id, title: 'Replace water heater', status: 'SCHEDULED', propertyId: property.id, createdAt: job.createdAt });

    const started = await inTx((tx) => changeJobStatus(tx, company, job.id, 'IN_PROGRESS'));
    const completed = await inTx((tx) => changeJobStatus(tx, company, job.id, 'COMPLETED'));
    assert.match(completed!.completedAt!, ISO_UTC);
    const changes = (await eventsOf(company, 'job.status_changed')).filter((e) => (e.payload as { id: string }).id === job.id);
    assert.deepEqual(
      changes.map((e) => e.payload),
      [
        { id: job.id, oldStatus: 'SCHEDULED', newStatus: 'IN_PROGRESS', changedAt: started!.updatedAt },
        { id: job.id, oldStatus: 'IN_PROGRESS', newStatus: 'COMPLETED', changedAt: completed!.updatedAt },
      ],
    );
  });

  test('setting the status a job already has is no change and records no event', async () => {
    const job = await inTx((tx) => createJob(tx, company, { title: 'Inspect roof' }));
    await inTx((tx) => changeJobStatus(tx, company, job.id, 'SCHEDULED'));
    assert.equal((await eventsOf(company, 'job.status_changed')).filter((e) => (e.payload as { id: string }).id === job.id).length, 0);
  });

  test('reopening a completed job clears completedAt', async () => {
    const job = await inTx((tx) => createJob(tx, company, { title: 'Fix leak', status: 'COMPLETED' }));
    assert.ok(job.completedAt);
    const reopened = await inTx((tx) => updateJob(tx, company, job.id, { status: 'IN_PROGRESS' }));
    assert.equal(reopened!.completedAt, null);
  });

  test('estimate.sent: id, estimateNumber, totalAmount, sentAt; estimate.approved: id, estimateNumber, approvedAt', async () => {
    const estimate = await inTx((tx) => createEstimate(tx, company, { totalAmount: '980' }));
    const sent = await inTx((tx) => sendEstimate(tx, company, estimate.id));
    const approved = await inTx((tx) => approveEstimate(tx, company, estimate.id));
    assert.equal(sent!.status, 'SENT');
    assert.equal(approved!.status, 'APPROVED');
    const [sentEvent] = (await eventsOf(company, 'estimate.sent')).filter((e) => (e.payload as { id: string }).id === estimate.id);
    const [approvedEvent] = (await eventsOf(company, 'estimate.approved')).filter((e) => (e.payload as { id: string }).id === estimate.id);
    assert.deepEqual(sentEvent!.payload, { id: estimate.id, estimateNumber: estimate.estimateNumber, totalAmount: '980.00', sentAt: sent!.sentAt });
    assert.deepEqual(approvedEvent!.payload, { id: estimate.id, estimateNumber: estimate.estimateNumber, approvedAt: approved!.approvedAt });
  });

  test('invoice.paid: id, invoiceNumber, totalAmount, paidAt — only when the invoice becomes fully paid', async () => {
    const invoice = await inTx((tx) => createInvoice(tx, company, { totalAmount: '100.10' }));
    const partly = await inTx((tx) => recordInvoicePayment(tx, company, invoice.id, { amount: '0.1' }));
    assert.equal(partly!.status, 'PARTIALLY_PAID');
    assert.equal(partly!.amountPaid, '0.10');
    assert.equal(partly!.paidAt, null);
    assert.equal((await eventsOf(company, 'invoice.paid')).filter((e) => (e.payload as { id: string }).id === invoice.id).length, 0);
    const paid = await inTx((tx) => markInvoicePaid(tx, company, invoice.id));
    assert.equal(paid!.status, 'PAID');
    assert.equal(paid!.amountPaid, '100.10');
    const [event] = (await eventsOf(company, 'invoice.paid')).filter((e) => (e.payload as { id: string }).id === invoice.id);
    assert.deepEqual(event!.payload, { id: invoice.id, invoiceNumber: invoice.invoiceNumber, totalAmount: '100.10', paidAt: paid!.paidAt });
  });

  test('a change that rolls back leaves neither its row nor its event', async () => {
    let ticketId = '';
    await assert.rejects(
      inTx(async (tx) => {
        ticketId = (await createTicket(tx, company, { title: 'Rolled back' }, 'api')).id;
        throw new Error('the request failed after the insert');
      }),
    );
    assert.equal(await getTicket(db.orm, company, ticketId), null);
    assert.equal((await eventsOf(company, 'ticket.created')).filter((e) => (e.payload as { id: string }).id === ticketId).length, 0);
  });
});

describe('company scoping', () => {
  test('another company’s record is not found by get and not listed', async () => {
    const theirs = await inTx((tx) => createJob(tx, other, { title: 'Their job' }));
    assert.equal(await getJob(db.orm, company, theirs.id), null);
    const page = await listJobs(db.orm, company, parseListQuery({ limit: '100' }));
    assert.ok(!page.data.some((j) => j.id === theirs.id));
    assert.equal(await inTx((tx) => changeJobStatus(tx, company, theirs.id, 'CANCELLED')), null);
    assert.equal((await getJob(db.orm, other, theirs.id))!.status, 'SCHEDULED');
  });

  test('a reference to another company’s record is refused, naming the field', async () => {
    const theirContact = await inTx((tx) => createContact(tx, other, { type: 'HOMEOWNER', name: 'Ann Jones' }));
    const theirProperty = await inTx((tx) => createProperty(tx, other, { address: '9 Elsewhere' }));
    const refused = async (work: (tx: Tx) => Promise<unknown>, field: string) => {
      await assert.rejects(inTx(work), (error: unknown) => error instanceof RecordInputError && error.field === field);
    };
    await refused((tx) => createProperty(tx, company, { address: '1 Mine', contactId: theirContact.id }), 'contactId');
    await refused((tx) => createTicket(tx, company, { title: 'x', propertyId: theirProperty.id }, 'api'), 'propertyId');
    await refused((tx) => createJob(tx, company, { title: 'x', propertyId: theirProperty.id }), 'propertyId');
    await refused((tx) => createJob(tx, company, { title: 'x', ticketId: 'cnotarealticket0000000000' }), 'ticketId');
    await refused((tx) => createEstimate(tx, company, { totalAmount: '1', propertyId: theirProperty.id }), 'propertyId');
    await refused((tx) => createInvoice(tx, company, { totalAmount: '1', jobId: 'x'.repeat(500) }), 'jobId');
    const mine = await inTx((tx) => createTicket(tx, company, { title: 'Mine' }, 'api'));
    await refused((tx) => updateTicket(tx, company, mine.id, { contactId: theirContact.id }), 'contactId');
  });

  test('the composite foreign keys refuse a cross-company link even when the checks are skipped', async () => {
    const theirProperty = await inTx((tx) => createProperty(tx, other, { address: '10 Elsewhere' }));
    const error = await db.pool
      .query(`INSERT INTO bc_jobs (id, company_id, title, status, property_id) VALUES ('cforgedjob000000000000000', $1, 'forged', 'SCHEDULED', $2)`, [company, theirProperty.id])
      .then(() => null, (e: unknown) => e);
    assert.ok(error, 'the insert must fail');
    const mapped = recordErrorFromDatabase(error);
    assert.ok(mapped instanceof RecordInputError);
    assert.equal(mapped.field, 'propertyId');
  });
});

describe('documents', () => {
  test('estimate and invoice numbers count up per company', async () => {
    const fresh = (await createCompany(db.orm, { name: 'Numbering Co', plan: 'starter' })).id;
    const a = await inTx((tx) => createEstimate(tx, fresh, { totalAmount: '1' }));
    const b = await inTx((tx) => createEstimate(tx, fresh, { totalAmount: '2' }));
    const i = await inTx((tx) => createInvoice(tx, fresh, { totalAmount: '3' }));
    const elsewhere = (await createCompany(db.orm, { name: 'Other Numbering Co', plan: 'starter' })).id;
    const c = await inTx((tx) => createEstimate(tx, elsewhere, { totalAmount: '1' }));
    assert.deepEqual([a.estimateNumber, b.estimateNumber, i.invoiceNumber, c.estimateNumber], ['EST-1001', 'EST-1002', 'INV-1001', 'EST-1001']);
  });

  test('an estimate is approved or declined only after it was sent, and its total is fixed once sent', async () => {
    const estimate = await inTx((tx) => createEstimate(tx, company, { totalAmount: '50' }));
    await assert.rejects(inTx((tx) => approveEstimate(tx, company, estimate.id)), RecordStateError);
    await assert.rejects(inTx((tx) => declineEstimate(tx, company, estimate.id)), RecordStateError);
    await inTx((tx) => sendEstimate(tx, company, estimate.id));
    await assert.rejects(inTx((tx) => updateEstimate(tx, company, estimate.id, { totalAmount: '60' })), (e: unknown) => e instanceof RecordStateError && e.field === 'totalAmount');
    const declined = await inTx((tx) => declineEstimate(tx, company, estimate.id));
    assert.equal(declined!.status, 'DECLINED');
  });

  test('a payment above what is owed is refused and changes nothing; a paid invoice cannot be paid again', async () => {
    const invoice = await inTx((tx) => createInvoice(tx, company, { totalAmount: '10' }));
    await assert.rejects(inTx((tx) => recordInvoicePayment(tx, company, invoice.id, { amount: '10.01' })), (e: unknown) => e instanceof RecordInputError && e.field === 'amount');
    await assert.rejects(inTx((tx) => recordInvoicePayment(tx, company, invoice.id, { amount: '0' })), (e: unknown) => e instanceof RecordInputError && e.field === 'amount');
    await inTx((tx) => markInvoicePaid(tx, company, invoice.id));
    await assert.rejects(inTx((tx) => markInvoicePaid(tx, company, invoice.id)), RecordStateError);
  });

  test('bad input is refused naming the field, before anything is written', async () => {
    const refused = async (work: (tx: Tx) => Promise<unknown>, field: string) => {
      await assert.rejects(inTx(work), (error: unknown) => error instanceof RecordInputError && error.field === field);
    };
    await refused((tx) => createEstimate(tx, company, { totalAmount: '12.345' }), 'totalAmount');
    await refused((tx) => createTicket(tx, company, { title: '   ' }, 'api'), 'title');
    await refused((tx) => createTicket(tx, company, { title: 'x', colour: 'red' } as never, 'api'), 'colour');
    await refused((tx) => createJob(tx, company, { title: 'x', scheduledAt: 'tomorrow' }), 'scheduledAt');
    await refused((tx) => createLead(tx, company, { email: 'a@b.c' }), 'businessName');
    await refused((tx) => createLead(tx, company, { contactName: 'Joe' }), 'email');
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM bc_estimates WHERE total_amount = 12.35`);
    assert.equal(rows[0].n, 0);
  });
});

test('createdAt and updatedAt are the transaction’s start (now()), not the application’s clock', async () => {
  await inTx(async (tx) => {
    await tx.execute(sql`SELECT pg_sleep(0.02)`);
    const created = await createTicket(tx, company, { title: 'Stamped' }, 'api');
    const { rows } = await tx.execute<{ same: boolean }>(sql`SELECT updated_at = now()::timestamptz(3) AND created_at = updated_at AS same FROM bc_tickets WHERE id = ${created.id}`);
    assert.equal(rows[0]!.same, true);
  });
});
