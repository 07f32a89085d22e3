import { Type, type TSchema } from 'typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { InvalidIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import { ListQueryError } from '../../platform/pagination/keyset.ts';
import { recordErrorFromDatabase, RecordInputError, RecordStateError } from './records/common.ts';

/**
 * THE BlueClerk error catalogue (seed "Errors", spec 5.3, R-18). Every error the API answers is made
 * here, by one factory, as `{ "error": "<code>", "message": "..." }`; grep for the code to find it.
 */
export const BLUECLERK_ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_token: { status: 401, message: 'The bearer token is missing, expired or invalid.' },
  insufficient_scope: { status: 403, message: 'The token lacks the scope this request needs.' },
  plan_required: { status: 403, message: 'The company is on a free trial; the API needs a paid plan.' },
  forbidden: { status: 403, message: 'This request reaches outside the company the token belongs to.' },
  not_found: { status: 404, message: 'The resource does not exist.' },
  conflict: { status: 409, message: 'The request conflicts with an earlier one.' },
  rate_limit_exceeded: { status: 429, message: 'Too many requests; honour Retry-After.' },
  server_error: { status: 500, message: 'Something went wrong on our side; retry with exponential backoff.' },
} as const;

export type BlueClerkErrorCode = keyof typeof BLUECLERK_ERRORS;

export interface FieldDetail {
  field: string;
  message: string;
}

export class BlueClerkError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: BlueClerkErrorCode,
    message: string,
    readonly details?: FieldDetail[],
    /** Extra fields some errors carry (429: scope, limit, remaining, resetAt) and headers to send with it. */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'BlueClerkError';
    this.statusCode = BLUECLERK_ERRORS[code].status;
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.details ? { details: this.details } : {}), ...this.extra };
  }
}

export function blueClerkError(
  code: BlueClerkErrorCode,
  message: string = BLUECLERK_ERRORS[code].message,
  details?: FieldDetail[],
  options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): BlueClerkError {
  return new BlueClerkError(code, message, details, options.extra, options.headers);
}

const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Stable error code' }),
    message: Type.String({ description: 'Human-readable explanation' }),
    details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error' },
);

/** Exactly the seed's 429 body; `Retry-After` says the same as `resetAt`, in seconds. */
export const RateLimitBody = Type.Object(
  {
    error: Type.Literal('rate_limit_exceeded'),
    scope: Type.Enum(['min', 'day', 'month'], { type: 'string', description: 'The window that is exhausted: the minute, the UTC day or the calendar month' }),
    limit: Type.Integer({ description: 'That window’s size for the company' }),
    remaining: Type.Integer({ description: 'Always 0' }),
    resetAt: Type.String({ format: 'date-time', description: 'When the window resets (ISO 8601 UTC)', examples: ['2026-05-09T14:30:00Z'] }),
  },
  { $id: 'RateLimitError', additionalProperties: false },
);

/** Response schemas for the listed error statuses, for route `schema.response` (documentation and serialisation). */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, status === 429 ? RateLimitBody : ErrorBody]));
}

/** Names the field a fastify/ajv validation error is about: `body.email`, `limit`, ... */
function validationDetails(error: FastifyError): FieldDetail[] {
  const where = error.validationContext ?? 'request';
  return (error.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; additionalProperty?: string } | undefined;
    const named = params?.missingProperty ?? params?.additionalProperty;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    // Headers are named as documented (Idempotency-Key), not as node lower-cases them.
    const documented = where === 'headers' ? path.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase()) : path;
    const field = [documented, named].filter(Boolean).join('.') || where;
    const message = params?.missingProperty ? 'is required' : params?.additionalProperty ? 'is not a known field' : (v.message ?? 'is not valid');
    return { field, message };
  });
}

/** Maps anything thrown inside the API's prefix to the catalogue; 5xx never reveal internals. */
export function toBlueClerkError(error: FastifyError | Error): BlueClerkError {
  if (error instanceof BlueClerkError) return error;
  if (error instanceof RecordInputError || error instanceof ListQueryError) {
    const field = error instanceof ListQueryError ? error.parameter : error.field;
    return blueClerkError('invalid_request', error.message, [{ field, message: error.message }]);
  }
  if (error instanceof RecordStateError) return blueClerkError('conflict', error.message, [{ field: error.field, message: error.message }]);
  if (error instanceof InvalidIdempotencyKey) return blueClerkError('invalid_request', error.message, [{ field: 'Idempotency-Key', message: error.message }]);
  const fromDatabase = recordErrorFromDatabase(error);
  if (fromDatabase) return toBlueClerkError(fromDatabase);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError);
    return blueClerkError('invalid_request', details.map((d) => `${d.field} ${d.message}`).join('; '), details);
  }
  const status = fastifyError.statusCode ?? 500;
  if (status === 404) return blueClerkError('not_found');
  if (status === 429) return blueClerkError('rate_limit_exceeded');
  if (status >= 400 && status < 500) {
    const message = fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'The body is not valid JSON.'
      : status === 413 ? 'The body is too large.'
      : status === 415 ? 'Send the body as application/json.'
      : 'The request is not valid.';
    return blueClerkError('invalid_request', message, [{ field: 'body', message }]);
  }
  return blueClerkError('server_error');
}

/** The API's error dialect for every path under its prefix, including unknown ones. */
export function registerBlueClerkErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const mapped = toBlueClerkError(error);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'BlueClerk API request failed');
    for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
    return reply.code(mapped.statusCode).type('application/json; charset=utf-8').send(mapped.body());
  });
  app.setNotFoundHandler(async (request, reply) => {
    const error = blueClerkError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(error.statusCode).send(error.body());
  });
}
