import crypto from 'node:crypto';

/**
 * Signing secrets and signatures.
 *
 * A secret is `whsec_<base64 of 32 random bytes>`, the Standard Webhooks format, so receivers can use the
 * `standardwebhooks` libraries as they are. Each delivery carries two signatures made from it:
 * - the API's own header (BlueClerk: `X-BlueClerk-Signature: t=<unix>,v1=<hex>`), an HMAC-SHA256 keyed
 *   with the secret exactly as the client received it (the whole `whsec_...` string), because that is
 *   what a verifier written from the API's documentation does with "your webhook secret";
 * - the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`),
 *   keyed with the decoded bytes after `whsec_` as that specification says.
 */
export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${crypto.randomBytes(32).toString('base64')}`;
}

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the seed's "Signature Verification" formula. */
export function timestampedHexSignature(secret: string, timestamp: number, body: string): string {
  const digest = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/** The Standard Webhooks `webhook-signature` value for one message. */
export function standardWebhookSignature(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  const digest = crypto.createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return `v1,${digest}`;
}
