import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config/config.ts';

/** Query parameters whose values are credentials (OAuth codes, tokens, secrets): logged as `[redacted]`. */
const SECRET_QUERY_PARAMS = /^(code|code_verifier|client_secret|access_token|refresh_token|token|password|api_key|apikey|key|secret|state)$/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_QUERY_PARAMS.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/** Structured logs through pino; headers and bodies that may carry secrets never reach the output. */
export function loggerOptions(level: LogLevel): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["idempotency-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.client_secret',
        '*.refresh_token',
        '*.access_token',
        '*.token',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method: string; url: string; ip?: string; id?: string }) {
        return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
