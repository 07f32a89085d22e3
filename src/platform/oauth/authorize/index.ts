import type { AppContext } from '../../context.ts';
import type { OAuthClient } from '../clients.ts';
import type { OAuthServerConfig } from '../config.ts';
import { OAuthError } from '../errors.ts';
import { checkClient } from './check-client.ts';
import { checkPkce } from './check-pkce.ts';
import { checkRedirectUri } from './check-redirect-uri.ts';
import { checkResponseType } from './check-response-type.ts';
import { checkScope } from './check-scope.ts';
import { checkState } from './check-state.ts';
import type { AuthorizeContext, AuthorizeStep } from './context.ts';
import type { RequestParams } from './params.ts';

/**
 * The authorization request, checked by small steps in this order. The first two establish whom we may
 * redirect to; until both pass, a problem is shown on our page (RFC 6749 4.1.2.1), afterwards it goes
 * back to the client as `error=` on its redirect URI.
 */
const STEPS: AuthorizeStep[] = [checkClient, checkRedirectUri, checkState, checkResponseType, checkScope, checkPkce];

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string;
}

export type AuthorizeOutcome =
  | { ok: true; request: AuthorizationRequest }
  /** `redirectUri` is set when the error may be sent back to the client. */
  | { ok: false; error: OAuthError; redirectUri?: string; state?: string };

export async function validateAuthorizationRequest(ctx: Pick<AppContext, 'db'>, config: OAuthServerConfig, params: RequestParams): Promise<AuthorizeOutcome> {
  const ac: AuthorizeContext = { ctx, config, params };
  try {
    for (const step of STEPS) await step(ac);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { ok: false, error, redirectUri: ac.redirectUri, state: ac.state };
  }
  return {
    ok: true,
    request: { client: ac.client!, redirectUri: ac.redirectUri!, state: ac.state, scopes: ac.scopes!, codeChallenge: ac.codeChallenge! },
  };
}
