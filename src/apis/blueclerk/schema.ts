import { check, foreignKey, index, integer, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, type PgTableExtraConfigValue } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { companies } from '../../platform/tenancy/schema.ts';

/**
 * BlueClerk's records (spec section 4). Every table carries `company_id` and its primary key is
 * (company_id, id); links between records are composite foreign keys on (company_id, <link>), so a
 * record can never point at another company's record, whatever the code above does. Ids are CUIDs made
 * by src/platform/ids.ts; money is exact `numeric` (read back as strings); timestamps keep milliseconds
 * and are stamped with the transaction's `now()`, which the sync horizon in src/platform/pagination
 * relies on.
 *
 * Two keyset indexes per table serve the two list orders: browse (created_at, id) read backwards for
 * "newest first", and sync (updated_at, id) read forwards for `updatedSince`.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const recordColumns = () => ({
  id: text('id').notNull(),
  companyId: text('company_id')
    .notNull()
    .references(() => companies.id, { onDelete: 'cascade' }),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});
// Up to 999,999,999,999.99 in the contractor's account currency.
const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

export const CONTACT_TYPES = ['HOMEOWNER', 'BUILDER'] as const;
export const TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'CLOSED', 'CANCELLED'] as const;
export const JOB_STATUSES = ['SCHEDULED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CANCELLED'] as const;
export const ESTIMATE_STATUSES = ['DRAFT', 'SENT', 'APPROVED', 'DECLINED'] as const;
export const INVOICE_STATUSES = ['DRAFT', 'SENT', 'PARTIALLY_PAID', 'PAID', 'VOID'] as const;

export type ContactType = (typeof CONTACT_TYPES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
export type EstimateStatus = (typeof ESTIMATE_STATUSES)[number];
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

const oneOf = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(','));

export const bcContacts = pgTable(
  'bc_contacts',
  {
    ...recordColumns(),
    type: text('type').$type<ContactType>().notNull(),
    name: text('name').notNull(),
    businessName: text('business_name'),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
  },
  (t) => [
    primaryKey({ name: 'bc_contacts_pk', columns: [t.companyId, t.id] }),
    index('bc_contacts_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_contacts_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_contacts_type_check', sql`${t.type} in (${oneOf(CONTACT_TYPES)})`),
  ],
);

export const bcProperties = pgTable(
  'bc_properties',
  {
    ...recordColumns(),
    address: text('address').notNull(),
    /** The owner (homeowner) of the property. */
    contactId: text('contact_id'),
  },
  (t) => [
    primaryKey({ name: 'bc_properties_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'bc_properties_contact_fk', columns: [t.companyId, t.contactId], foreignColumns: [bcContacts.companyId, bcContacts.id] }),
    index('bc_properties_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_properties_sync_idx').on(t.companyId, t.updatedAt, t.id),
  ],
);

export const bcTickets = pgTable(
  'bc_tickets',
  {
    ...recordColumns(),
    title: text('title').notNull(),
    status: text('status').$type<TicketStatus>().notNull(),
    description: text('description'),
    /** `api`, `console`, or the lead's `source` (e.g. `leads2jobs`). */
    source: text('source'),
    businessName: text('business_name'),
    contactName: text('contact_name'),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
    contactId: text('contact_id'),
    propertyId: text('property_id'),
    jobId: text('job_id'),
  },
  (t): PgTableExtraConfigValue[] => [
    primaryKey({ name: 'bc_tickets_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'bc_tickets_contact_fk', columns: [t.companyId, t.contactId], foreignColumns: [bcContacts.companyId, bcContacts.id] }),
    foreignKey({ name: 'bc_tickets_property_fk', columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    // Jobs and tickets point at each other; the job side is declared on bc_jobs.
    foreignKey({ name: 'bc_tickets_job_fk', columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    index('bc_tickets_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_tickets_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_tickets_status_check', sql`${t.status} in (${oneOf(TICKET_STATUSES)})`),
  ],
);

export const bcJobs = pgTable(
  'bc_jobs',
  {
    ...recordColumns(),
    title: text('title').notNull(),
    status: text('status').$type<JobStatus>().notNull(),
    propertyId: text('property_id'),
    /** The ticket the job was created from. */
    ticketId: text('ticket_id'),
    scheduledAt: ts('scheduled_at'),
    completedAt: ts('completed_at'),
  },
  (t): PgTableExtraConfigValue[] => [
    primaryKey({ name: 'bc_jobs_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'bc_jobs_property_fk', columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    foreignKey({
      name: 'bc_jobs_ticket_fk',
      columns: [t.companyId, t.ticketId],
      foreignColumns: [bcTickets.companyId, bcTickets.id],
    }),
    index('bc_jobs_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_jobs_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_jobs_status_check', sql`${t.status} in (${oneOf(JOB_STATUSES)})`),
  ],
);

export const bcEstimates = pgTable(
  'bc_estimates',
  {
    ...recordColumns(),
    estimateNumber: text('estimate_number').notNull(),
    totalAmount: money('total_amount').notNull(),
    status: text('status').$type<EstimateStatus>().notNull(),
    sentAt: ts('sent_at'),
    approvedAt: ts('approved_at'),
    jobId: text('job_id'),
    propertyId: text('property_id'),
  },
  (t) => [
    primaryKey({ name: 'bc_estimates_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'bc_estimates_job_fk', columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    foreignKey({ name: 'bc_estimates_property_fk', columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    uniqueIndex('bc_estimates_number_key').on(t.companyId, t.estimateNumber),
    index('bc_estimates_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_estimates_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_estimates_status_check', sql`${t.status} in (${oneOf(ESTIMATE_STATUSES)})`),
    check('bc_estimates_total_check', sql`${t.totalAmount} >= 0`),
  ],
);

export const bcInvoices = pgTable(
  'bc_invoices',
  {
    ...recordColumns(),
    invoiceNumber: text('invoice_number').notNull(),
    totalAmount: money('total_amount').notNull(),
    amountPaid: money('amount_paid').notNull().default('0'),
    status: text('status').$type<InvoiceStatus>().notNull(),
    /** Set when the invoice becomes fully paid (`invoice.paid`). */
    paidAt: ts('paid_at'),
    jobId: text('job_id'),
  },
  (t) => [
    primaryKey({ name: 'bc_invoices_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'bc_invoices_job_fk', columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    uniqueIndex('bc_invoices_number_key').on(t.companyId, t.invoiceNumber),
    index('bc_invoices_browse_idx').on(t.companyId, t.createdAt, t.id),
    index('bc_invoices_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_invoices_status_check', sql`${t.status} in (${oneOf(INVOICE_STATUSES)})`),
    check('bc_invoices_amounts_check', sql`${t.totalAmount} >= 0 and ${t.amountPaid} >= 0 and ${t.amountPaid} <= ${t.totalAmount}`),
  ],
);

/**
 * Per-company document numbers (EST-1001, INV-1001), allocated by an upsert inside the creating
 * transaction: two estimates created at once get different numbers, and a rolled-back creation gives
 * its number back.
 */
export const bcNumberSequences = pgTable(
  'bc_number_sequences',
  {
    companyId: text('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'estimate' | 'invoice'>().notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [primaryKey({ name: 'bc_number_sequences_pk', columns: [t.companyId, t.kind] })],
);
