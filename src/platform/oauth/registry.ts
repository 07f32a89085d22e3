import type { ApiModule } from '../api-module.ts';
import type { OAuthServerConfig } from './config.ts';

/**
 * The APIs that run an authorization server, found through their ApiModule. Loaded lazily because the
 * API modules themselves import the OAuth server (a static import would be a cycle).
 */
export async function oauthServers(): Promise<OAuthServerConfig[]> {
  const { apis } = (await import('../../apis/index.ts')) as { apis: ApiModule[] };
  return apis.flatMap((api) => (api.oauth ? [api.oauth] : []));
}

export async function oauthServerFor(api: string): Promise<OAuthServerConfig | null> {
  return (await oauthServers()).find((config) => config.api === api) ?? null;
}
