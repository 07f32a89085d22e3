import { Type, type TSchema } from 'typebox';
import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * THE Clevertim error catalogue (seed "Failures and errors", spec 5.2). Every error the API answers is
 * made here, by one factory, as the seed's envelope `{"status": "ERROR", "error": "<message>"}`; the
 * statuses are the seed's (400, 404, 500 for JSON that cannot be parsed, 501) and the resolutions'
 * (401 R-3, 403 R-4). The code is ours, for grepping; clients see the status and the message.
 */
export const CLEVERTIM_ERRORS = {
  bad_request: { status: 400, message: 'Bad request.' },
  authentication_failed: { status: 401, message: 'Authentication failed' },
  permission_denied: { status: 403, message: 'Your permissions do not allow this operation.' },
  not_found: { status: 404, message: 'The object you are trying to get, update or delete cannot be found.' },
  invalid_json: { status: 500, message: 'Your JSON cannot be parsed. Use a JSON syntax validator.' },
  server_error: { status: 500, message: 'Something went wrong on our side. Try again later.' },
  not_supported: { status: 501, message: 'Operation not supported.' },
} as const;

export type ClevertimErrorCode = keyof typeof CLEVERTIM_ERRORS;

/** the challenge sent with every 401. */
export const AUTHENTICATE_CHALLENGE = 'Basic realm="Clevertim API"';

export class ClevertimError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ClevertimErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ClevertimError';
    this.statusCode = CLEVERTIM_ERRORS[code].status;
  }

  body(): { status: 'ERROR'; error: string } {
    return { status: 'ERROR', error: this.message };
  }
}

export function clevertimError(code: ClevertimErrorCode, message: string = CLEVERTIM_ERRORS[code].message): ClevertimError {
  return new ClevertimError(code, message, code === 'authentication_failed' ? { 'WWW-Authenticate': AUTHENTICATE_CHALLENGE } : {});
}

export const ErrorBody = Type.Object(
  {
    status: Type.Literal('ERROR'),
    error: Type.String({ description: 'What went wrong, in words', examples: ['fn or ln: a contact needs a first or a last name'] }),
  },
  { $id: 'ClevertimError', additionalProperties: false },
);

/** Response schemas for the listed error statuses, for route `schema.response` (documentation and serialisation). */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

function databaseErrorCode(error: unknown): string | undefined {
  let cause: unknown = error;
  for (let depth = 0; cause && depth < 3; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps anything thrown under the API's paths to the catalogue; a 5xx never reveals internals. */
export function toClevertimError(error: FastifyError | Error): ClevertimError {
  if (error instanceof ClevertimError) return error;
  const databaseCode = databaseErrorCode(error);
  // A linked record deleted between the check and the write, or a value the column refuses.
  if (databaseCode === '23503') return clevertimError('bad_request', 'A linked record does not exist (any more).');
  // 22021 and 22P05: a text holding a NUL character (\u0000), which PostgreSQL stores neither in a text
  // column nor in jsonb.
  if (databaseCode === '22003' || databaseCode === '22P02' || databaseCode === '23514' || databaseCode === '22021' || databaseCode === '22P05') return clevertimError('bad_request', 'A value is out of range or not valid for its field.');
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return clevertimError('bad_request', 'The body is too large (at most 1 MiB).');
  if (status === 404) return clevertimError('not_found');
  if (status >= 400 && status < 500) return clevertimError('bad_request', 'The request could not be understood.');
  return clevertimError('server_error');
}

/** The error dialect of the API's paths, including unknown resources (404). */
export function registerClevertimErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const mapped = toClevertimError(error);
    if (mapped.code === 'server_error') request.log.error({ err: error }, 'Clevertim API request failed');
    for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
    return reply.code(mapped.statusCode).type('application/json; charset=utf-8').send(mapped.body());
  });
  app.setNotFoundHandler(async (_request, reply) => {
    const error = clevertimError('not_found', 'There is no such resource. The resources are contact, company, case, opportunity, task, note, comment, customfield, user, group, file, folder and linkedfile.');
    return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.body());
  });
}
