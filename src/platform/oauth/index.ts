import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { registerAuthorizeRoutes } from './authorize/routes.ts';
import type { OAuthServerConfig } from './config.ts';
import { authorizationServerMetadata, rootMetadataPath } from './metadata.ts';
import { registerTokenRoutes } from './token-endpoint.ts';

/**
 * The OAuth 2.0 authorization server, mounted by an API inside its prefix. Each group of endpoints has
 * its own encapsulation context so it answers errors in its own form (pages for people, RFC 6749 JSON
 * for clients), whatever dialect the API uses for the rest of its paths.
 */
export async function registerOAuthServer(app: FastifyInstance, ctx: AppContext, config: OAuthServerConfig): Promise<void> {
  await app.register(async (scoped) => registerAuthorizeRoutes(scoped, ctx, config));
  await app.register(async (scoped) => registerTokenRoutes(scoped, ctx, config));
  // Also beside the issuer, for clients that append the well-known suffix to the issuer URL (OIDC style).
  app.get('/.well-known/oauth-authorization-server', async () => authorizationServerMetadata(ctx.config.publicUrl, config));
}

/** RFC 8414's own location for an issuer with a path; register from ApiModule.registerRoot. */
export async function registerOAuthMetadataRoot(app: FastifyInstance, ctx: AppContext, config: OAuthServerConfig): Promise<void> {
  app.get(rootMetadataPath(config), async () => authorizationServerMetadata(ctx.config.publicUrl, config));
}

export type { OAuthServerConfig } from './config.ts';
export { verifyAccessToken, bearerTokenFrom, type Caller, type BearerFailure } from './bearer.ts';
