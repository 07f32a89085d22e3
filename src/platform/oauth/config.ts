import type { Company } from '../tenancy/tenancy.ts';
import type { PlanRequired } from './errors.ts';

/**
 * Everything that differs between APIs using the authorization server. This file is also the reference
 * for what can be configured: an API describes itself with one OAuthServerConfig and gets the consent
 * screen, token, revocation and metadata endpoints and bearer verification from the same code.
 */
export type GrantType = 'authorization_code' | 'refresh_token';
export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic';

export interface ScopeDefinition {
  /** Plain words for the consent screen: what the app will be able to do. */
  description: string;
}

export interface OAuthServerConfig {
  /** The API's short name; every client, grant and token row is tagged with it. */
  api: string;
  /** Human name of the API for the consent screen ("BlueClerk"). */
  apiTitle: string;
  /** Path under PUBLIC_URL where the API (and so the issuer) lives: issuer = PUBLIC_URL + issuerPath (RFC 8414). */
  issuerPath: `/${string}`;
  /** Every scope a client may request, in the order the consent screen lists them. */
  scopes: Record<string, ScopeDefinition>;
  tokenPrefixes: { access: string; refresh: string };
  lifetimes: { accessTokenSeconds: number; refreshTokenSeconds: number; authorizationCodeSeconds: number };
  /**
   * 'rotate': every refresh returns a new refresh token, the old one dies, and presenting it again revokes
   * the whole authorization. (BlueRound's 'sliding' policy will be a second value handled in grants/refresh-token.ts.)
   */
  refreshPolicy: 'rotate';
  /** Grant types the token endpoint accepts, each implemented by one file in grants/. */
  grantTypes: GrantType[];
  /** 'S256-required': every authorization request carries an S256 code_challenge. */
  pkce: 'S256-required';
  clientAuthMethods: ClientAuthMethod[];
  /**
   * Access token format. Opaque tokens are looked up by hash on every call; a 'jwt' format (BlueRound)
   * will plug in at token-format.ts without changing the grants.
   */
  tokenFormat: 'opaque';
  /**
   * Policy hook run at consent, at the token endpoint (every grant) and on API calls: return an error to
   * refuse the company (BlueClerk refuses companies on a free trial), or null to let it through.
   */
  checkCompany(company: Pick<Company, 'id' | 'name' | 'plan'>): PlanRequired | null;
}

/** Where the endpoints live, derived from PUBLIC_URL and the config (paths are relative to the API prefix). */
export const ENDPOINT_PATHS = {
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  revoke: '/oauth/revoke',
} as const;

export function issuerOf(publicUrl: string, config: Pick<OAuthServerConfig, 'issuerPath'>): string {
  return `${publicUrl}${config.issuerPath}`;
}
