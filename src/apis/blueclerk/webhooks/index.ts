import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { registerWebhookConsole } from '../../../platform/webhooks/console.ts';
import { scheduleWebhookPurge } from '../../../platform/webhooks/retention.ts';
import { startWebhookWorkers } from '../../../platform/webhooks/worker.ts';
import { blueClerkWebhooks } from './settings.ts';

export { registerWebhookRoutes } from './routes.ts';
export { blueClerkWebhooks } from './settings.ts';

/**
 * BlueClerk's webhook console pages, this node's delivery workers and the purge of old deliveries. `app`
 * is the API's instance (prefix `/blueclerk`); the API routes are registered inside `/api/v1` by
 * registerWebhookRoutes.
 */
export async function registerBlueClerkWebhooks(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const relative = blueClerkWebhooks.consolePath.slice(app.prefix.length);
  await app.register(async (pages) => registerWebhookConsole(pages, ctx, blueClerkWebhooks, relative));
  startWebhookWorkers(ctx, blueClerkWebhooks);
  scheduleWebhookPurge(ctx, blueClerkWebhooks.api);
}
