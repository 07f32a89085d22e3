import { foreignKey, index, numeric, pgTable, text, timestamp, unique, check, integer, primaryKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { companies } from '../../platform/tenancy/schema.ts';

/**
 * BlueClerk's records. Every table carries `company_id`; links between records are composite foreign
 * keys on (company_id, id), so a record can never point at another company's record, whatever the code
 * above does. Keyset indexes serve both list orders (browse: created desc; sync: updated asc).
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const common = {
  id: text('id').notNull(),
  companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
};
const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

export const CONTACT_TYPES = ['HOMEOWNER', 'BUILDER'] as const;
export const TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'CLOSED', 'CANCELLED'] as const;
export const JOB_STATUSES = ['SCHEDULED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CANCELLED'] as const;
export const ESTIMATE_STATUSES = ['DRAFT', 'SENT', 'APPROVED', 'DECLINED'] as const;
export const INVOICE_STATUSES = ['DRAFT', 'SENT', 'PARTIALLY_PAID', 'PAID', 'VOID'] as const;

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(','));

export const bcContacts = pgTable(
  'bc_contacts',
  {
    ...common,
    type: text('type').$type<(typeof CONTACT_TYPES)[number]>().notNull(),
    name: text('name').notNull(),
    businessName: text('business_name'),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_contacts_id_key').on(t.id),
    index('bc_contacts_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_contacts_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_contacts_type_check', sql`${t.type} in (${inList(CONTACT_TYPES)})`),
  ],
);

export const bcProperties = pgTable(
  'bc_properties',
  {
    ...common,
    address: text('address').notNull(),
    contactId: text('contact_id'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_properties_id_key').on(t.id),
    foreignKey({ columns: [t.companyId, t.contactId], foreignColumns: [bcContacts.companyId, bcContacts.id] }),
    index('bc_properties_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_properties_sync_idx').on(t.companyId, t.updatedAt, t.id),
  ],
);

export const bcJobs = pgTable(
  'bc_jobs',
  {
    ...common,
    title: text('title').notNull(),
    status: text('status').$type<(typeof JOB_STATUSES)[number]>().notNull(),
    propertyId: text('property_id'),
    ticketId: text('ticket_id'),
    scheduledAt: ts('scheduled_at'),
    completedAt: ts('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_jobs_id_key').on(t.id),
    foreignKey({ columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    index('bc_jobs_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_jobs_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_jobs_status_check', sql`${t.status} in (${inList(JOB_STATUSES)})`),
  ],
);

export const bcTickets = pgTable(
  'bc_tickets',
  {
    ...common,
    title: text('title').notNull(),
    status: text('status').$type<(typeof TICKET_STATUSES)[number]>().notNull(),
    description: text('description'),
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
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_tickets_id_key').on(t.id),
    foreignKey({ columns: [t.companyId, t.contactId], foreignColumns: [bcContacts.companyId, bcContacts.id] }),
    foreignKey({ columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    foreignKey({ columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    index('bc_tickets_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_tickets_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_tickets_status_check', sql`${t.status} in (${inList(TICKET_STATUSES)})`),
  ],
);

export const bcEstimates = pgTable(
  'bc_estimates',
  {
    ...common,
    estimateNumber: text('estimate_number').notNull(),
    totalAmount: money('total_amount').notNull(),
    status: text('status').$type<(typeof ESTIMATE_STATUSES)[number]>().notNull(),
    sentAt: ts('sent_at'),
    approvedAt: ts('approved_at'),
    jobId: text('job_id'),
    propertyId: text('property_id'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_estimates_id_key').on(t.id),
    unique('bc_estimates_number_key').on(t.companyId, t.estimateNumber),
    foreignKey({ columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    foreignKey({ columns: [t.companyId, t.propertyId], foreignColumns: [bcProperties.companyId, bcProperties.id] }),
    index('bc_estimates_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_estimates_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_estimates_status_check', sql`${t.status} in (${inList(ESTIMATE_STATUSES)})`),
    check('bc_estimates_total_check', sql`${t.totalAmount} >= 0`),
  ],
);

export const bcInvoices = pgTable(
  'bc_invoices',
  {
    ...common,
    invoiceNumber: text('invoice_number').notNull(),
    totalAmount: money('total_amount').notNull(),
    amountPaid: money('amount_paid').notNull().default('0'),
    status: text('status').$type<(typeof INVOICE_STATUSES)[number]>().notNull(),
    paidAt: ts('paid_at'),
    jobId: text('job_id'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.id] }),
    unique('bc_invoices_id_key').on(t.id),
    unique('bc_invoices_number_key').on(t.companyId, t.invoiceNumber),
    foreignKey({ columns: [t.companyId, t.jobId], foreignColumns: [bcJobs.companyId, bcJobs.id] }),
    index('bc_invoices_browse_idx').on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index('bc_invoices_sync_idx').on(t.companyId, t.updatedAt, t.id),
    check('bc_invoices_status_check', sql`${t.status} in (${inList(INVOICE_STATUSES)})`),
    check('bc_invoices_amounts_check', sql`${t.totalAmount} >= 0 and ${t.amountPaid} >= 0`),
  ],
);

/** Per-company document numbering (EST-1001, INV-1001), allocated inside the creating transaction. */
export const bcCounters = pgTable(
  'bc_counters',
  {
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    next: integer('next').notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.kind] })],
);
