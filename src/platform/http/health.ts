import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { pendingMigrations } from '../db/migrate.ts';

/** `/healthz`: the process answers. `/readyz`: the database answers and every migration is applied. */
export function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      const pending = await pendingMigrations(ctx.db.pool);
      if (pending.length > 0) return reply.code(503).send({ status: 'unavailable', reason: `migrations pending: ${pending.join(', ')}` });
      return { status: 'ready', database: ctx.db.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
}
