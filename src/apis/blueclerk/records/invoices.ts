import { Type, type Static } from 'typebox';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcInvoices, bcJobs, INVOICE_STATUSES, type InvoiceStatus as InvoiceStatusCode } from '../schema.ts';
import {
  assertInput,
  findRecord,
  fromCents,
  iso,
  isoOrNull,
  listRecords,
  Money,
  MoneyInput,
  nextDocumentNumber,
  normaliseMoney,
  NOW,
  NullableIdInput,
  NullableRecordId,
  NullableTimestamp,
  RecordId,
  RecordInputError,
  RecordStateError,
  requireReference,
  StringEnum,
  Timestamp,
  toCents,
  type Db,
} from './common.ts';
import { recordBlueClerkEvent } from './events.ts';

/** Spec 4.6: what the customer owes for a job, and how much of it is paid. */
export const InvoiceStatus = StringEnum(INVOICE_STATUSES, 'DRAFT, SENT, PARTIALLY_PAID, PAID or VOID');

export const InvoiceSchema = Type.Object(
  {
    id: RecordId(),
    invoiceNumber: Type.String({ description: 'The company’s invoice number', examples: ['INV-1001'] }),
    status: InvoiceStatus,
    totalAmount: Money('Total, in the contractor’s account currency'),
    amountPaid: Money('Paid so far'),
    paidAt: NullableTimestamp('When the invoice became fully paid'),
    jobId: NullableRecordId('The Job the invoice is for'),
    createdAt: Timestamp('When the invoice was created'),
    updatedAt: Timestamp('When the invoice last changed'),
  },
  { $id: 'Invoice', additionalProperties: false },
);
export type Invoice = Static<typeof InvoiceSchema>;

export const InvoiceCreateInput = Type.Object(
  {
    totalAmount: MoneyInput('Total as a decimal string, e.g. "1234.56"'),
    jobId: Type.Optional(NullableIdInput('Id of one of the company’s jobs')),
  },
  { $id: 'InvoiceCreate', additionalProperties: false },
);
export type InvoiceCreate = Static<typeof InvoiceCreateInput>;

export const InvoiceUpdateInput = Type.Object(
  {
    totalAmount: Type.Optional(MoneyInput('Total; only while the invoice is a draft')),
    jobId: Type.Optional(NullableIdInput('Job id; null clears it')),
  },
  { $id: 'InvoiceUpdate', additionalProperties: false },
);
export type InvoiceUpdate = Static<typeof InvoiceUpdateInput>;

export const InvoicePaymentInput = Type.Object(
  { amount: MoneyInput('Amount received, at most what is still owed') },
  { $id: 'InvoicePayment', additionalProperties: false },
);
export type InvoicePayment = Static<typeof InvoicePaymentInput>;

type InvoiceRow = typeof bcInvoices.$inferSelect;

export function toInvoice(row: InvoiceRow): Invoice {
  return {
    id: row.id,
    invoiceNumber: row.invoiceNumber,
    status: row.status,
    totalAmount: row.totalAmount,
    amountPaid: row.amountPaid,
    paidAt: isoOrNull(row.paidAt),
    jobId: row.jobId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function listInvoices(orm: Db, companyId: string, query: ListQuery): Promise<Page<Invoice>> {
  return listRecords(orm, bcInvoices, companyId, query, toInvoice);
}

export async function getInvoice(db: Db, companyId: string, id: string): Promise<Invoice | null> {
  const row = await findRecord(db, bcInvoices, companyId, id);
  return row ? toInvoice(row) : null;
}

/** A DRAFT invoice with the company's next number (INV-1001, ...). */
export async function createInvoice(tx: Tx, companyId: string, input: InvoiceCreate): Promise<Invoice> {
  assertInput(InvoiceCreateInput, input);
  await requireReference(tx, bcJobs, companyId, input.jobId, 'jobId', 'job');
  const [row] = await tx
    .insert(bcInvoices)
    .values({
      id: newId(),
      companyId,
      invoiceNumber: await nextDocumentNumber(tx, companyId, 'invoice'),
      totalAmount: normaliseMoney(input.totalAmount),
      amountPaid: '0.00',
      status: 'DRAFT',
      jobId: input.jobId ?? null,
    })
    .returning();
  return toInvoice(row!);
}

async function lockInvoice(tx: Tx, companyId: string, id: string): Promise<InvoiceRow | null> {
  return findRecord(tx, bcInvoices, companyId, id, { forUpdate: true });
}

function refuse(invoice: InvoiceRow, field: string, allowed: readonly InvoiceStatusCode[], action: string): never {
  throw new RecordStateError(field, `Invoice ${invoice.invoiceNumber} is ${invoice.status}; only ${allowed.join(' or ')} invoices can ${action}`);
}

/** Changes the job link any time, the total only while the invoice is a draft. */
export async function updateInvoice(tx: Tx, companyId: string, id: string, patch: InvoiceUpdate): Promise<Invoice | null> {
  assertInput(InvoiceUpdateInput, patch);
  const existing = await lockInvoice(tx, companyId, id);
  if (!existing) return null;
  await requireReference(tx, bcJobs, companyId, patch.jobId, 'jobId', 'job');
  const changes: Partial<InvoiceRow> = {};
  if (patch.totalAmount !== undefined) {
    if (existing.status !== 'DRAFT') refuse(existing, 'totalAmount', ['DRAFT'], 'change their total');
    changes.totalAmount = normaliseMoney(patch.totalAmount);
  }
  if (patch.jobId !== undefined) changes.jobId = patch.jobId;
  if (Object.keys(changes).length === 0) return toInvoice(existing);
  const [row] = await tx
    .update(bcInvoices)
    .set({ ...changes, updatedAt: NOW })
    .where(and(eq(bcInvoices.companyId, companyId), eq(bcInvoices.id, id)))
    .returning();
  return toInvoice(row!);
}

/** DRAFT → SENT. */
export async function sendInvoice(tx: Tx, companyId: string, id: string): Promise<Invoice | null> {
  const existing = await lockInvoice(tx, companyId, id);
  if (!existing) return null;
  if (existing.status !== 'DRAFT') refuse(existing, 'status', ['DRAFT'], 'be sent');
  const [row] = await tx
    .update(bcInvoices)
    .set({ status: 'SENT', updatedAt: NOW })
    .where(and(eq(bcInvoices.companyId, companyId), eq(bcInvoices.id, id)))
    .returning();
  return toInvoice(row!);
}

const PAYABLE: readonly InvoiceStatusCode[] = ['DRAFT', 'SENT', 'PARTIALLY_PAID'];

/**
 * Records money received. The invoice becomes PARTIALLY_PAID, or PAID when nothing is owed any more:
 * then `paidAt` is set and `invoice.paid` recorded, in the same transaction.
 */
export async function recordInvoicePayment(tx: Tx, companyId: string, id: string, payment: InvoicePayment): Promise<Invoice | null> {
  assertInput(InvoicePaymentInput, payment);
  const existing = await lockInvoice(tx, companyId, id);
  if (!existing) return null;
  if (!PAYABLE.includes(existing.status)) refuse(existing, 'status', PAYABLE, 'take payments');
  const amount = toCents(payment.amount);
  const owed = toCents(existing.totalAmount) - toCents(existing.amountPaid);
  if (amount <= 0n) throw new RecordInputError('amount', 'amount must be more than 0.00');
  if (amount > owed) throw new RecordInputError('amount', `amount ${fromCents(amount)} is more than the ${fromCents(owed)} still owed`);
  return applyPayment(tx, existing, amount);
}

/** The customer paid everything still owed: PAID, `paidAt` now, `invoice.paid`. */
export async function markInvoicePaid(tx: Tx, companyId: string, id: string): Promise<Invoice | null> {
  const existing = await lockInvoice(tx, companyId, id);
  if (!existing) return null;
  if (!PAYABLE.includes(existing.status)) refuse(existing, 'status', PAYABLE, 'be marked paid');
  return applyPayment(tx, existing, toCents(existing.totalAmount) - toCents(existing.amountPaid));
}

async function applyPayment(tx: Tx, invoice: InvoiceRow, amount: bigint): Promise<Invoice> {
  const paid = toCents(invoice.amountPaid) + amount;
  const fullyPaid = paid === toCents(invoice.totalAmount);
  const [row] = await tx
    .update(bcInvoices)
    .set({ amountPaid: fromCents(paid), status: fullyPaid ? 'PAID' : 'PARTIALLY_PAID', ...(fullyPaid ? { paidAt: NOW } : {}), updatedAt: NOW })
    .where(and(eq(bcInvoices.companyId, invoice.companyId), eq(bcInvoices.id, invoice.id)))
    .returning();
  const updated = toInvoice(row!);
  if (fullyPaid) {
    await recordBlueClerkEvent(tx, invoice.companyId, 'invoice.paid', { id: updated.id, invoiceNumber: updated.invoiceNumber, totalAmount: updated.totalAmount, paidAt: updated.paidAt! });
  }
  return updated;
}

/** Cancels an invoice nothing was paid on. */
export async function voidInvoice(tx: Tx, companyId: string, id: string): Promise<Invoice | null> {
  const existing = await lockInvoice(tx, companyId, id);
  if (!existing) return null;
  if (existing.status !== 'DRAFT' && existing.status !== 'SENT') refuse(existing, 'status', ['DRAFT', 'SENT'], 'be voided');
  const [row] = await tx
    .update(bcInvoices)
    .set({ status: 'VOID', updatedAt: NOW })
    .where(and(eq(bcInvoices.companyId, companyId), eq(bcInvoices.id, id)))
    .returning();
  return toInvoice(row!);
}
