import pg from 'pg';
import { redactUrl } from '../src/platform/db/database.ts';
import type { Profile } from './profile.ts';

/**
 * Which PostgreSQL database the bench uses. By default a dedicated one per profile on 127.0.0.1
 * (`opsbase_bench`, `opsbase_bench_quick`), created when missing and the bench's to drop and remake when
 * its dataset is out of date. A DATABASE_URL given by the caller is used as it is and never dropped.
 */
export interface BenchDatabase {
  url: string;
  /** True when the bench made the database and may drop it. */
  dedicated: boolean;
  description: string;
}

export function benchDatabase(profile: Profile, env: NodeJS.ProcessEnv = process.env): BenchDatabase {
  const given = env.DATABASE_URL && env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined;
  if (given) return { url: given, dedicated: false, description: redactUrl(given) };
  const name = profile.name === 'quick' ? 'opsbase_bench_quick' : 'opsbase_bench';
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  return { url, dedicated: true, description: redactUrl(url) };
}

function maintenanceUrl(url: string): { url: string; name: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  parsed.pathname = '/postgres';
  return { url: parsed.toString(), name };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Creates the database when it does not exist (only ever called for dedicated ones). */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const { url: adminUrl, name } = maintenanceUrl(url);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { url: adminUrl, name } = maintenanceUrl(url);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** The same server, another database (the Directus peer keeps its own system tables apart). */
export function siblingDatabaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
