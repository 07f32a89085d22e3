/**
 * BlueClerk's records: one module per entity, each with its output schema, company-scoped list/get and
 * the changes the public API and the contractor's side make (each change records its webhook event in
 * the same transaction). Import from here.
 */
export * from './common.ts';
export * from './events.ts';
export * from './contacts.ts';
export * from './properties.ts';
export * from './tickets.ts';
export * from './leads.ts';
export * from './jobs.ts';
export * from './estimates.ts';
export * from './invoices.ts';
