import type { GrantType } from '../config.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import type { GrantHandler } from './context.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/**
 * One handler per grant type; the token endpoint dispatches on grant_type among those the API enables.
 * client_credentials (BlueRound, Blikk) joins as one more file and one more entry here.
 */
export const GRANT_HANDLERS: Record<GrantType, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};
