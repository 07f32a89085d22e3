import { Type, type Static } from 'typebox';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { assertInput, RecordInputError } from './common.ts';
import type { SQL } from 'drizzle-orm';
import { createTicket, createTicketStatement, type Ticket, type TicketCreate } from './tickets.ts';

/**
 * Seed "Leads" and spec 4.1: a partner (leads2jobs, Zapier, ...) pushes a lead and it becomes an OPEN
 * ticket. Unknown fields are ignored, so partners that send more than the seed lists keep working.
 */
const leadText = (description: string, maxLength: number) => Type.Optional(Type.String({ maxLength, description }));

export const LeadInput = Type.Object(
  {
    businessName: leadText('Business name, e.g. "Smith Plumbing"', 200),
    contactName: leadText('Contact person, e.g. "Joe Smith"', 200),
    email: leadText('Email address', 254),
    phone: leadText('Phone, E.164 recommended, e.g. "+15125551234"', 50),
    address: leadText('Single-line address, e.g. "123 Main St, Austin, TX 78701"', 500),
    notes: leadText('Free text; becomes the ticket description', 5000),
    source: leadText('The originating partner, e.g. "leads2jobs"', 100),
  },
  {
    $id: 'Lead',
    additionalProperties: true,
    description: 'At least one of businessName and contactName, and at least one of email and phone.',
  },
);
export type Lead = Static<typeof LeadInput>;

export const LeadCreatedSchema = Type.Object(
  {
    ticketId: Type.String({ description: 'Id of the OPEN ticket the lead became', pattern: '^c[a-z0-9]+$' }),
    status: Type.Literal('OPEN'),
  },
  { $id: 'LeadCreated', additionalProperties: false },
);
export type LeadCreated = Static<typeof LeadCreatedSchema>;

const present = (value: string | undefined) => value !== undefined && value.trim() !== '';

const TITLE_MAX = 300;

/** "Smith Plumbing (Joe Smith)", or whichever of the two names the lead has, cut to a ticket title's length. */
export function leadTitle(lead: Lead): string {
  const business = lead.businessName?.trim();
  const contact = lead.contactName?.trim();
  const title = business && contact ? `${business} (${contact})` : (business || contact)!;
  return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
}

/** Validates a lead and turns it into an OPEN ticket, recording `ticket.created`. */
export async function createLead(tx: Tx, companyId: string, lead: Lead): Promise<Ticket> {
  const { input, source } = leadAsTicket(lead);
  return createTicket(tx, companyId, input, source);
}

/**
 * createLead as one statement's CTEs (see createTicketStatement), for the API's write path; throws what
 * createLead throws for an invalid lead. Returns the new ticket's id.
 */
export function createLeadStatement(companyId: string, lead: Lead): { id: string; ctes: SQL } {
  const { input, source } = leadAsTicket(lead);
  return createTicketStatement(companyId, input, source);
}

/** Validates a lead and gives the ticket it becomes, and its source. */
function leadAsTicket(lead: Lead): { input: TicketCreate; source: string } {
  assertInput(LeadInput, lead);
  if (!present(lead.businessName) && !present(lead.contactName)) throw new RecordInputError('businessName', 'A lead needs a businessName or a contactName');
  if (!present(lead.email) && !present(lead.phone)) throw new RecordInputError('email', 'A lead needs an email or a phone');
  return {
    input: {
      title: leadTitle(lead),
      description: lead.notes ?? null,
      businessName: lead.businessName ?? null,
      contactName: lead.contactName ?? null,
      email: lead.email ?? null,
      phone: lead.phone ?? null,
      address: lead.address ?? null,
    },
    source: present(lead.source) ? lead.source! : 'api',
  };
}
