import { UnsupportedResponseType } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { requiredParam } from './params.ts';

/** Only the authorization code flow: no implicit tokens in URLs. */
export function checkResponseType(ac: AuthorizeContext): void {
  const responseType = requiredParam(ac.params, 'response_type');
  if (responseType !== 'code') throw new UnsupportedResponseType(`response_type must be "code" (got "${responseType}")`);
}
