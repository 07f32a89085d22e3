import { InvalidRequest } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { singleParam } from './params.ts';

const MAX_STATE_LENGTH = 2048;

/** `state` is opaque to us and echoed back; bounded so it cannot bloat the redirect or the consent form. */
export function checkState(ac: AuthorizeContext): void {
  const state = singleParam(ac.params, 'state');
  if (state !== undefined && state.length > MAX_STATE_LENGTH) throw new InvalidRequest(`state must be at most ${MAX_STATE_LENGTH} characters`);
  ac.state = state;
}
