import {
  ContactSchema,
  EstimateSchema,
  toContact,
  toEstimate,
  toInvoice,
  toJob,
  toProperty,
  toTicket,
  InvoiceSchema,
  JobSchema,
  listContacts,
  listEstimates,
  listInvoices,
  listJobs,
  listProperties,
  listTickets,
  PropertySchema,
  TicketSchema,
} from '../records/index.ts';
import { bcContacts, bcEstimates, bcInvoices, bcJobs, bcProperties, bcTickets } from '../schema.ts';
import type { ReadableResource } from './read-routes.ts';

/**
 * The seed's read endpoints, one declaration each: `GET /<path>` lists, `GET /<path>/:id` gets one.
 * (The seed lists no GET-by-id for estimates, invoices and contacts; they have one, as clients expect.)
 */
export const READABLE_RESOURCES: ReadableResource[] = [
  { path: '/tickets', name: 'Tickets', singular: 'ticket', scope: 'tickets:read', schema: TicketSchema, list: listTickets, rows: { table: bcTickets, toApi: toTicket } },
  { path: '/jobs', name: 'Jobs', singular: 'job', scope: 'jobs:read', schema: JobSchema, list: listJobs, rows: { table: bcJobs, toApi: toJob } },
  { path: '/properties', name: 'Properties', singular: 'property', scope: 'properties:read', schema: PropertySchema, list: listProperties, rows: { table: bcProperties, toApi: toProperty } },
  { path: '/estimates', name: 'Estimates', singular: 'estimate', scope: 'estimates:read', schema: EstimateSchema, list: listEstimates, rows: { table: bcEstimates, toApi: toEstimate } },
  { path: '/invoices', name: 'Invoices', singular: 'invoice', scope: 'invoices:read', schema: InvoiceSchema, list: listInvoices, rows: { table: bcInvoices, toApi: toInvoice } },
  { path: '/contacts', name: 'Contacts', singular: 'contact', scope: 'contacts:read', schema: ContactSchema, list: listContacts, rows: { table: bcContacts, toApi: toContact } },
];
