import { Type, type Static } from 'typebox';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcEstimates, bcJobs, bcProperties, ESTIMATE_STATUSES, type EstimateStatus as EstimateStatusCode } from '../schema.ts';
import {
  assertInput,
  findRecord,
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
  RecordStateError,
  requireReference,
  StringEnum,
  Timestamp,
  type Db,
} from './common.ts';
import { recordBlueClerkEvent } from './events.ts';

/** Spec 4.5: a priced offer sent to the customer, who approves (or declines) it. */
export const EstimateStatus = StringEnum(ESTIMATE_STATUSES, 'DRAFT, SENT, APPROVED or DECLINED');

export const EstimateSchema = Type.Object(
  {
    id: RecordId(),
    estimateNumber: Type.String({ description: 'The company’s estimate number', examples: ['EST-1001'] }),
    status: EstimateStatus,
    totalAmount: Money('Total, in the contractor’s account currency'),
    sentAt: NullableTimestamp('When the estimate was (last) sent to the customer'),
    approvedAt: NullableTimestamp('When the customer approved it'),
    jobId: NullableRecordId('The Job the estimate is for'),
    propertyId: NullableRecordId('The Property the estimate is for'),
    createdAt: Timestamp('When the estimate was created'),
    updatedAt: Timestamp('When the estimate last changed'),
  },
  { $id: 'Estimate', additionalProperties: false },
);
export type Estimate = Static<typeof EstimateSchema>;

export const EstimateCreateInput = Type.Object(
  {
    totalAmount: MoneyInput('Total as a decimal string, e.g. "1234.56"'),
    jobId: Type.Optional(NullableIdInput('Id of one of the company’s jobs')),
    propertyId: Type.Optional(NullableIdInput('Id of one of the company’s properties')),
  },
  { $id: 'EstimateCreate', additionalProperties: false },
);
export type EstimateCreate = Static<typeof EstimateCreateInput>;

export const EstimateUpdateInput = Type.Object(
  {
    totalAmount: Type.Optional(MoneyInput('Total; only while the estimate is a draft')),
    jobId: Type.Optional(NullableIdInput('Job id; null clears it')),
    propertyId: Type.Optional(NullableIdInput('Property id; null clears it')),
  },
  { $id: 'EstimateUpdate', additionalProperties: false },
);
export type EstimateUpdate = Static<typeof EstimateUpdateInput>;

type EstimateRow = typeof bcEstimates.$inferSelect;

export function toEstimate(row: EstimateRow): Estimate {
  return {
    id: row.id,
    estimateNumber: row.estimateNumber,
    status: row.status,
    totalAmount: row.totalAmount,
    sentAt: isoOrNull(row.sentAt),
    approvedAt: isoOrNull(row.approvedAt),
    jobId: row.jobId,
    propertyId: row.propertyId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function listEstimates(orm: Db, companyId: string, query: ListQuery): Promise<Page<Estimate>> {
  return listRecords(orm, bcEstimates, companyId, query, toEstimate);
}

export async function getEstimate(db: Db, companyId: string, id: string): Promise<Estimate | null> {
  const row = await findRecord(db, bcEstimates, companyId, id);
  return row ? toEstimate(row) : null;
}

async function checkReferences(tx: Tx, companyId: string, input: { jobId?: string | null; propertyId?: string | null }): Promise<void> {
  await requireReference(tx, bcJobs, companyId, input.jobId, 'jobId', 'job');
  await requireReference(tx, bcProperties, companyId, input.propertyId, 'propertyId', 'property');
}

/** A DRAFT estimate with the company's next number (EST-1001, ...). */
export async function createEstimate(tx: Tx, companyId: string, input: EstimateCreate): Promise<Estimate> {
  assertInput(EstimateCreateInput, input);
  await checkReferences(tx, companyId, input);
  const [row] = await tx
    .insert(bcEstimates)
    .values({
      id: newId(),
      companyId,
      estimateNumber: await nextDocumentNumber(tx, companyId, 'estimate'),
      totalAmount: normaliseMoney(input.totalAmount),
      status: 'DRAFT',
      jobId: input.jobId ?? null,
      propertyId: input.propertyId ?? null,
    })
    .returning();
  return toEstimate(row!);
}

/** Changes links any time, the total only while the estimate is a draft (the customer saw the sent one). */
export async function updateEstimate(tx: Tx, companyId: string, id: string, patch: EstimateUpdate): Promise<Estimate | null> {
  assertInput(EstimateUpdateInput, patch);
  const existing = await findRecord(tx, bcEstimates, companyId, id, { forUpdate: true });
  if (!existing) return null;
  await checkReferences(tx, companyId, patch);
  const changes: Partial<EstimateRow> = {};
  if (patch.totalAmount !== undefined) {
    if (existing.status !== 'DRAFT') throw new RecordStateError('totalAmount', `Estimate ${existing.estimateNumber} is ${existing.status}; only a draft’s total can change`);
    changes.totalAmount = normaliseMoney(patch.totalAmount);
  }
  if (patch.jobId !== undefined) changes.jobId = patch.jobId;
  if (patch.propertyId !== undefined) changes.propertyId = patch.propertyId;
  if (Object.keys(changes).length === 0) return toEstimate(existing);
  const [row] = await tx
    .update(bcEstimates)
    .set({ ...changes, updatedAt: NOW })
    .where(and(eq(bcEstimates.companyId, companyId), eq(bcEstimates.id, id)))
    .returning();
  return toEstimate(row!);
}

async function transition(
  tx: Tx,
  companyId: string,
  id: string,
  allowedFrom: readonly EstimateStatusCode[],
  to: EstimateStatusCode,
  stamp: { sentAt?: typeof NOW; approvedAt?: typeof NOW },
): Promise<Estimate | null> {
  const existing = await findRecord(tx, bcEstimates, companyId, id, { forUpdate: true });
  if (!existing) return null;
  if (!allowedFrom.includes(existing.status)) {
    throw new RecordStateError('status', `Estimate ${existing.estimateNumber} is ${existing.status}; it must be ${allowedFrom.join(' or ')} to become ${to}`);
  }
  const [row] = await tx
    .update(bcEstimates)
    .set({ status: to, ...stamp, updatedAt: NOW })
    .where(and(eq(bcEstimates.companyId, companyId), eq(bcEstimates.id, id)))
    .returning();
  return toEstimate(row!);
}

/** Sends (or re-sends) the estimate to the customer: SENT, `sentAt` now, `estimate.sent`. */
export async function sendEstimate(tx: Tx, companyId: string, id: string): Promise<Estimate | null> {
  const estimate = await transition(tx, companyId, id, ['DRAFT', 'SENT'], 'SENT', { sentAt: NOW });
  if (estimate) {
    await recordBlueClerkEvent(tx, companyId, 'estimate.sent', { id: estimate.id, estimateNumber: estimate.estimateNumber, totalAmount: estimate.totalAmount, sentAt: estimate.sentAt! });
  }
  return estimate;
}

/** The customer accepted a sent estimate: APPROVED, `approvedAt` now, `estimate.approved`. */
export async function approveEstimate(tx: Tx, companyId: string, id: string): Promise<Estimate | null> {
  const estimate = await transition(tx, companyId, id, ['SENT'], 'APPROVED', { approvedAt: NOW });
  if (estimate) {
    await recordBlueClerkEvent(tx, companyId, 'estimate.approved', { id: estimate.id, estimateNumber: estimate.estimateNumber, approvedAt: estimate.approvedAt! });
  }
  return estimate;
}

/** The customer turned a sent estimate down (no webhook event exists for this). */
export function declineEstimate(tx: Tx, companyId: string, id: string): Promise<Estimate | null> {
  return transition(tx, companyId, id, ['SENT'], 'DECLINED', {});
}
