import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { datasetPresent, markDataset, type DatasetPart } from '../dataset.ts';
import { freePort, startServerProcess, type ServerProcess } from '../processes.ts';
import { step } from '../progress.ts';
import type { InstalledPeer, PeerPackage } from './install.ts';

/**
 * Directus serving the same jobs through its REST API (`/items/jobs`) with a static admin token.
 * 11.3.5 is pinned: 11.4 and later declare Node >= 22.
 *
 * Directus needs a single-column primary key and cannot serve bc_jobs itself (its key is
 * (company_id, id), which keeps one company's rows from pointing at another's). So the bench copies the
 * jobs, row for row, into a table `jobs` with `id` as key and the same (company_id, created_at, id)
 * index, in a schema of its own (`directus_peer`) in the bench database, where Directus also keeps its
 * system tables. The copy is made once per dataset.
 */
export const DIRECTUS: PeerPackage = { name: 'directus', pkg: 'directus', version: '11.3.5' };

const SCHEMA = 'directus_peer';
export const DIRECTUS_TOKEN = 'bench-directus-static-token';

function copyPart(jobs: number): DatasetPart {
  return { part: 'directus-jobs', version: 'v1', size: { jobs } };
}

/** Copies bc_jobs into directus_peer.jobs (once per dataset). */
export async function prepareDirectusTable(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM bc_jobs');
  const part = copyPart(Number(rows[0]!.n));
  let present = false;
  try {
    present = await datasetPresent(pool, part);
  } catch {
    present = false; // another size: made again below
  }
  if (present) return;
  step(`copying ${part.size.jobs!.toLocaleString('en-US')} jobs into ${SCHEMA}.jobs for Directus`);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await pool.query(`DROP TABLE IF EXISTS ${SCHEMA}.jobs`);
  await pool.query(`CREATE TABLE ${SCHEMA}.jobs AS
    SELECT id, company_id, created_at, updated_at, title, status, property_id, ticket_id, scheduled_at, completed_at FROM public.bc_jobs`);
  await pool.query(`ALTER TABLE ${SCHEMA}.jobs ADD PRIMARY KEY (id)`);
  await pool.query(`CREATE INDEX jobs_browse_idx ON ${SCHEMA}.jobs (company_id, created_at, id)`);
  await pool.query(`ANALYZE ${SCHEMA}.jobs`);
  await markDataset(pool, part, 0);
}

function directusEnv(databaseUrl: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DB_CLIENT: 'pg',
    DB_CONNECTION_STRING: databaseUrl,
    DB_SEARCH_PATH: SCHEMA,
    KEY: 'opsbase-bench-directus-key',
    SECRET: 'opsbase-bench-directus-secret-not-secret',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'bench-directus-admin-password',
    ADMIN_TOKEN: DIRECTUS_TOKEN,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    TELEMETRY: 'false',
    CACHE_ENABLED: 'false',
    RATE_LIMITER_ENABLED: 'false',
    WEBSOCKETS_ENABLED: 'false',
    // On by default: answers 503 "Under pressure" once its event loop lags, which under a load test is
    // most of the time. Off, Directus is measured serving, as the other servers are.
    PRESSURE_LIMITER_ENABLED: 'false',
  };
  delete env.DATABASE_URL;
  return env;
}

/** Directus's own tables are made once per Directus version (its `bootstrap`, 3 s or more, is then skipped). */
function systemPart(): DatasetPart {
  return { part: 'directus-system', version: DIRECTUS.version, size: {} };
}

export async function startDirectus(installed: InstalledPeer, databaseUrl: string, pool: pg.Pool): Promise<ServerProcess> {
  const cli = path.join(installed.dir, 'node_modules/directus/cli.js');
  if (!fs.existsSync(cli)) throw new Error(`Directus's command is not at ${cli}`);
  for (const dir of ['uploads', 'extensions']) fs.mkdirSync(path.join(installed.dir, dir), { recursive: true });
  const port = await freePort();
  const env = directusEnv(databaseUrl, port);
  // Creates Directus's system tables and the admin user with the static token on first use; later only
  // applies its migrations.
  let bootstrapped = false;
  try {
    bootstrapped = await datasetPresent(pool, systemPart());
  } catch {
    bootstrapped = false; // another Directus version: its bootstrap migrates
  }
  if (!bootstrapped) {
    step(`directus bootstrap (its system tables and the admin user with the static token, in ${SCHEMA})`);
    const bootstrap = spawnSync(process.execPath, [cli, 'bootstrap'], { cwd: installed.dir, env, encoding: 'utf8', timeout: 180_000 });
    if (bootstrap.status !== 0) throw new Error(`directus bootstrap failed (exit ${bootstrap.status}): ${(bootstrap.stderr || bootstrap.stdout).trim().split('\n').slice(-5).join(' | ')}`);
    await markDataset(pool, systemPart(), 0);
  }
  return startServerProcess({
    name: 'directus',
    command: process.execPath,
    args: [cli, 'start'],
    cwd: installed.dir,
    env,
    url: `http://127.0.0.1:${port}`,
    readyPath: '/server/health',
    readyStatus: 200,
    readyTimeoutMs: 120_000,
  });
}

/** Directus's list query for one company's jobs, newest first; deep pages by offset (it has no cursors). */
export function directusListPath(companyId: string, offset?: number): string {
  const filter = `filter%5Bcompany_id%5D%5B_eq%5D=${companyId}`;
  return `/items/jobs?${filter}&sort=-created_at,-id&limit=25${offset ? `&offset=${offset}` : ''}`;
}
