import crypto from 'node:crypto';
import fs from 'node:fs';
import type pg from 'pg';

/**
 * Applies the SQL migrations that drizzle-kit generates (`npm run db:generate`) to either backend.
 * Our own runner rather than drizzle's: it holds a transaction-scoped advisory lock, so several nodes
 * starting at once apply each migration exactly once, and everything pending lands in one transaction.
 */
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const LOCK_KEY = 7_411_902_551; // arbitrary, constant: "opsbase migrations"

interface Migration {
  tag: string;
  statements: string[];
  hash: string;
}

export function loadMigrations(): Migration[] {
  const journal = JSON.parse(fs.readFileSync(new URL('meta/_journal.json', MIGRATIONS_DIR), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => {
      const text = fs.readFileSync(new URL(`${tag}.sql`, MIGRATIONS_DIR), 'utf8');
      return {
        tag,
        hash: crypto.createHash('sha256').update(text).digest('hex'),
        statements: text.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean),
      };
    });
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS opsbase_migrations (
  tag text PRIMARY KEY,
  hash text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export async function migrate(pool: pg.Pool): Promise<{ applied: string[] }> {
  const migrations = loadMigrations();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(CREATE_LEDGER);
    const { rows } = await client.query<{ tag: string }>('SELECT tag FROM opsbase_migrations');
    const done = new Set(rows.map((r) => r.tag));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.tag)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query('INSERT INTO opsbase_migrations (tag, hash) VALUES ($1, $2)', [migration.tag, migration.hash]);
      applied.push(migration.tag);
    }
    await client.query('COMMIT');
    return { applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Tags of migrations this code knows but the database has not applied (readiness). */
export async function pendingMigrations(pool: pg.Pool): Promise<string[]> {
  const known = loadMigrations().map((m) => m.tag);
  const exists = await pool.query<{ present: boolean }>(`SELECT to_regclass('opsbase_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return known;
  const { rows } = await pool.query<{ tag: string }>('SELECT tag FROM opsbase_migrations');
  const done = new Set(rows.map((r) => r.tag));
  return known.filter((tag) => !done.has(tag));
}
