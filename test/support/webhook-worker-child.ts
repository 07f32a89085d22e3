/**
 * A delivery worker in a process of its own, for the crash test: it claims what is due on the database
 * named by WEBHOOK_TEST_DB (pg pool settings as JSON) with a lease of WEBHOOK_TEST_LEASE_MS, prints
 * "claimed <n>", and sends. The test kills it with SIGKILL while the receiver holds the request open.
 */
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { loadConfig } from '../../src/platform/config/config.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { attemptDelivery, claimDueDeliveries } from '../../src/platform/webhooks/worker.ts';
import { blueClerkWebhooks } from '../../src/apis/blueclerk/webhooks/settings.ts';

const pool = new pg.Pool(JSON.parse(process.env.WEBHOOK_TEST_DB!) as pg.PoolConfig);
const db = { kind: 'server', access: 'server', description: 'child', pool, orm: drizzle(pool), close: () => pool.end() } as Database;
const config = loadConfig({ WEBHOOK_ALLOW_PRIVATE: '1' });
const claimed = await claimDueDeliveries(db, blueClerkWebhooks, { leaseMs: Number(process.env.WEBHOOK_TEST_LEASE_MS), batchSize: 10 });
process.stdout.write(`claimed ${claimed.length}\n`);
await Promise.all(claimed.map((delivery) => attemptDelivery(db, config.webhooks, blueClerkWebhooks, delivery)));
process.stdout.write('finished\n');
await pool.end();
