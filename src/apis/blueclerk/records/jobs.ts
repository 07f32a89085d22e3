import { Type, type Static } from 'typebox';
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcJobs, bcProperties, bcTickets, JOB_STATUSES, type JobStatus as JobStatusCode } from '../schema.ts';
import {
  assertInput,
  findRecord,
  iso,
  isoOrNull,
  listRecords,
  NOW,
  NullableIdInput,
  NullableRecordId,
  NullableTimestamp,
  RecordId,
  RequiredTextInput,
  requireReference,
  StringEnum,
  Timestamp,
  TimestampInput,
  type Db,
} from './common.ts';
import { recordBlueClerkEvent } from './events.ts';
import { linkTicketToJob } from './tickets.ts';

/** Spec 4.3: the work itself, usually at a property, often made from a ticket. */
export const JobStatus = StringEnum(JOB_STATUSES, 'SCHEDULED, IN_PROGRESS, ON_HOLD, COMPLETED or CANCELLED');

export const JobSchema = Type.Object(
  {
    id: RecordId(),
    title: Type.String(),
    status: JobStatus,
    propertyId: NullableRecordId('The Property the job is at'),
    ticketId: NullableRecordId('The Ticket the job was made from'),
    scheduledAt: NullableTimestamp('When the job is scheduled to start'),
    completedAt: NullableTimestamp('When the job was completed (status COMPLETED)'),
    createdAt: Timestamp('When the job was created'),
    updatedAt: Timestamp('When the job last changed'),
  },
  { $id: 'Job', additionalProperties: false },
);
export type Job = Static<typeof JobSchema>;

export const JobCreateInput = Type.Object(
  {
    title: RequiredTextInput('Short description of the work'),
    status: Type.Optional(JobStatus),
    propertyId: Type.Optional(NullableIdInput('Id of one of the company’s properties')),
    ticketId: Type.Optional(NullableIdInput('Id of the ticket the job is made from')),
    scheduledAt: Type.Optional(Type.Union([TimestampInput('When the job is scheduled to start (ISO 8601)'), Type.Null()])),
  },
  { $id: 'JobCreate', additionalProperties: false },
);
export type JobCreate = Static<typeof JobCreateInput>;

export const JobUpdateInput = Type.Object(
  {
    title: Type.Optional(RequiredTextInput('Short description of the work')),
    status: Type.Optional(JobStatus),
    propertyId: Type.Optional(NullableIdInput('Property id; null clears it')),
    scheduledAt: Type.Optional(Type.Union([TimestampInput('When the job is scheduled to start (ISO 8601)'), Type.Null()])),
  },
  { $id: 'JobUpdate', additionalProperties: false },
);
export type JobUpdate = Static<typeof JobUpdateInput>;

type JobRow = typeof bcJobs.$inferSelect;

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    propertyId: row.propertyId,
    ticketId: row.ticketId,
    scheduledAt: isoOrNull(row.scheduledAt),
    completedAt: isoOrNull(row.completedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function listJobs(orm: Db, companyId: string, query: ListQuery): Promise<Page<Job>> {
  return listRecords(orm, bcJobs, companyId, query, toJob);
}

export async function getJob(db: Db, companyId: string, id: string): Promise<Job | null> {
  const row = await findRecord(db, bcJobs, companyId, id);
  return row ? toJob(row) : null;
}

/**
 * Creates a job and records `job.created` in the same transaction. A job made from a ticket links the
 * ticket back to it (`ticket.jobId`), unless the ticket already has a job.
 */
export async function createJob(tx: Tx, companyId: string, input: JobCreate): Promise<Job> {
  assertInput(JobCreateInput, input);
  await requireReference(tx, bcProperties, companyId, input.propertyId, 'propertyId', 'property');
  await requireReference(tx, bcTickets, companyId, input.ticketId, 'ticketId', 'ticket');
  const status = input.status ?? 'SCHEDULED';
  const [row] = await tx
    .insert(bcJobs)
    .values({
      id: newId(),
      companyId,
      title: input.title.trim(),
      status,
      propertyId: input.propertyId ?? null,
      ticketId: input.ticketId ?? null,
      scheduledAt: input.scheduledAt ? new Date(input.scheduledAt) : null,
      completedAt: status === 'COMPLETED' ? sql`now()` : null,
    })
    .returning();
  const job = toJob(row!);
  if (job.ticketId) await linkTicketToJob(tx, companyId, job.ticketId, job.id);
  await recordBlueClerkEvent(tx, companyId, 'job.created', { id: job.id, title: job.title, status: job.status, propertyId: job.propertyId, createdAt: job.createdAt });
  return job;
}

/**
 * Applies a patch (absent fields stay, null clears); null when the company has no such job. A status
 * change records `job.status_changed` and keeps `completedAt` in step: set on COMPLETED, cleared when
 * a completed job is reopened.
 */
export async function updateJob(tx: Tx, companyId: string, id: string, patch: JobUpdate): Promise<Job | null> {
  assertInput(JobUpdateInput, patch);
  const existing = await findRecord(tx, bcJobs, companyId, id, { forUpdate: true });
  if (!existing) return null;
  await requireReference(tx, bcProperties, companyId, patch.propertyId, 'propertyId', 'property');
  const changes: Partial<Record<keyof JobRow, unknown>> = {};
  if (patch.title !== undefined) changes.title = patch.title.trim();
  if (patch.propertyId !== undefined) changes.propertyId = patch.propertyId;
  if (patch.scheduledAt !== undefined) changes.scheduledAt = patch.scheduledAt === null ? null : new Date(patch.scheduledAt);
  const statusChange = patch.status !== undefined && patch.status !== existing.status ? { from: existing.status, to: patch.status } : null;
  if (statusChange) {
    changes.status = statusChange.to;
    if (statusChange.to === 'COMPLETED') changes.completedAt = NOW;
    else if (statusChange.from === 'COMPLETED') changes.completedAt = null;
  }
  if (Object.keys(changes).length === 0) return toJob(existing);
  const [row] = await tx
    .update(bcJobs)
    .set({ ...(changes as Partial<JobRow>), updatedAt: NOW })
    .where(and(eq(bcJobs.companyId, companyId), eq(bcJobs.id, id)))
    .returning();
  const job = toJob(row!);
  if (statusChange) {
    await recordBlueClerkEvent(tx, companyId, 'job.status_changed', { id: job.id, oldStatus: statusChange.from, newStatus: statusChange.to, changedAt: job.updatedAt });
  }
  return job;
}

/** The contractor moves a job along (SCHEDULED → IN_PROGRESS → COMPLETED, or ON_HOLD, CANCELLED). */
export function changeJobStatus(tx: Tx, companyId: string, id: string, status: JobStatusCode): Promise<Job | null> {
  return updateJob(tx, companyId, id, { status });
}
