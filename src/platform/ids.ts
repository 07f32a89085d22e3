import crypto from 'node:crypto';
import { init } from '@paralleldrive/cuid2';

const cuidBody = init({ length: 24 });

/** Public ids are CUIDs: `c` followed by lowercase letters and digits (25 characters), as BlueClerk documents. */
export function newId(): string {
  return `c${cuidBody()}`;
}

/** A high-entropy secret (tokens, client secrets), base64url, optionally with a readable prefix such as `bc_at_`. */
export function newSecret(prefix = '', bytes = 32): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url');
}

/** Secrets are stored only as SHA-256: they carry enough entropy that a slow hash adds nothing. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two strings (lengths are not secret). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
