import {
  ContactSchema,
  EstimateSchema,
  getContact,
  getEstimate,
  getInvoice,
  getJob,
  getProperty,
  getTicket,
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
import type { ReadableResource } from './read-routes.ts';

/**
 * The seed's read endpoints, one declaration each: `GET /<path>` lists, `GET /<path>/:id` gets one.
 * (The seed lists no GET-by-id for estimates, invoices and contacts; they have one, as clients expect.)
 */
export const READABLE_RESOURCES: ReadableResource[] = [
  { path: '/tickets', name: 'Tickets', singular: 'ticket', scope: 'tickets:read', schema: TicketSchema, list: listTickets, get: getTicket },
  { path: '/jobs', name: 'Jobs', singular: 'job', scope: 'jobs:read', schema: JobSchema, list: listJobs, get: getJob },
  { path: '/properties', name: 'Properties', singular: 'property', scope: 'properties:read', schema: PropertySchema, list: listProperties, get: getProperty },
  { path: '/estimates', name: 'Estimates', singular: 'estimate', scope: 'estimates:read', schema: EstimateSchema, list: listEstimates, get: getEstimate },
  { path: '/invoices', name: 'Invoices', singular: 'invoice', scope: 'invoices:read', schema: InvoiceSchema, list: listInvoices, get: getInvoice },
  { path: '/contacts', name: 'Contacts', singular: 'contact', scope: 'contacts:read', schema: ContactSchema, list: listContacts, get: getContact },
];
