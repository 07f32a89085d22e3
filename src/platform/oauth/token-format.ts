import { newSecret } from '../ids.ts';

/**
 * How access tokens look on the wire. Opaque tokens are 32 random bytes behind the API's prefix and are
 * checked by looking their hash up (bearer.ts). A 'jwt' format (BlueRound) will add a signer here and a
 * verifier beside bearer.ts; the grants only call the minting function and never depend on the format.
 */
export function mintOpaqueToken(prefix: string): string {
  return newSecret(prefix, 32);
}

/** Cheap shape check before any database work: the prefix plus 43 base64url characters. */
export function looksLikeOpaqueToken(prefix: string, token: string): boolean {
  return token.length === prefix.length + 43 && token.startsWith(prefix) && /^[A-Za-z0-9_-]+$/.test(token.slice(prefix.length));
}
