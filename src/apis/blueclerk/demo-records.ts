import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/idempotency/idempotency.ts';
import type { JobStatus } from './schema.ts';
import {
  approveEstimate,
  changeJobStatus,
  createContact,
  createEstimate,
  createInvoice,
  createJob,
  createLead,
  createProperty,
  createTicket,
  declineEstimate,
  markInvoicePaid,
  recordInvoicePayment,
  sendEstimate,
  sendInvoice,
  updateTicket,
  type ContactCreate,
  type Lead,
} from './records/index.ts';

/**
 * The demo company's BlueClerk records: a plumbing contractor in Austin with homeowner and builder
 * customers, their properties, tickets (some pushed as leads), jobs in every status, estimates and
 * invoices. Everything is made through the record functions, as the contractor's console would, so each
 * change records its webhook event. One customer's story is one transaction: it appears whole or not
 * at all, and stories get distinct timestamps, so `updatedSince` has something to show.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A working hour `days` from the seeding day, in UTC (Austin is UTC-5/-6: 14:00Z is a morning visit). */
function visit(days: number, hourUtc = 14): string {
  const day = new Date(Date.now() + days * DAY_MS);
  day.setUTCHours(hourUtc, 0, 0, 0);
  return day.toISOString();
}

/** Moves a new (SCHEDULED) job along the path a real one takes, one status change (and event) per step. */
async function progress(tx: Tx, companyId: string, jobId: string, to: JobStatus): Promise<void> {
  const path: Record<JobStatus, JobStatus[]> = {
    SCHEDULED: [],
    IN_PROGRESS: ['IN_PROGRESS'],
    ON_HOLD: ['ON_HOLD'],
    COMPLETED: ['IN_PROGRESS', 'COMPLETED'],
    CANCELLED: ['CANCELLED'],
  };
  for (const status of path[to]) await changeJobStatus(tx, companyId, jobId, status);
}

interface Story {
  customer: ContactCreate;
  address: string;
  run(tx: Tx, companyId: string, ids: { contactId: string; propertyId: string }): Promise<void>;
}

const STORIES: Story[] = [
  {
    // A finished, paid job that started as a lead from a lead partner.
    customer: { type: 'HOMEOWNER', name: 'Maria Gonzalez', email: 'maria.gonzalez@example.com', phone: '+15125550101', address: '4102 Duval St, Austin, TX 78751' },
    address: '4102 Duval St, Austin, TX 78751',
    async run(tx, companyId, { contactId, propertyId }) {
      const lead: Lead = {
        contactName: 'Maria Gonzalez',
        email: 'maria.gonzalez@example.com',
        phone: '+15125550101',
        address: '4102 Duval St, Austin, TX 78751',
        notes: 'No hot water since yesterday. 12-year-old 50 gallon gas heater in the garage, some rust at the base.',
        source: 'leads2jobs',
      };
      const ticket = await createLead(tx, companyId, lead);
      await updateTicket(tx, companyId, ticket.id, { contactId, propertyId });
      const job = await createJob(tx, companyId, { title: 'Replace 50-gallon gas water heater', propertyId, ticketId: ticket.id, scheduledAt: visit(-12) });
      await progress(tx, companyId, job.id, 'COMPLETED');
      await updateTicket(tx, companyId, ticket.id, { status: 'CLOSED' });
      const estimate = await createEstimate(tx, companyId, { totalAmount: '2450.00', jobId: job.id, propertyId });
      await sendEstimate(tx, companyId, estimate.id);
      await approveEstimate(tx, companyId, estimate.id);
      const invoice = await createInvoice(tx, companyId, { totalAmount: '2450.00', jobId: job.id });
      await sendInvoice(tx, companyId, invoice.id);
      await markInvoicePaid(tx, companyId, invoice.id);
    },
  },
  {
    // Small repairs: one done and paid, one booked for next week.
    customer: { type: 'HOMEOWNER', name: 'James Whitfield', email: 'jwhitfield@example.com', phone: '+15125550102', address: '1507 W 35th St, Austin, TX 78703' },
    address: '1507 W 35th St, Austin, TX 78703',
    async run(tx, companyId, { contactId, propertyId }) {
      const ticket = await createTicket(tx, companyId, { title: 'Kitchen faucet dripping', description: 'Single-handle Moen faucet, drips constantly.', contactId, propertyId }, 'console');
      const faucet = await createJob(tx, companyId, { title: 'Repair leaking kitchen faucet', propertyId, ticketId: ticket.id, scheduledAt: visit(-6, 19) });
      await progress(tx, companyId, faucet.id, 'COMPLETED');
      await updateTicket(tx, companyId, ticket.id, { status: 'CLOSED' });
      const invoice = await createInvoice(tx, companyId, { totalAmount: '285.00', jobId: faucet.id });
      await sendInvoice(tx, companyId, invoice.id);
      await markInvoicePaid(tx, companyId, invoice.id);
      await createJob(tx, companyId, { title: 'Install garbage disposal', propertyId, scheduledAt: visit(5) });
    },
  },
  {
    // A bigger job waiting on the customer: sewer camera work under way, a re-pipe on hold until the estimate is approved.
    customer: { type: 'HOMEOWNER', name: 'Priya Raman', email: 'priya.raman@example.com', phone: '+15125550103', address: '9812 Great Hills Trl, Austin, TX 78759' },
    address: '9812 Great Hills Trl, Austin, TX 78759',
    async run(tx, companyId, { contactId, propertyId }) {
      const ticket = await createTicket(tx, companyId, { title: 'Slow drains throughout the house', description: 'Gurgling toilets, slow tub drain. House built 1984, cast iron drains.', contactId, propertyId }, 'console');
      await updateTicket(tx, companyId, ticket.id, { status: 'IN_PROGRESS' });
      const inspection = await createJob(tx, companyId, { title: 'Camera inspection of main sewer line', propertyId, ticketId: ticket.id, scheduledAt: visit(0, 15) });
      await progress(tx, companyId, inspection.id, 'IN_PROGRESS');
      const deposit = await createInvoice(tx, companyId, { totalAmount: '650.00', jobId: inspection.id });
      await sendInvoice(tx, companyId, deposit.id);
      await recordInvoicePayment(tx, companyId, deposit.id, { amount: '200.00' });
      const repipe = await createJob(tx, companyId, { title: 'Re-pipe hall bathroom with PEX', propertyId, scheduledAt: visit(9) });
      await progress(tx, companyId, repipe.id, 'ON_HOLD');
      const estimate = await createEstimate(tx, companyId, { totalAmount: '6200.00', jobId: repipe.id, propertyId });
      await sendEstimate(tx, companyId, estimate.id);
    },
  },
  {
    // An approved estimate for next week's install, and a call-out the customer cancelled.
    customer: { type: 'HOMEOWNER', name: 'Linda Becker', email: 'linda.becker@example.com', phone: '+15125550104', address: '2200 S Lamar Blvd Apt 12, Austin, TX 78704' },
    address: '2200 S Lamar Blvd Apt 12, Austin, TX 78704',
    async run(tx, companyId, { propertyId }) {
      const tankless = await createJob(tx, companyId, { title: 'Install tankless water heater', propertyId, scheduledAt: visit(7) });
      const estimate = await createEstimate(tx, companyId, { totalAmount: '3850.00', jobId: tankless.id, propertyId });
      await sendEstimate(tx, companyId, estimate.id);
      await approveEstimate(tx, companyId, estimate.id);
      const drain = await createJob(tx, companyId, { title: 'Clear clogged bathroom sink drain', propertyId, scheduledAt: visit(-2) });
      await progress(tx, companyId, drain.id, 'CANCELLED');
      const softener = await createEstimate(tx, companyId, { totalAmount: '1475.00', propertyId });
      await sendEstimate(tx, companyId, softener.id);
      await declineEstimate(tx, companyId, softener.id);
    },
  },
  {
    // New construction for a home builder: rough-in under way and its draw invoiced, top-out booked and its draw drafted.
    customer: {
      type: 'BUILDER',
      name: 'Dave Kowalski',
      businessName: 'Hill Country Homes',
      email: 'dave@hillcountryhomes.example',
      phone: '+15125550105',
      address: '600 Congress Ave Suite 1400, Austin, TX 78701',
    },
    address: '710 Cypress Creek Rd Lot 14, Cedar Park, TX 78613',
    async run(tx, companyId, { propertyId }) {
      const roughIn = await createJob(tx, companyId, { title: 'Rough-in plumbing, Lot 14', propertyId, scheduledAt: visit(-3, 13) });
      await progress(tx, companyId, roughIn.id, 'IN_PROGRESS');
      const estimate = await createEstimate(tx, companyId, { totalAmount: '14800.00', jobId: roughIn.id, propertyId });
      await sendEstimate(tx, companyId, estimate.id);
      await approveEstimate(tx, companyId, estimate.id);
      const draw = await createInvoice(tx, companyId, { totalAmount: '4800.00', jobId: roughIn.id });
      await sendInvoice(tx, companyId, draw.id);
      const topOut = await createJob(tx, companyId, { title: 'Top-out plumbing and inspection, Lot 14', propertyId, scheduledAt: visit(12, 13) });
      await createInvoice(tx, companyId, { totalAmount: '5200.00', jobId: topOut.id });
    },
  },
  {
    // A builder's lead from Zapier, still open, and a draft estimate for a model home's softener.
    customer: {
      type: 'BUILDER',
      name: 'Rachel Nguyen',
      businessName: 'Brightline Builders',
      email: 'rachel@brightlinebuilders.example',
      phone: '+15125550106',
      address: '1450 Brightwater Blvd, Round Rock, TX 78665',
    },
    address: '1450 Brightwater Blvd, Round Rock, TX 78665',
    async run(tx, companyId, { propertyId }) {
      await createLead(tx, companyId, {
        businessName: 'Brightline Builders',
        contactName: 'Rachel Nguyen',
        email: 'rachel@brightlinebuilders.example',
        phone: '+15125550106',
        address: '1450 Brightwater Blvd, Round Rock, TX 78665',
        notes: 'Six-home phase starting in the spring; wants a bid for rough-in and top-out per home.',
        source: 'zapier',
      });
      const softener = await createJob(tx, companyId, { title: 'Whole-house water softener, model home', propertyId, scheduledAt: visit(20) });
      await createEstimate(tx, companyId, { totalAmount: '1975.00', jobId: softener.id, propertyId });
    },
  },
];

/** A walk-in lead nobody has looked at yet: the newest ticket, OPEN, with no contact or property. */
const WALK_IN: Lead = {
  businessName: 'Eastside Coffee',
  contactName: 'Sam Ortiz',
  phone: '+15125550107',
  address: '1917 E 7th St, Austin, TX 78702',
  notes: 'Floor drain behind the espresso bar backs up every afternoon.',
  source: 'website',
};

export async function seedBlueClerkDemoRecords(ctx: Pick<AppContext, 'db'>, companyId: string): Promise<void> {
  for (const story of STORIES) {
    await ctx.db.orm.transaction(async (tx) => {
      const contact = await createContact(tx, companyId, story.customer);
      const property = await createProperty(tx, companyId, { address: story.address, contactId: contact.id });
      await story.run(tx, companyId, { contactId: contact.id, propertyId: property.id });
    });
  }
  await ctx.db.orm.transaction((tx) => createLead(tx, companyId, WALK_IN));
}
