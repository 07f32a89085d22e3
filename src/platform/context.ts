import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import type { BackgroundWork } from './background.ts';

/** What every part of a running Opsbase node shares. Nothing here is per-request or per-tenant. */
export interface AppContext {
  config: Config;
  db: Database;
  background: BackgroundWork;
  log: FastifyBaseLogger;
}
