import { InvalidRequest, InvalidScope } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { requiredParam } from './params.ts';

/**
 * Scopes are separated by spaces (RFC 6749 3.3); the seed's `leads:write+jobs:read` arrives as a space
 * once the query string is decoded. Each must exist and be one the app registered for.
 */
export function checkScope(ac: AuthorizeContext): void {
  const requested = [...new Set(requiredParam(ac.params, 'scope').split(' ').filter((s) => s !== ''))];
  if (requested.length === 0) throw new InvalidRequest('scope is required');
  const unknown = requested.filter((s) => !Object.hasOwn(ac.config.scopes, s));
  if (unknown.length > 0) throw new InvalidScope(`Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}`);
  const unregistered = requested.filter((s) => !ac.client!.scopes.includes(s));
  if (unregistered.length > 0) throw new InvalidScope(`The app is not registered for ${unregistered.map((s) => `"${s}"`).join(', ')}`);
  // The configured order, so the consent screen and the token's `scope` read the same for everyone.
  ac.scopes = Object.keys(ac.config.scopes).filter((s) => requested.includes(s));
}
