// Verifies BlueClerk webhook deliveries (seed "Signature Verification"). Node 18+, no dependencies.
//
//   BLUECLERK_WEBHOOK_SECRET=whsec_... PORT=4000 node examples/webhook-verifier.js
//
// starts a receiver that answers 204 to deliveries whose X-BlueClerk-Signature verifies and 401 to the
// rest. verifyBlueClerkSignature() is the part to copy into your own app: always verify the raw body
// bytes exactly as received, before parsing them as JSON.
import crypto from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

/** Deliveries signed longer ago than this are rejected (replay protection). */
export const TOLERANCE_SECONDS = 5 * 60;

/**
 * Returns null when the signature is valid, or the reason it is not.
 * @param {string} rawBody the request body exactly as received
 * @param {string | undefined} header the X-BlueClerk-Signature header
 * @param {string} secret the `secret` returned when the webhook was created (the whole `whsec_...` string)
 * @param {number} [nowSeconds] the current Unix time
 */
export function verifyBlueClerkSignature(rawBody, header, secret, nowSeconds = Math.floor(Date.now() / 1000)) {
  if (typeof header !== 'string') return 'missing X-BlueClerk-Signature header';
  // 1. Extract t (timestamp) and v1 (HMAC-SHA256 hex digest).
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2)));
  const t = parts.t;
  const v1 = parts.v1;
  if (!t || !/^\d+$/.test(t) || !v1 || !/^[0-9a-f]{64}$/i.test(v1)) return 'malformed X-BlueClerk-Signature header';
  // 2. Build the signed payload: {t}.{raw_request_body}
  const signedPayload = `${t}.${rawBody}`;
  // 3. Compute HMAC-SHA256 with your webhook secret.
  const expected = crypto.createHmac('sha256', secret).update(signedPayload).digest();
  // 4. Compare with v1 using a constant-time comparison.
  const received = Buffer.from(v1, 'hex');
  if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) return 'signature does not match';
  // 5. Reject if t is more than 5 minutes old.
  if (Math.abs(nowSeconds - Number(t)) > TOLERANCE_SECONDS) return 'timestamp outside the 5-minute tolerance';
  return null;
}

/** A receiver for local testing: verifies, logs the event, acknowledges with 204. */
export function createReceiver(secret, log = console.log) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const problem = verifyBlueClerkSignature(rawBody, req.headers['x-blueclerk-signature'], secret);
      if (problem) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end(problem);
        return;
      }
      const event = JSON.parse(rawBody);
      // Deliveries are at least once: de-duplicate by event id (also sent as the webhook-id header).
      log(`${event.event} ${event.id}`, JSON.stringify(event.data));
      res.writeHead(204).end();
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.BLUECLERK_WEBHOOK_SECRET;
  if (!secret) {
    console.error('Set BLUECLERK_WEBHOOK_SECRET to the secret returned by POST /webhooks.');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 4000);
  createReceiver(secret).listen(port, '127.0.0.1', () => console.log(`Verifying BlueClerk webhooks on http://127.0.0.1:${port}/`));
}
