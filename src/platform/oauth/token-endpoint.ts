import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { RequestParams } from './authorize/params.ts';
import { requiredParam } from './authorize/params.ts';
import { authenticateClient } from './client-auth.ts';
import { ENDPOINT_PATHS, type GrantType, type OAuthServerConfig } from './config.ts';
import { InvalidClient, InvalidRequest, OAuthError, ServerError, UnsupportedGrantType } from './errors.ts';
import { GRANT_HANDLERS } from './grants/index.ts';
import { revokeToken } from './revocation.ts';

/**
 * The token endpoint (RFC 6749 3.2) and the revocation endpoint (RFC 7009): form-encoded requests from
 * clients, RFC 6749 JSON errors, nothing cached.
 */
export function registerTokenRoutes(app: FastifyInstance, ctx: AppContext, config: OAuthServerConfig): void {
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    let oauthError: OAuthError;
    if (error instanceof OAuthError) oauthError = error;
    else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) oauthError = new InvalidRequest(error.statusCode === 415 ? 'Send the request as application/x-www-form-urlencoded' : 'The request could not be parsed');
    else {
      request.log.error({ err: error }, 'token endpoint failed');
      oauthError = new ServerError();
    }
    if (oauthError instanceof InvalidClient && oauthError.usedBasic) reply.header('WWW-Authenticate', `Basic realm="${config.api}", charset="UTF-8"`);
    return noStore(reply).code(oauthError.status).send(oauthError.toJSON());
  });

  app.post(ENDPOINT_PATHS.token, async (request, reply) => {
    const params = formBody(request);
    const grantType = requiredParam(params, 'grant_type');
    const { client } = await authenticateClient(ctx, config, request, params);
    if (!config.grantTypes.includes(grantType as GrantType)) throw new UnsupportedGrantType(`grant_type "${grantType}" is not supported; use ${config.grantTypes.join(' or ')}`);
    const tokens = await GRANT_HANDLERS[grantType as GrantType]({ ctx, config, client, params });
    return noStore(reply).code(200).send(tokens);
  });

  app.post(ENDPOINT_PATHS.revoke, async (request, reply) => {
    const params = formBody(request);
    const { client } = await authenticateClient(ctx, config, request, params);
    await revokeToken(ctx, config, client, requiredParam(params, 'token'));
    // RFC 7009 2.2: 200 whether or not the token existed, so the answer reveals nothing.
    return noStore(reply).code(200).send();
  });
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

/** RFC 6749 3.2: the token endpoint takes application/x-www-form-urlencoded bodies only. */
function formBody(request: FastifyRequest): RequestParams {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new InvalidRequest('Send the request as application/x-www-form-urlencoded');
  return (request.body ?? {}) as RequestParams;
}
