import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { findClient, secretMatches, type OAuthClient } from './clients.ts';
import type { ClientAuthMethod, OAuthServerConfig } from './config.ts';
import { InvalidClient, InvalidRequest } from './errors.ts';
import { singleParam, type RequestParams } from './authorize/params.ts';

/**
 * Client authentication at the token and revocation endpoints (RFC 6749 2.3.1): the secret in the form
 * body (client_secret_post) or in an HTTP Basic header (client_secret_basic), never both.
 */
export interface AuthenticatedClient {
  client: OAuthClient;
  method: ClientAuthMethod;
}

interface PresentedCredentials {
  clientId: string;
  secret: string;
  method: ClientAuthMethod;
}

// RFC 6749 2.3.1: id and secret are form-urlencoded before being joined and base64-encoded.
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function basicCredentials(header: string): PresentedCredentials {
  const decoded = Buffer.from(header.slice('basic '.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('The Basic credentials must be client_id:client_secret', true);
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
  } catch {
    throw new InvalidClient('The Basic credentials are not correctly encoded', true);
  }
}

function presentedCredentials(request: FastifyRequest, body: RequestParams): PresentedCredentials {
  const authorization = request.headers.authorization;
  const bodyClientId = singleParam(body, 'client_id');
  const bodySecret = singleParam(body, 'client_secret');
  if (authorization && /^basic /i.test(authorization)) {
    if (bodySecret !== undefined) throw new InvalidRequest('Send the client secret either in the Authorization header or in the body, not both');
    const basic = basicCredentials(authorization);
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) throw new InvalidRequest('client_id in the body differs from the one in the Authorization header');
    return basic;
  }
  if (bodyClientId === undefined) throw new InvalidClient('Client authentication is required: send client_id and client_secret');
  if (bodySecret === undefined) throw new InvalidClient('client_secret is required');
  return { clientId: bodyClientId, secret: bodySecret, method: 'client_secret_post' };
}

export async function authenticateClient(ctx: Pick<AppContext, 'db'>, config: OAuthServerConfig, request: FastifyRequest, body: RequestParams): Promise<AuthenticatedClient> {
  const presented = presentedCredentials(request, body);
  const usedBasic = presented.method === 'client_secret_basic';
  if (!config.clientAuthMethods.includes(presented.method)) throw new InvalidClient(`${presented.method} is not accepted here`, usedBasic);
  const client = await findClient(ctx.db.orm, config.api, presented.clientId);
  // One answer for "no such client" and "wrong secret": the endpoint does not confirm which ids exist.
  if (!client || !secretMatches(client, presented.secret)) throw new InvalidClient('Client authentication failed', usedBasic);
  return { client, method: presented.method };
}
