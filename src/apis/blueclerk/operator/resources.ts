import type { TSchema } from 'typebox';
import type { Orm } from '../../../platform/db/database.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import {
  ContactCreateInput,
  ContactSchema,
  ContactUpdateInput,
  EstimateCreateInput,
  EstimateSchema,
  EstimateUpdateInput,
  getContact,
  getEstimate,
  getInvoice,
  getJob,
  getProperty,
  getTicket,
  InvoiceCreateInput,
  InvoicePaymentInput,
  InvoiceSchema,
  InvoiceUpdateInput,
  JobCreateInput,
  JobSchema,
  JobUpdateInput,
  listContacts,
  listEstimates,
  listInvoices,
  listJobs,
  listProperties,
  listTickets,
  PropertyCreateInput,
  PropertySchema,
  PropertyUpdateInput,
  TicketCreateInput,
  TicketSchema,
  TicketUpdateInput,
} from '../records/index.ts';
import { contractorChanges, JobStatusChangeInput, TicketStatusChangeInput, type CreateChange, type RecordChange } from './changes.ts';

/**
 * The operator API as declarations. Each resource under `/blueclerk/operator/companies/:companyId/`
 * gets `GET /<path>` (a page, as the public API pages), `GET /<path>/:id`, `POST /<path>` (create, 201)
 * and `PATCH /<path>/:id` (absent fields stay, null clears); each action is `POST /<path>/:id/<action>`.
 * The handlers are written once, in routes.ts.
 */
export interface OperatorAction {
  /** The last path segment, e.g. `send` for `POST /estimates/:id/send`. */
  path: string;
  summary: string;
  /** The body it takes; null for a bare command (send, approve, mark-paid, ...). */
  body: TSchema | null;
  change: RecordChange<never>;
}

export interface OperatorResource {
  path: string;
  singular: string;
  schema: TSchema;
  list(orm: Orm, companyId: string, query: ListQuery): Promise<Page<unknown>>;
  get(orm: Orm, companyId: string, id: string): Promise<unknown>;
  create: { body: TSchema; change: CreateChange<never> };
  update: { body: TSchema; change: RecordChange<never> };
  actions: OperatorAction[];
}

const c = contractorChanges;

export const OPERATOR_RESOURCES: OperatorResource[] = [
  {
    path: 'properties',
    singular: 'property',
    schema: PropertySchema,
    list: listProperties,
    get: getProperty,
    create: { body: PropertyCreateInput, change: c.createProperty },
    update: { body: PropertyUpdateInput, change: c.updateProperty },
    actions: [],
  },
  {
    path: 'contacts',
    singular: 'contact',
    schema: ContactSchema,
    list: listContacts,
    get: getContact,
    create: { body: ContactCreateInput, change: c.createContact },
    update: { body: ContactUpdateInput, change: c.updateContact },
    actions: [],
  },
  {
    path: 'tickets',
    singular: 'ticket',
    schema: TicketSchema,
    list: listTickets,
    get: getTicket,
    create: { body: TicketCreateInput, change: c.createTicket },
    update: { body: TicketUpdateInput, change: c.updateTicket },
    actions: [{ path: 'status', summary: 'Change the ticket’s status', body: TicketStatusChangeInput, change: c.changeTicketStatus }],
  },
  {
    path: 'jobs',
    singular: 'job',
    schema: JobSchema,
    list: listJobs,
    get: getJob,
    create: { body: JobCreateInput, change: c.createJob },
    update: { body: JobUpdateInput, change: c.updateJob },
    actions: [{ path: 'status', summary: 'Change the job’s status (records job.status_changed)', body: JobStatusChangeInput, change: c.changeJobStatus }],
  },
  {
    path: 'estimates',
    singular: 'estimate',
    schema: EstimateSchema,
    list: listEstimates,
    get: getEstimate,
    create: { body: EstimateCreateInput, change: c.createEstimate },
    update: { body: EstimateUpdateInput, change: c.updateEstimate },
    actions: [
      { path: 'send', summary: 'Send (or re-send) the estimate to the customer (records estimate.sent)', body: null, change: c.sendEstimate },
      { path: 'approve', summary: 'The customer approved the sent estimate (records estimate.approved)', body: null, change: c.approveEstimate },
      { path: 'decline', summary: 'The customer declined the sent estimate', body: null, change: c.declineEstimate },
    ],
  },
  {
    path: 'invoices',
    singular: 'invoice',
    schema: InvoiceSchema,
    list: listInvoices,
    get: getInvoice,
    create: { body: InvoiceCreateInput, change: c.createInvoice },
    update: { body: InvoiceUpdateInput, change: c.updateInvoice },
    actions: [
      { path: 'send', summary: 'Send the draft invoice', body: null, change: c.sendInvoice },
      { path: 'payments', summary: 'Record money received (records invoice.paid when nothing is owed any more)', body: InvoicePaymentInput, change: c.recordInvoicePayment },
      { path: 'mark-paid', summary: 'The customer paid everything still owed (records invoice.paid)', body: null, change: c.markInvoicePaid },
      { path: 'void', summary: 'Cancel an invoice nothing was paid on', body: null, change: c.voidInvoice },
    ],
  },
];
