import type { AppContext } from '../../context.ts';
import type { RequestParams } from '../authorize/params.ts';
import type { OAuthClient } from '../clients.ts';
import type { GrantType, OAuthServerConfig } from '../config.ts';
import type { TokenResponse } from '../tokens.ts';

/** What every grant handler receives: an authenticated client and the token request's form fields. */
export interface GrantContext {
  ctx: Pick<AppContext, 'db'>;
  config: OAuthServerConfig;
  client: OAuthClient;
  params: RequestParams;
}

export type GrantHandler = (gc: GrantContext) => Promise<TokenResponse>;
