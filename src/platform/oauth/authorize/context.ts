import type { AppContext } from '../../context.ts';
import type { OAuthClient } from '../clients.ts';
import type { OAuthServerConfig } from '../config.ts';
import type { RequestParams } from './params.ts';

/** What the authorization steps read and fill in, in order; each step may rely on the ones before it. */
export interface AuthorizeContext {
  ctx: Pick<AppContext, 'db'>;
  config: OAuthServerConfig;
  params: RequestParams;
  client?: OAuthClient;
  /** Set only once it exactly matches a registered URI: from then on errors go back to the client. */
  redirectUri?: string;
  state?: string;
  scopes?: string[];
  codeChallenge?: string;
}

export type AuthorizeStep = (ac: AuthorizeContext) => void | Promise<void>;
