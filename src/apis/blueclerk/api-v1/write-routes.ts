import type { SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { callerOf, requireScope } from '../auth.ts';
import { blueClerkError, errorResponses } from '../errors.ts';
import {
  createLead,
  createLeadStatement,
  RecordInputError,
  createTicket,
  LeadCreatedSchema,
  LeadInput,
  TicketCreateInput,
  TicketPatchInput,
  TicketSchema,
  updateTicket,
  type Lead,
  type TicketCreate,
  type TicketPatch,
} from '../records/index.ts';
import { idempotentMutation, idempotentStatement } from './idempotent-mutation.ts';
import { IdParams } from './read-routes.ts';

/** Every POST and PATCH takes an Idempotency-Key (seed "Idempotency"); documented and checked here. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'A new UUID per change. The same key with the same request within 24 hours returns the first response (with `Idempotent-Replayed: true`) and changes nothing; with a different request it answers 409.',
    }),
  ),
});

const mutationErrors = () => errorResponses(400, 401, 403, 409, 429, 500);

/** The seed's write endpoints: `POST /leads`, `POST /tickets`, `PATCH /tickets/:id`. */
export function registerWriteRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/leads',
    {
      preValidation: requireScope('leads:write'),
      schema: {
        tags: ['Leads'],
        operationId: 'createLead',
        summary: 'Push a lead; it becomes an OPEN ticket',
        description: 'Needs the scope `leads:write`. Give businessName or contactName, and email or phone; unknown fields are ignored.',
        security: [{ oauth2: ['leads:write'] }],
        headers: IdempotencyHeaders,
        body: LeadInput,
        response: { 201: LeadCreatedSchema, ...mutationErrors() },
      },
    },
    async (request, reply) => {
      const companyId = callerOf(request).companyId;
      const lead = request.body as Lead;
      // A valid lead is written by one statement with its key's claim and stored answer; an invalid one
      // takes the transactional way, which looks at the key before answering the lead's error.
      let statement: { id: string; ctes: SQL } | null = null;
      try {
        statement = createLeadStatement(companyId, lead);
      } catch (error) {
        if (!(error instanceof RecordInputError)) throw error;
      }
      if (statement) return idempotentStatement(ctx, request, reply, { name: 'blueclerk.createLead', ctes: statement.ctes }, { status: 201, body: { ticketId: statement.id, status: 'OPEN' } });
      return idempotentMutation(ctx, request, reply, async (tx) => {
        const ticket = await createLead(tx, companyId, lead);
        return { status: 201, body: { ticketId: ticket.id, status: ticket.status } };
      });
    },
  );

  app.post(
    '/tickets',
    {
      preValidation: requireScope('tickets:write'),
      schema: {
        tags: ['Tickets'],
        operationId: 'createTicket',
        summary: 'Create a ticket',
        description: 'Needs the scope `tickets:write`. The ticket starts OPEN, with `source` "api".',
        security: [{ oauth2: ['tickets:write'] }],
        headers: IdempotencyHeaders,
        body: TicketCreateInput,
        response: { 201: TicketSchema, ...mutationErrors() },
      },
    },
    async (request, reply) =>
      idempotentMutation(ctx, request, reply, async (tx) => ({
        status: 201,
        body: await createTicket(tx, callerOf(request).companyId, request.body as TicketCreate, 'api'),
      })),
  );

  app.patch(
    '/tickets/:id',
    {
      preValidation: requireScope('tickets:write'),
      schema: {
        tags: ['Tickets'],
        operationId: 'updateTicket',
        summary: 'Update a ticket: absent fields stay, null clears',
        description: 'Needs the scope `tickets:write`. Another company’s id answers 404, as an unknown one does.',
        security: [{ oauth2: ['tickets:write'] }],
        headers: IdempotencyHeaders,
        params: IdParams,
        body: TicketPatchInput,
        response: { 200: TicketSchema, ...errorResponses(400, 401, 403, 404, 409, 429, 500) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return idempotentMutation(ctx, request, reply, async (tx) => {
        const ticket = await updateTicket(tx, callerOf(request).companyId, id, request.body as TicketPatch);
        if (!ticket) throw blueClerkError('not_found', `No ticket with id ${id}`);
        return { status: 200, body: ticket };
      });
    },
  );
}
