import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import type { SQL } from 'drizzle-orm';
import {
  IDEMPOTENCY_HEADER,
  parseIdempotencyKey,
  requestFingerprint,
  runIdempotent,
  runIdempotentStatement,
  type IdempotencyOutcome,
  type IdempotencyScope,
  type StoredResponse,
  type Tx,
} from '../../../platform/idempotency/idempotency.ts';
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
  const outcome = await runIdempotent(ctx.db, keyScope(request), parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]), fingerprintOf(request), async (tx) =>
    serialised(reply, await work(tx)),
  );
  return answer(reply, outcome);
}

/**
 * idempotentMutation for a change that is one statement (`ctes`, see OneStatementChange) whose answer is
 * known before it runs: the key's claim, the change and the stored response go to the database as one
 * statement. The caller builds `ctes` only from a valid request: an invalid one goes to
 * idempotentMutation, so its key is looked at before its error is answered, as for any other write.
 */
export async function idempotentStatement(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  change: { name: string; ctes: SQL },
  result: MutationResult,
): Promise<FastifyReply> {
  const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
  const outcome = await runIdempotentStatement(ctx.db, keyScope(request), key, fingerprintOf(request), { ...change, response: serialised(reply, result) });
  return answer(reply, outcome);
}

function keyScope(request: FastifyRequest): IdempotencyScope {
  const caller = callerOf(request);
  return { companyId: caller.companyId, credential: `client:${caller.clientId}` };
}

function fingerprintOf(request: FastifyRequest): string {
  return requestFingerprint(request.method, request.url.split('?')[0]!, request.body);
}

function serialised(reply: FastifyReply, result: MutationResult): StoredResponse {
  const serialise = reply.getSerializationFunction(String(result.status)) ?? JSON.stringify;
  return { status: result.status, body: serialise(result.body as { [key: string]: unknown }) };
}

function answer(reply: FastifyReply, outcome: IdempotencyOutcome): FastifyReply {
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
