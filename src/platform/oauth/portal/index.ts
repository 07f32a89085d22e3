import type { FastifyInstance } from 'fastify';
import type { ApiModule } from '../../api-module.ts';
import type { AppContext } from '../../context.ts';
import { registerConnectedApps } from './connected-apps.ts';
import { registerDeveloperPortal } from './developer-portal.ts';

/** Console pages of the authorization server, shared by every API that has one. */
export async function registerOAuthPortal(app: FastifyInstance, ctx: AppContext, apis: ApiModule[]): Promise<void> {
  const servers = apis.flatMap((api) => (api.oauth ? [api.oauth] : []));
  if (servers.length === 0) return;
  await app.register(async (scoped) => registerDeveloperPortal(scoped, ctx, servers));
  await app.register(async (scoped) => registerConnectedApps(scoped, ctx));
}

/** Entries for the console home. */
export const OAUTH_CONSOLE_LINKS = [
  { label: 'Developer portal', href: '/developers', description: 'Register apps that connect to your APIs through OAuth.' },
  { label: 'Connected apps', href: '/connected-apps', description: 'See and revoke the apps connected to your companies.' },
];
