import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, requestFingerprint, runIdempotent, type Tx } from '../../../platform/idempotency/idempotency.ts';
import { callerOf } from '../auth.ts';
import { blueClerkError } from '../errors.ts';

export interface MutationResult {
  status: number;
  body: unknown;
}

/**
 * Runs a POST or PATCH under BlueClerk's Idempotency-Key rules (spec 5.2, R-16): a key belongs to the
 * company and the OAuth client; the same key and request within 24 hours answers the stored status and
 * body with `Idempotent-Replayed: true` and does nothing else; a different request, or a duplicate while
 * the first still runs, answers 409 conflict. Errors (validation, a missing record) store nothing, so
 * the client can fix the request and retry with the same key.
 *
 * The body is serialised once, by the route's own response schema, and stored as those bytes: a replay
 * is byte-identical to the first answer and never carries a field the schema does not declare.
 */
export async function idempotentMutation(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, work: (tx: Tx) => Promise<MutationResult>): Promise<FastifyReply> {
  const caller = callerOf(request);
  const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
  const path = request.url.split('?')[0]!;
  const outcome = await runIdempotent(
    ctx.db,
    { companyId: caller.companyId, credential: `client:${caller.clientId}` },
    key,
    requestFingerprint(request.method, path, request.body),
    async (tx) => {
      const result = await work(tx);
      const serialise = reply.getSerializationFunction(String(result.status)) ?? JSON.stringify;
      return { status: result.status, body: serialise(result.body as { [key: string]: unknown }) };
    },
  );
  if (outcome.kind === 'conflict') {
    throw blueClerkError(
      'conflict',
      outcome.reason === 'different_request'
        ? 'This Idempotency-Key was already used with a different request; use a new key for a new request.'
        : 'A request with this Idempotency-Key is still being processed; retry after it completes.',
      [{ field: 'Idempotency-Key', message: outcome.reason === 'different_request' ? 'was used for a different request' : 'is in use by a request still running' }],
    );
  }
  if (outcome.kind === 'replayed') reply.header('Idempotent-Replayed', 'true');
  return reply.code(outcome.response.status).type('application/json; charset=utf-8').send(outcome.response.body);
}
