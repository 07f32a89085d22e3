import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Accept a caller's id only when it is short and plain: it ends up in logs and response headers.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@\-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const inbound = req.headers[REQUEST_ID_HEADER];
  if (typeof inbound === 'string' && SANE_REQUEST_ID.test(inbound)) return inbound;
  return crypto.randomUUID();
}
