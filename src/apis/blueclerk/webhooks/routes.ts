import { Type, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, requestFingerprint, runIdempotent, type Tx } from '../../../platform/idempotency/idempotency.ts';
import { DEFAULT_LIMIT, ListQueryError, MAX_LIMIT, parseListQuery } from '../../../platform/pagination/keyset.ts';
import { listDeliveries, parseDeliveryStatus, UnknownDeliveryStatus } from '../../../platform/webhooks/deliveries.ts';
import { DELIVERY_STATUSES } from '../../../platform/webhooks/schema.ts';
import { createSubscription, deleteSubscription, listSubscriptions, WebhookInputError } from '../../../platform/webhooks/subscriptions.ts';
import { callerOf, requireScope } from '../auth.ts';
import { blueClerkError, errorResponses } from '../errors.ts';
import { blueClerkWebhooks } from './settings.ts';

/**
 * `POST/GET /webhooks`, `DELETE /webhooks/:id` (seed "Webhooks", spec 4.9, 6.1, R-10) and the extension
 * `GET /webhooks/:id/deliveries` (the delivery log), all under the scope `webhooks:manage` and scoped to
 * the token's company. Registered inside `/blueclerk/api/v1`, behind its bearer authentication.
 */
const SCOPE = 'webhooks:manage' as const;
const security = [{ oauth2: [SCOPE] }];
const EVENTS = blueClerkWebhooks.eventTypes.map((e) => `\`${e}\``).join(', ');

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

const webhookFields = {
  id: Type.String({ description: 'The webhook’s id (a CUID)' }),
  url: Type.String({ description: 'Where deliveries are POSTed' }),
  events: Type.Array(Type.String(), { description: `The events delivered: any of ${EVENTS}` }),
  createdAt: Timestamp('When the webhook was created'),
  updatedAt: Timestamp('When the webhook last changed'),
};

export const WebhookSchema = Type.Object(webhookFields, { $id: 'Webhook', additionalProperties: false });

export const CreatedWebhookSchema = Type.Object(
  {
    ...webhookFields,
    secret: Type.String({
      description:
        'The signing secret (`whsec_...`), returned only here: store it. Verify `X-BlueClerk-Signature` with HMAC-SHA256 keyed with this whole string, or the `webhook-*` headers with any Standard Webhooks library.',
    }),
  },
  { $id: 'WebhookWithSecret', additionalProperties: false },
);

const WebhookInput = Type.Object(
  {
    url: Type.String({ description: 'An https URL (http only for `http://localhost` during development)', examples: ['https://yourapp.com/webhooks/blueclerk'] }),
    events: Type.Array(Type.String(), { description: `One or more of ${EVENTS}`, examples: [['job.created', 'job.status_changed', 'invoice.paid']] }),
  },
  { $id: 'WebhookCreate' },
);

const AttemptSchema = Type.Object(
  {
    attempt: Type.Integer({ description: 'Attempt number within the delivery’s retry schedule (1 = the immediate attempt)' }),
    at: Timestamp('When the attempt started'),
    durationMs: Type.Integer({ description: 'How long it took' }),
    outcome: Type.Enum(['delivered', 'failed'], { type: 'string' }),
    responseStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'Your endpoint’s HTTP status; null when no response came' }),
    responseBody: Type.Union([Type.String(), Type.Null()], { description: 'The start of your endpoint’s response (at most 1024 characters)' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed: a non-2xx status, a timeout, a redirect (never followed), a refused address' }),
  },
  { $id: 'WebhookAttempt', additionalProperties: false },
);

const DeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'The delivery’s id' }),
    subscriptionId: Type.String(),
    eventId: Type.String({ description: 'The event’s id: the body’s `id` and the `webhook-id` header, the same on every attempt' }),
    event: Type.String({ description: 'The event name' }),
    status: Type.Enum([...DELIVERY_STATUSES], {
      type: 'string',
      description:
        '`pending` (waiting for its next attempt), `sending`, `delivered`, `dead` (every attempt failed), `quota_exceeded` (past the plan’s webhook deliveries per day: waits for the next UTC day), `cancelled` (the webhook was deleted)',
    }),
    attemptCount: Type.Integer({ description: 'Attempts made (the schedule is: immediately, then after 1, 5 and 30 minutes)' }),
    nextAttemptAt: Type.Union([Timestamp('When the next attempt is due'), Type.Null()]),
    deliveredAt: Type.Union([Timestamp('When a 2xx acknowledged it'), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp('When the event was queued for this webhook'),
    updatedAt: Timestamp('When the delivery last changed'),
    attempts: Type.Array(AttemptSchema, { description: 'Its attempts, oldest first' }),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);

function listEnvelope(item: TSchema, name: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
      hasMore: Type.Boolean({ description: 'False on the last page' }),
    },
    { $id: `${name}List`, additionalProperties: false },
  );
}

const PageQuery = {
  cursor: Type.Optional(Type.String({ description: 'The `nextCursor` of the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT} (larger values are treated as ${MAX_LIMIT}).` })),
};

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'The webhook’s id' }) });

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description: 'A new UUID per request: a repeat within 24 hours returns the first response (with the same secret) and creates nothing.' }),
  ),
});

const notFound = () => blueClerkError('not_found', 'No webhook with this id belongs to this company.');

function invalid(field: string, message: string) {
  return blueClerkError('invalid_request', message, [{ field, message }]);
}

function parsePage(query: Record<string, unknown>, allowUpdatedSince: boolean) {
  try {
    return parseListQuery({ cursor: query.cursor, limit: query.limit, updatedSince: allowUpdatedSince ? query.updatedSince : undefined });
  } catch (error) {
    if (error instanceof ListQueryError) throw invalid(error.parameter, error.message);
    throw error;
  }
}

/** POST under the API's Idempotency-Key rules (spec 5.2): the key belongs to the company and the OAuth client. */
async function idempotent(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, status: number, work: (tx: Tx) => Promise<unknown>): Promise<FastifyReply> {
  const caller = callerOf(request);
  let key: string | null;
  try {
    key = parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
  } catch (error) {
    throw invalid('Idempotency-Key', (error as Error).message);
  }
  const outcome = await runIdempotent(
    ctx.db,
    { companyId: caller.companyId, credential: `client:${caller.clientId}` },
    key,
    requestFingerprint(request.method, request.url.split('?')[0]!, request.body),
    async (tx) => {
      const body = await work(tx);
      const serialise = reply.getSerializationFunction(String(status)) ?? JSON.stringify;
      return { status, body: serialise(body as { [key: string]: unknown }) };
    },
  );
  if (outcome.kind === 'conflict') {
    const message = outcome.reason === 'different_request'
      ? 'This Idempotency-Key was already used with a different request; use a new key for a new request.'
      : 'A request with this Idempotency-Key is still being processed; retry after it completes.';
    throw blueClerkError('conflict', message, [{ field: 'Idempotency-Key', message }]);
  }
  if (outcome.kind === 'replayed') reply.header('Idempotent-Replayed', 'true');
  return reply.code(outcome.response.status).type('application/json; charset=utf-8').send(outcome.response.body);
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const settings = blueClerkWebhooks;

  app.post(
    '/webhooks',
    {
      preHandler: requireScope(SCOPE),
      schema: {
        tags: ['Webhooks'],
        operationId: 'createWebhook',
        summary: 'Subscribe to events',
        description: `Needs the scope \`webhooks:manage\`. \`url\` must be https; \`events\` one or more of ${EVENTS}. The response carries the signing \`secret\`, the only time it is shown.`,
        security,
        headers: IdempotencyHeaders,
        body: WebhookInput,
        response: { 201: CreatedWebhookSchema, ...errorResponses(400, 401, 403, 409, 429, 500) },
      },
    },
    async (request, reply) =>
      idempotent(ctx, request, reply, 201, async (tx) => {
        try {
          return await createSubscription(tx, settings, ctx.config.webhooks, callerOf(request).companyId, request.body as { url: unknown; events: unknown });
        } catch (error) {
          if (error instanceof WebhookInputError) throw invalid(error.field, error.message);
          throw error;
        }
      }),
  );

  app.get(
    '/webhooks',
    {
      preHandler: requireScope(SCOPE),
      schema: {
        tags: ['Webhooks'],
        operationId: 'listWebhooks',
        summary: 'List the company’s webhooks',
        description: 'Needs the scope `webhooks:manage`. Newest first; secrets are never listed.',
        security,
        querystring: Type.Object({
          ...PageQuery,
          updatedSince: Type.Optional(Type.String({ description: 'ISO 8601 timestamp with a time zone: only webhooks with `updatedAt` at or after it, oldest first.' })),
        }),
        response: { 200: listEnvelope(WebhookSchema, 'Webhook'), ...errorResponses(400, 401, 403, 429, 500) },
      },
    },
    async (request) => listSubscriptions(ctx.db.orm, settings.api, callerOf(request).companyId, parsePage(request.query as Record<string, unknown>, true)),
  );

  app.delete(
    '/webhooks/:id',
    {
      preHandler: requireScope(SCOPE),
      schema: {
        tags: ['Webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook',
        description: 'Needs the scope `webhooks:manage`. Nothing more is sent to it; deliveries still waiting are cancelled.',
        security,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429, 500) },
      },
    },
    async (request, reply) => {
      const deleted = await deleteSubscription(ctx.db, settings.api, callerOf(request).companyId, (request.params as { id: string }).id);
      if (!deleted) throw notFound();
      return reply.code(204).send();
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      preHandler: requireScope(SCOPE),
      schema: {
        tags: ['Webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'The webhook’s delivery log (extension)',
        description:
          'An Opsbase extension to BlueClerk v1. Needs the scope `webhooks:manage`. Each event sent to this webhook, newest first, with its status and every attempt (time, status, duration, the start of the response or the error). Filter with `status`, e.g. `dead`.',
        security,
        params: IdParams,
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Type.String({ description: `Only deliveries in this status: ${DELIVERY_STATUSES.join(', ')}` })),
        }),
        response: { 200: listEnvelope(DeliverySchema, 'WebhookDelivery'), ...errorResponses(400, 401, 403, 404, 429, 500) },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      let status;
      try {
        status = parseDeliveryStatus(query.status);
      } catch (error) {
        if (error instanceof UnknownDeliveryStatus) throw invalid('status', error.message);
        throw error;
      }
      const page = await listDeliveries(ctx.db.orm, settings.api, callerOf(request).companyId, (request.params as { id: string }).id, parsePage(query, false), status);
      if (!page) throw notFound();
      return page;
    },
  );
}
