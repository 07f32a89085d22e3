import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../../src/platform/db/database.ts';
import { webhookAttempts, webhookDeliveries } from '../../src/platform/webhooks/schema.ts';

/** A second, independent pool on the same database: another node, as far as the database can tell. */
export function anotherNode(db: Database): Database {
  const pool = new pg.Pool({ ...(db.pool.options as pg.PoolConfig), max: 5 });
  pool.on('error', () => {});
  return { ...db, pool, orm: drizzle(pool), close: () => pool.end() };
}

/** Connection settings a child process can use to reach the same database (socket or server). */
export function connectionOf(db: Database & { url?: string }): pg.PoolConfig {
  if (db.url) return { connectionString: db.url };
  const { host, port, user, database } = db.pool.options as pg.PoolConfig;
  return { host, port, user, database };
}

export async function deliveriesOf(db: Database, companyId: string) {
  return db.orm.select().from(webhookDeliveries).where(eq(webhookDeliveries.companyId, companyId)).orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id));
}

export async function attemptsOf(db: Database, companyId: string, deliveryId: string) {
  return db.orm
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.companyId, companyId), eq(webhookAttempts.deliveryId, deliveryId)))
    .orderBy(asc(webhookAttempts.startedAt), asc(webhookAttempts.id));
}

/** Polls `check` until it returns a value other than undefined (or times out). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
