import { InvalidRequest } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { singleParam } from './params.ts';

// base64url of a 32-byte SHA-256 digest, without padding (RFC 7636 4.2).
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE with S256 is required: it binds the code to the client instance that started the flow. `plain`
 * (also the default when the method is omitted, RFC 7636 4.3) would send the verifier itself through the browser.
 */
export function checkPkce(ac: AuthorizeContext): void {
  const challenge = singleParam(ac.params, 'code_challenge');
  const method = singleParam(ac.params, 'code_challenge_method');
  if (challenge === undefined) throw new InvalidRequest('code_challenge is required (PKCE with S256)');
  if (method !== 'S256') throw new InvalidRequest(`code_challenge_method must be S256${method ? ` (got "${method}")` : ''}`);
  if (!S256_CHALLENGE.test(challenge)) throw new InvalidRequest('code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)');
  ac.codeChallenge = challenge;
}
