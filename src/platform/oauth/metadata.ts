import type { OAuthServerConfig } from './config.ts';
import { ENDPOINT_PATHS, issuerOf } from './config.ts';

/** RFC 8414 authorization server metadata, built from the same config the endpoints use. */
export function authorizationServerMetadata(publicUrl: string, config: OAuthServerConfig): Record<string, unknown> {
  const issuer = issuerOf(publicUrl, config);
  return {
    issuer,
    authorization_endpoint: `${issuer}${ENDPOINT_PATHS.authorize}`,
    token_endpoint: `${issuer}${ENDPOINT_PATHS.token}`,
    revocation_endpoint: `${issuer}${ENDPOINT_PATHS.revoke}`,
    scopes_supported: Object.keys(config.scopes),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: config.grantTypes,
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: config.clientAuthMethods,
    revocation_endpoint_auth_methods_supported: config.clientAuthMethods,
    authorization_response_iss_parameter_supported: true,
  };
}

/** RFC 8414 3: the well-known path is inserted between the host and the issuer's path. */
export function rootMetadataPath(config: Pick<OAuthServerConfig, 'issuerPath'>): string {
  return `/.well-known/oauth-authorization-server${config.issuerPath}`;
}
