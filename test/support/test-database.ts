import crypto from 'node:crypto';
import pg from 'pg';
import { connectToServer, openEphemeralEmbedded, type Database } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

/**
 * A fresh, migrated database for one test file: an in-memory embedded PostgreSQL by default, or a new
 * database on the server named by DATABASE_URL (created here, dropped on close), so runs never share state.
 * `migrate: false` leaves it empty, for tests of the migration command itself.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<Database & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL;
  const migrated = options.migrate ?? true;
  if (!serverUrl) {
    const db = await openEphemeralEmbedded();
    if (migrated) await migrate(db.pool);
    return db;
  }
  const name = `opsbase_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = connectToServer(url.toString(), 10);
  if (migrated) await migrate(db.pool);
  const close = async () => {
    await db.close();
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
  return { ...db, close, url: url.toString() };
}
