import { CONTACT_TYPES, JOB_STATUSES, TICKET_STATUSES } from '../schema.ts';
import { OPERATOR_RESOURCES, type OperatorAction, type OperatorResource } from '../operator/resources.ts';
import type { ChoiceKind, FieldSpec } from './forms.ts';

/**
 * The contractor's record pages, one declaration per entity: which operator resource it shows (so a
 * form post runs exactly the change the operator API runs), the form's fields, the table's columns
 * and the buttons on each row. The handlers and the one template that render these are in
 * record-pages.ts and views/records.eta.
 */

export type Row = { id: string } & Record<string, unknown>;
/** Labels of the company's records by id, for selects and for showing a link by name. */
export type Lookups = Record<ChoiceKind, Map<string, string>>;

export interface ColumnSpec {
  label: string;
  value(row: Row, lookups: Lookups): string | null;
  style?: 'status' | 'code';
}

export interface RowAction {
  /** The operator action it runs (`POST .../<resource>/:id/<path>`). */
  action: OperatorAction;
  label: string;
  /** A choice posted with the button, e.g. the new status. */
  select?: { name: string; label: string; options: readonly string[] };
}

export interface RecordSection {
  resource: OperatorResource;
  title: string;
  /** The record's name in headings and labels ("Water heater", "EST-1001"). */
  nameOf(row: Row): string;
  fields: FieldSpec[];
  columns: ColumnSpec[];
  actions: RowAction[];
  /** What the page's selects and columns need to look up. */
  lookups: ChoiceKind[];
}

function resource(path: string): OperatorResource {
  const found = OPERATOR_RESOURCES.find((r) => r.path === path);
  if (!found) throw new Error(`no operator resource ${path}`);
  return found;
}

function action(resourcePath: string, path: string): OperatorAction {
  const found = resource(resourcePath).actions.find((a) => a.path === path);
  if (!found) throw new Error(`no operator action ${resourcePath}/:id/${path}`);
  return found;
}

const text = (field: string) => (row: Row) => (typeof row[field] === 'string' ? (row[field] as string) : null);
const lookup = (kind: ChoiceKind, field: string) => (row: Row, lookups: Lookups) => {
  const id = row[field];
  return typeof id === 'string' ? (lookups[kind].get(id) ?? id) : null;
};
/** `2026-05-09 14:00 UTC`: minutes are enough on a list. */
const when = (field: string) => (row: Row) => (typeof row[field] === 'string' ? `${(row[field] as string).slice(0, 16).replace('T', ' ')} UTC` : null);

export const RECORD_SECTIONS: RecordSection[] = [
  {
    resource: resource('properties'),
    title: 'Properties',
    nameOf: (row) => String(row.address),
    fields: [
      { name: 'address', label: 'Address (one line)', type: 'text', required: true },
      { name: 'contactId', label: 'Owner', type: 'select', options: 'contact' },
    ],
    columns: [
      { label: 'Address', value: text('address') },
      { label: 'Owner', value: lookup('contact', 'contactId') },
      { label: 'Created', value: when('createdAt') },
    ],
    actions: [],
    lookups: ['contact'],
  },
  {
    resource: resource('contacts'),
    title: 'Contacts',
    nameOf: (row) => String(row.name),
    fields: [
      { name: 'type', label: 'Type', type: 'select', required: true, options: CONTACT_TYPES },
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'businessName', label: 'Business name', type: 'text' },
      { name: 'email', label: 'Email', type: 'email' },
      { name: 'phone', label: 'Phone', type: 'tel' },
      { name: 'address', label: 'Address (one line)', type: 'text' },
    ],
    columns: [
      { label: 'Name', value: text('name') },
      { label: 'Type', value: text('type'), style: 'status' },
      { label: 'Business', value: text('businessName') },
      { label: 'Email', value: text('email') },
      { label: 'Phone', value: text('phone') },
    ],
    actions: [],
    lookups: [],
  },
  {
    resource: resource('tickets'),
    title: 'Tickets',
    nameOf: (row) => String(row.title),
    fields: [
      { name: 'title', label: 'Title', type: 'text', required: true },
      { name: 'description', label: 'Description', type: 'textarea' },
      { name: 'contactName', label: 'Customer name', type: 'text' },
      { name: 'email', label: 'Customer email', type: 'email' },
      { name: 'phone', label: 'Customer phone', type: 'tel' },
      { name: 'address', label: 'Address (one line)', type: 'text' },
      { name: 'contactId', label: 'Contact', type: 'select', options: 'contact' },
      { name: 'propertyId', label: 'Property', type: 'select', options: 'property' },
    ],
    columns: [
      { label: 'Title', value: text('title') },
      { label: 'Status', value: text('status'), style: 'status' },
      { label: 'Customer', value: (row) => text('contactName')(row) ?? text('businessName')(row) },
      { label: 'Source', value: text('source') },
      { label: 'Created', value: when('createdAt') },
    ],
    actions: [{ action: action('tickets', 'status'), label: 'Change status', select: { name: 'status', label: 'New status', options: TICKET_STATUSES } }],
    lookups: ['contact', 'property'],
  },
  {
    resource: resource('jobs'),
    title: 'Jobs',
    nameOf: (row) => String(row.title),
    fields: [
      { name: 'title', label: 'Title', type: 'text', required: true },
      { name: 'propertyId', label: 'Property', type: 'select', options: 'property' },
      { name: 'ticketId', label: 'Made from ticket', type: 'select', options: 'ticket', createOnly: true },
      { name: 'scheduledAt', label: 'Scheduled for (UTC)', type: 'datetime' },
    ],
    columns: [
      { label: 'Title', value: text('title') },
      { label: 'Status', value: text('status'), style: 'status' },
      { label: 'Property', value: lookup('property', 'propertyId') },
      { label: 'Scheduled', value: when('scheduledAt') },
    ],
    actions: [{ action: action('jobs', 'status'), label: 'Change status', select: { name: 'status', label: 'New status', options: JOB_STATUSES } }],
    lookups: ['property', 'ticket'],
  },
  {
    resource: resource('estimates'),
    title: 'Estimates',
    nameOf: (row) => String(row.estimateNumber),
    fields: [
      { name: 'totalAmount', label: 'Total (e.g. 1234.56)', type: 'money', required: true },
      { name: 'jobId', label: 'Job', type: 'select', options: 'job' },
      { name: 'propertyId', label: 'Property', type: 'select', options: 'property' },
    ],
    columns: [
      { label: 'Number', value: text('estimateNumber'), style: 'code' },
      { label: 'Status', value: text('status'), style: 'status' },
      { label: 'Total', value: text('totalAmount') },
      { label: 'Job', value: lookup('job', 'jobId') },
      { label: 'Sent', value: when('sentAt') },
      { label: 'Approved', value: when('approvedAt') },
    ],
    // Every button is always offered: whether a change is allowed now is the records layer's call,
    // and a refusal comes back on the page with its reason.
    actions: [
      { action: action('estimates', 'send'), label: 'Send' },
      { action: action('estimates', 'approve'), label: 'Approve' },
      { action: action('estimates', 'decline'), label: 'Decline' },
    ],
    lookups: ['job', 'property'],
  },
  {
    resource: resource('invoices'),
    title: 'Invoices',
    nameOf: (row) => String(row.invoiceNumber),
    fields: [
      { name: 'totalAmount', label: 'Total (e.g. 1234.56)', type: 'money', required: true },
      { name: 'jobId', label: 'Job', type: 'select', options: 'job' },
    ],
    columns: [
      { label: 'Number', value: text('invoiceNumber'), style: 'code' },
      { label: 'Status', value: text('status'), style: 'status' },
      { label: 'Total', value: text('totalAmount') },
      { label: 'Paid', value: text('amountPaid') },
      { label: 'Job', value: lookup('job', 'jobId') },
      { label: 'Paid in full', value: when('paidAt') },
    ],
    actions: [
      { action: action('invoices', 'send'), label: 'Send' },
      { action: action('invoices', 'mark-paid'), label: 'Mark paid' },
      { action: action('invoices', 'void'), label: 'Void' },
    ],
    lookups: ['job'],
  },
];
