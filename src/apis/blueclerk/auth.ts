import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import {
  bearerTokenFrom,
  verifyAccessToken,
  type BearerFailure,
  type Caller,
  type CompanyTable,
  type ReadAlong,
} from '../../platform/oauth/bearer.ts';
import { blueClerkError } from './errors.ts';
import { blueClerkOAuth, type BlueClerkScope } from './oauth.ts';

export type { BlueClerkScope } from './oauth.ts';
export type { Caller } from '../../platform/oauth/bearer.ts';

/**
 * Bearer authentication for `/blueclerk/api/v1/*` (seed "Authentication", RFC 6750): every request names
 * a live access token of a company that is still on a paid plan; routes then ask for their scope.
 */
const callers = new WeakMap<FastifyRequest, Caller>();

const FAILURE_MESSAGES: Record<BearerFailure, string> = {
  missing: 'Send the access token as Authorization: Bearer <token>.',
  malformed: 'The Authorization header is not a BlueClerk bearer token.',
  unknown: 'The access token is not valid.',
  expired: 'The access token has expired; refresh it.',
  revoked: 'The access token was revoked.',
};

function invalidToken(reason: BearerFailure) {
  const message = FAILURE_MESSAGES[reason];
  // RFC 6750 3.1: a request without credentials gets the challenge but no error code.
  const challenge = reason === 'missing' ? 'Bearer realm="blueclerk"' : `Bearer realm="blueclerk", error="invalid_token", error_description="${message}"`;
  return blueClerkError('invalid_token', message, undefined, { headers: { 'WWW-Authenticate': challenge } });
}

/** onRequest hook for the API's data routes. */
export function registerBearerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const presented = bearerTokenFrom(request.headers.authorization);
    if ('reason' in presented) throw invalidToken(presented.reason);
    const reading = readAlongOf(request);
    const result = await verifyAccessToken(ctx, blueClerkOAuth, presented.token, reading);
    if (!result.ok) throw invalidToken(result.reason);
    if (reading) readAlong.set(request, { kind: 'row', row: result.record ?? null });
    // The plan is read on every call: a company that drops to trial loses access with its next request.
    const refusal = blueClerkOAuth.checkCompany({ id: result.caller.companyId, name: result.caller.companyName, plan: result.caller.companyPlan });
    if (refusal) throw blueClerkError('plan_required', refusal.description);
    callers.set(request, result.caller);
  });
}

/**
 * A get-by-id route names its table in its config (`readsRecordOf`): the bearer lookup then reads the
 * row of the token's company in the same statement (one round trip instead of two). The row waits here
 * until the handler, which runs only after the scope, plan and rate-limit checks have passed. An id no
 * record can have is not looked up (validation answers 400).
 */
export interface ReadsAlongConfig {
  readsRecordOf?: CompanyTable;
}

export type ReadAlongResult = { kind: 'row'; row: unknown };

const readAlong = new WeakMap<FastifyRequest, ReadAlongResult>();
// Ids longer than this are nobody's (validation answers 400); they never reach the database.
const MAX_ID_LENGTH = 64;

function readAlongOf(request: FastifyRequest): ReadAlong | undefined {
  const table = (request.routeOptions.config as ReadsAlongConfig | undefined)?.readsRecordOf;
  const id = table ? (request.params as { id?: unknown } | undefined)?.id : undefined;
  return table && typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? { kind: 'row', table, id } : undefined;
}

/** What the bearer lookup read along for this request, or undefined if it read nothing. */
export function readWithToken(request: FastifyRequest): ReadAlongResult | undefined {
  return readAlong.get(request);
}

/** The authenticated caller of a request that passed the bearer hook. */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error('callerOf() used on a route outside the bearer-authenticated API paths');
  return caller;
}

/** preHandler factory: `{ preHandler: requireScope('jobs:read') }`. */
export function requireScope(scope: BlueClerkScope) {
  return async function requireBlueClerkScope(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (callerOf(request).scopes.includes(scope)) return;
    throw blueClerkError('insufficient_scope', `This request needs the scope ${scope}, which the token was not granted.`, undefined, {
      headers: { 'WWW-Authenticate': `Bearer realm="blueclerk", error="insufficient_scope", scope="${scope}"` },
    });
  };
}
