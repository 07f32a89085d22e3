import { Type, type Static } from 'typebox';
import type { Database } from '../../../platform/db/database.ts';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import {
  approveEstimate,
  changeJobStatus,
  createContact,
  createEstimate,
  createInvoice,
  createJob,
  createProperty,
  createTicket,
  declineEstimate,
  JobStatus,
  TicketStatus,
  markInvoicePaid,
  recordInvoicePayment,
  sendEstimate,
  sendInvoice,
  updateContact,
  updateEstimate,
  updateInvoice,
  updateJob,
  updateProperty,
  updateTicket,
  voidInvoice,
  type ContactCreate,
  type ContactUpdate,
  type EstimateCreate,
  type EstimateUpdate,
  type InvoiceCreate,
  type InvoicePayment,
  type InvoiceUpdate,
  type JobCreate,
  type JobUpdate,
  type PropertyCreate,
  type PropertyUpdate,
  type TicketCreate,
  type TicketUpdate,
} from '../records/index.ts';

/** What a ticket made by the contractor says it came from (`Ticket.source`). */
export const CONTRACTOR_SOURCE = 'console';

/** `POST .../jobs/:id/status`: the one field a status change takes. */
export const JobStatusChangeInput = Type.Object({ status: JobStatus }, { additionalProperties: false });
export type JobStatusChange = Static<typeof JobStatusChangeInput>;

/** `POST .../tickets/:id/status`: a ticket moves along as a job does (it has no event of its own). */
export const TicketStatusChangeInput = Type.Object({ status: TicketStatus }, { additionalProperties: false });
export type TicketStatusChange = Static<typeof TicketStatusChangeInput>;

/** A change that makes a record. */
export type CreateChange<I = never, O = unknown> = (tx: Tx, companyId: string, input: I) => Promise<O>;
/** A change to one record; null when the company has no record with that id. */
export type RecordChange<I = never, O = unknown> = (tx: Tx, companyId: string, id: string, input: I) => Promise<O | null>;

/**
 * Everything the contractor can change, in one table. The operator API's routes and the console's
 * forms both name an entry here and run it with `runChange`, so a page post and a JSON request take
 * the same path into the same record function, which checks the input, enforces the record's state
 * rules and records the domain event in the change's transaction. Rules live in the records layer;
 * this table only gives every change the same shape.
 */
export const contractorChanges = {
  createContact: ((tx, companyId, input) => createContact(tx, companyId, input)) as CreateChange<ContactCreate>,
  updateContact: ((tx, companyId, id, patch) => updateContact(tx, companyId, id, patch)) as RecordChange<ContactUpdate>,
  createProperty: ((tx, companyId, input) => createProperty(tx, companyId, input)) as CreateChange<PropertyCreate>,
  updateProperty: ((tx, companyId, id, patch) => updateProperty(tx, companyId, id, patch)) as RecordChange<PropertyUpdate>,
  createTicket: ((tx, companyId, input) => createTicket(tx, companyId, input, CONTRACTOR_SOURCE)) as CreateChange<TicketCreate>,
  updateTicket: ((tx, companyId, id, patch) => updateTicket(tx, companyId, id, patch)) as RecordChange<TicketUpdate>,
  changeTicketStatus: ((tx, companyId, id, input) => updateTicket(tx, companyId, id, { status: input.status })) as RecordChange<TicketStatusChange>,
  createJob: ((tx, companyId, input) => createJob(tx, companyId, input)) as CreateChange<JobCreate>,
  updateJob: ((tx, companyId, id, patch) => updateJob(tx, companyId, id, patch)) as RecordChange<JobUpdate>,
  changeJobStatus: ((tx, companyId, id, input) => changeJobStatus(tx, companyId, id, input.status)) as RecordChange<JobStatusChange>,
  createEstimate: ((tx, companyId, input) => createEstimate(tx, companyId, input)) as CreateChange<EstimateCreate>,
  updateEstimate: ((tx, companyId, id, patch) => updateEstimate(tx, companyId, id, patch)) as RecordChange<EstimateUpdate>,
  sendEstimate: ((tx, companyId, id) => sendEstimate(tx, companyId, id)) as RecordChange<unknown>,
  approveEstimate: ((tx, companyId, id) => approveEstimate(tx, companyId, id)) as RecordChange<unknown>,
  declineEstimate: ((tx, companyId, id) => declineEstimate(tx, companyId, id)) as RecordChange<unknown>,
  createInvoice: ((tx, companyId, input) => createInvoice(tx, companyId, input)) as CreateChange<InvoiceCreate>,
  updateInvoice: ((tx, companyId, id, patch) => updateInvoice(tx, companyId, id, patch)) as RecordChange<InvoiceUpdate>,
  sendInvoice: ((tx, companyId, id) => sendInvoice(tx, companyId, id)) as RecordChange<unknown>,
  recordInvoicePayment: ((tx, companyId, id, payment) => recordInvoicePayment(tx, companyId, id, payment)) as RecordChange<InvoicePayment>,
  markInvoicePaid: ((tx, companyId, id) => markInvoicePaid(tx, companyId, id)) as RecordChange<unknown>,
  voidInvoice: ((tx, companyId, id) => voidInvoice(tx, companyId, id)) as RecordChange<unknown>,
};

export type ContractorChangeName = keyof typeof contractorChanges;

/**
 * Runs one change in its own transaction: the record, its domain event and any reference check commit
 * together, and an error (bad input, wrong state, a reference to another company's record) rolls all
 * of it back, so nothing is ever half-written.
 */
export function runChange<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.orm.transaction(work);
}
