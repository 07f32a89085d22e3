import { Type, type Static } from 'typebox';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { recordEventCtes } from '../../../platform/events/record-event.ts';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcContacts, bcProperties, bcTickets, TICKET_STATUSES } from '../schema.ts';
import {
  assertInput,
  blankToNull,
  findRecord,
  iso,
  listRecords,
  NOW,
  NullableIdInput,
  NullableRecordId,
  NullableText,
  NullableTextInput,
  RecordId,
  RequiredTextInput,
  StringEnum,
  requireReference,
  Timestamp,
  type Db,
} from './common.ts';
import { recordBlueClerkEvent, type BlueClerkEventType } from './events.ts';

/** Spec 4.2. A ticket is a request for work: pushed as a lead, created by a partner or by the contractor. */
export const TicketStatus = StringEnum(TICKET_STATUSES, 'OPEN (new, e.g. from a lead), IN_PROGRESS, CLOSED or CANCELLED');

export const TicketSchema = Type.Object(
  {
    id: RecordId(),
    title: Type.String(),
    status: TicketStatus,
    description: NullableText('Details; a lead’s notes land here'),
    source: NullableText('Where the ticket came from: `api`, `console`, or a lead’s `source` (e.g. `leads2jobs`)'),
    businessName: NullableText('Customer business name'),
    contactName: NullableText('Customer contact person'),
    email: NullableText('Customer email'),
    phone: NullableText('Customer phone'),
    address: NullableText('Single-line address'),
    contactId: NullableRecordId('The Contact this ticket is about'),
    propertyId: NullableRecordId('The Property this ticket is about'),
    jobId: NullableRecordId('The Job created from this ticket'),
    createdAt: Timestamp('When the ticket was created'),
    updatedAt: Timestamp('When the ticket last changed'),
  },
  { $id: 'Ticket', additionalProperties: false },
);
export type Ticket = Static<typeof TicketSchema>;

const customerFields = {
  description: NullableTextInput('Details'),
  businessName: NullableTextInput('Customer business name', 200),
  contactName: NullableTextInput('Customer contact person', 200),
  email: NullableTextInput('Customer email', 254),
  phone: NullableTextInput('Customer phone, E.164 recommended (+15125551234)', 50),
  address: NullableTextInput('Single-line address', 500),
};

/** `POST /tickets` (spec 4.2 TicketCreate). Unknown fields are refused, so a misspelt field is noticed. */
export const TicketCreateInput = Type.Object(
  {
    title: RequiredTextInput('Short summary'),
    description: Type.Optional(customerFields.description),
    businessName: Type.Optional(customerFields.businessName),
    contactName: Type.Optional(customerFields.contactName),
    email: Type.Optional(customerFields.email),
    phone: Type.Optional(customerFields.phone),
    address: Type.Optional(customerFields.address),
    contactId: Type.Optional(NullableIdInput('Id of one of the company’s contacts')),
    propertyId: Type.Optional(NullableIdInput('Id of one of the company’s properties')),
  },
  { $id: 'TicketCreate', additionalProperties: false },
);
export type TicketCreate = Static<typeof TicketCreateInput>;

/** `PATCH /tickets/:id` (spec 4.2 TicketPatch): absent fields stay, `null` clears a nullable field. */
export const TicketPatchInput = Type.Object(
  {
    title: Type.Optional(RequiredTextInput('Short summary')),
    description: Type.Optional(NullableTextInput('Details; null clears it')),
    status: Type.Optional(TicketStatus),
    contactId: Type.Optional(NullableIdInput('Contact id; null clears it')),
    propertyId: Type.Optional(NullableIdInput('Property id; null clears it')),
  },
  { $id: 'TicketPatch', additionalProperties: false },
);
export type TicketPatch = Static<typeof TicketPatchInput>;

/** What the contractor may change (the operator side): the public patch plus the customer fields. */
export const TicketUpdateInput = Type.Object(
  {
    title: Type.Optional(RequiredTextInput('Short summary')),
    status: Type.Optional(TicketStatus),
    description: Type.Optional(customerFields.description),
    businessName: Type.Optional(customerFields.businessName),
    contactName: Type.Optional(customerFields.contactName),
    email: Type.Optional(customerFields.email),
    phone: Type.Optional(customerFields.phone),
    address: Type.Optional(customerFields.address),
    contactId: Type.Optional(NullableIdInput('Contact id; null clears it')),
    propertyId: Type.Optional(NullableIdInput('Property id; null clears it')),
  },
  { $id: 'TicketUpdate', additionalProperties: false },
);
export type TicketUpdate = Static<typeof TicketUpdateInput>;

type TicketRow = typeof bcTickets.$inferSelect;

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    description: row.description,
    source: row.source,
    businessName: row.businessName,
    contactName: row.contactName,
    email: row.email,
    phone: row.phone,
    address: row.address,
    contactId: row.contactId,
    propertyId: row.propertyId,
    jobId: row.jobId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function listTickets(orm: Db, companyId: string, query: ListQuery): Promise<Page<Ticket>> {
  return listRecords(orm, bcTickets, companyId, query, toTicket);
}

export async function getTicket(db: Db, companyId: string, id: string): Promise<Ticket | null> {
  const row = await findRecord(db, bcTickets, companyId, id);
  return row ? toTicket(row) : null;
}

async function checkReferences(tx: Tx, companyId: string, input: { contactId?: string | null; propertyId?: string | null }): Promise<void> {
  await requireReference(tx, bcContacts, companyId, input.contactId, 'contactId', 'contact');
  await requireReference(tx, bcProperties, companyId, input.propertyId, 'propertyId', 'property');
}

/**
 * Creates an OPEN ticket and records `ticket.created` in the same transaction. `source` says where it
 * came from: `api`, `console`, or a lead's own `source`.
 */
export async function createTicket(tx: Tx, companyId: string, input: TicketCreate, source: string): Promise<Ticket> {
  assertInput(TicketCreateInput, input);
  await checkReferences(tx, companyId, input);
  const [row] = await tx.insert(bcTickets).values(newTicketRow(companyId, input, source)).returning();
  const ticket = toTicket(row!);
  await recordBlueClerkEvent(tx, companyId, 'ticket.created', { id: ticket.id, title: ticket.title, status: ticket.status, createdAt: ticket.createdAt });
  return ticket;
}

/** The columns of a new OPEN ticket (createTicket and createTicketStatement write the same row). */
function newTicketRow(companyId: string, input: TicketCreate, source: string) {
  return {
    id: newId(),
    companyId,
    title: input.title.trim(),
    status: 'OPEN' as const,
    description: blankToNull(input.description),
    source: blankToNull(source),
    businessName: blankToNull(input.businessName),
    contactName: blankToNull(input.contactName),
    email: blankToNull(input.email),
    phone: blankToNull(input.phone),
    address: blankToNull(input.address),
    contactId: input.contactId ?? null,
    propertyId: input.propertyId ?? null,
  };
}

/**
 * createTicket as CTEs of one statement (see OneStatementChange): the ticket's INSERT, for the row of
 * `go`, feeds `ticket.created` (its payload built in SQL from the inserted row, so `createdAt` is the
 * row's own timestamp, written as iso() writes it) and the event's webhook deliveries. Only for input
 * without references (a lead): contactId and propertyId would need their checks first. Validates as
 * createTicket does; returns the new ticket's id.
 */
export function createTicketStatement(companyId: string, input: TicketCreate, source: string): { id: string; ctes: SQL } {
  assertInput(TicketCreateInput, input);
  if (input.contactId != null || input.propertyId != null) throw new Error('createTicketStatement takes no references');
  const row = newTicketRow(companyId, input, source);
  const ctes = sql`new_ticket AS (
      INSERT INTO ${bcTickets} (id, company_id, title, status, description, source, business_name, contact_name, email, phone, address)
      SELECT ${row.id}::text, ${companyId}::text, ${row.title}::text, ${row.status}::text, ${row.description}::text, ${row.source}::text,
        ${row.businessName}::text, ${row.contactName}::text, ${row.email}::text, ${row.phone}::text, ${row.address}::text FROM go
      RETURNING id, company_id, title, status, created_at
    ), ${recordEventCtes(sql`
      SELECT ${newId()}::text, company_id, 'blueclerk', ${'ticket.created' satisfies BlueClerkEventType}::text,
        jsonb_build_object('id', id, 'title', title, 'status', status,
          'createdAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM new_ticket`)}`;
  return { id: row.id, ctes };
}

/** Applies a patch (absent fields stay, null clears); null when the company has no such ticket. */
export async function updateTicket(tx: Tx, companyId: string, id: string, patch: TicketUpdate): Promise<Ticket | null> {
  assertInput(TicketUpdateInput, patch);
  const existing = await findRecord(tx, bcTickets, companyId, id, { forUpdate: true });
  if (!existing) return null;
  await checkReferences(tx, companyId, patch);
  const changes: Partial<TicketRow> = {};
  if (patch.title !== undefined) changes.title = patch.title.trim();
  if (patch.status !== undefined) changes.status = patch.status;
  for (const field of ['description', 'businessName', 'contactName', 'email', 'phone', 'address'] as const) {
    if (patch[field] !== undefined) changes[field] = blankToNull(patch[field]);
  }
  if (patch.contactId !== undefined) changes.contactId = patch.contactId;
  if (patch.propertyId !== undefined) changes.propertyId = patch.propertyId;
  if (Object.keys(changes).length === 0) return toTicket(existing);
  const [row] = await tx
    .update(bcTickets)
    .set({ ...changes, updatedAt: NOW })
    .where(and(eq(bcTickets.companyId, companyId), eq(bcTickets.id, id)))
    .returning();
  return toTicket(row!);
}

/** Links a ticket to the job made from it (called by createJob); a ticket keeps its first job. */
export async function linkTicketToJob(tx: Tx, companyId: string, ticketId: string, jobId: string): Promise<void> {
  const existing = await findRecord(tx, bcTickets, companyId, ticketId, { forUpdate: true });
  if (!existing || existing.jobId) return;
  await tx
    .update(bcTickets)
    .set({ jobId, updatedAt: NOW })
    .where(and(eq(bcTickets.companyId, companyId), eq(bcTickets.id, ticketId)));
}

