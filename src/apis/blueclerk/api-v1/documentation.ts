/**
 * What the OpenAPI document says beyond the route schemas: the API's conventions in prose, and the
 * response headers added by hooks (rate limits) and by idempotent replays.
 */
export const API_DESCRIPTION = `The BlueClerk Public API v1: a contractor company's properties, jobs, tickets, estimates, invoices and contacts, through OAuth 2.0 (authorization code with PKCE).

**Lists** answer \`{"data", "nextCursor", "hasMore"}\`, newest first. Pass \`nextCursor\` back as \`cursor\` for the next page; \`limit\` is 25 by default and at most 100. \`updatedSince\` (ISO 8601) lists records changed at or after that instant, oldest change first: for incremental sync, send the newest \`updatedAt\` you have seen and you will never miss a change, even one committed late.

**Idempotency**: every POST and PATCH accepts \`Idempotency-Key\`. The same key with the same request within 24 hours answers the first response again, with \`Idempotent-Replayed: true\`, and changes nothing; with a different request, or while the first is still running, it answers 409 \`conflict\`. Keys belong to the company and the app.

**Rate limits** are per company: all apps of a company share the per-minute, per-day and monthly buckets of its plan (Starter 30/min, 5,000/day, 50,000/month; Pro 60, 15,000, 250,000; Business 120, 50,000, 1,500,000; Enterprise 300, 200,000, unlimited). Every authenticated response carries \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\`, \`X-RateLimit-Reset\` and \`X-RateLimit-Scope\` for the window with the fewest requests left, plus \`RateLimit-Policy\` and \`RateLimit\` (IETF draft syntax). Beyond a limit the API answers 429 with \`Retry-After\`; refused requests count against no bucket.

**Conventions**: ids are CUIDs, timestamps ISO 8601 UTC (\`2026-05-09T14:00:00.000Z\`), money decimal strings (\`"1234.56"\`), addresses one string. Errors are \`{"error", "message"}\` (400s add \`details\` naming each field); another company's id answers 404.`;

const integer = { type: 'integer' };
const text = { type: 'string' };

export const RESPONSE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Size of the rate-limit window with the fewest requests left (see X-RateLimit-Scope).', schema: integer },
  'X-RateLimit-Remaining': { description: 'Requests left in that window after this one.', schema: integer },
  'X-RateLimit-Reset': { description: 'When that window resets, in Unix epoch seconds.', schema: integer },
  'X-RateLimit-Scope': { description: 'Which window that is: `min`, `day` or `month`.', schema: { type: 'string', enum: ['min', 'day', 'month'] } },
  'RateLimit-Policy': { description: 'Every limited window, e.g. `"min";q=30;w=60, "day";q=5000;w=86400, "month";q=50000;w=2678400`.', schema: text },
  RateLimit: { description: 'The tightest window, e.g. `"min";r=12;t=31` (r: requests left, t: seconds until it resets).', schema: text },
  'Retry-After': { description: 'Seconds until the exhausted window resets.', schema: integer },
  'Idempotent-Replayed': { description: '`true` when this is the stored response of an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
};

const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-RateLimit-Scope', 'RateLimit-Policy', 'RateLimit'];

/** Which documented headers a response carries: rate limits on all but 401 (no company is known), Retry-After on 429, replays on POST/PATCH successes. */
export function responseHeaderNames(method: string, status: string): string[] {
  if (status === '401') return [];
  const names = [...RATE_LIMIT_HEADERS];
  if (status === '429') names.push('Retry-After');
  if ((method === 'POST' || method === 'PATCH') && status.startsWith('2')) names.push('Idempotent-Replayed');
  return names;
}
