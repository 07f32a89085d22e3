import { InvalidRequest } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { requiredParam } from './params.ts';

/**
 * The redirect URI must equal one the app registered, character for character (no prefix or pattern
 * matching: that is how codes get sent to attackers). Failures are shown to the person, never redirected.
 */
export function checkRedirectUri(ac: AuthorizeContext): void {
  const redirectUri = requiredParam(ac.params, 'redirect_uri');
  if (!ac.client!.redirectUris.includes(redirectUri)) {
    throw new InvalidRequest(`The redirect_uri "${redirectUri}" is not registered for the app "${ac.client!.name}".`);
  }
  ac.redirectUri = redirectUri;
}
