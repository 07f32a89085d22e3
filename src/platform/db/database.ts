import path from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { DataDirLock, readLiveLock } from './data-dir-lock.ts';
import { markSharedSession } from './prepared.ts';
import { EMBEDDED_SOCKET_PORT, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';

// Keep `numeric` and `int8` as strings (money must stay exact); timestamps stay Date objects.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export type Orm = NodePgDatabase<Record<string, never>>;

export interface Database {
  /** Where the data lives, for humans: a data directory or a redacted server URL. */
  readonly description: string;
  readonly kind: 'embedded' | 'server';
  /** How this process reaches the database: it owns it, or it borrows a running server's socket. */
  readonly access: 'owner' | 'borrowed' | 'server';
  readonly pool: pg.Pool;
  readonly orm: Orm;
  close(): Promise<void>;
}

export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`Another Opsbase server (pid ${pid}) is already using the data directory ${dataDir}. Stop it first, or start this one with a different DATA_DIR.`);
    this.name = 'DatabaseInUseError';
  }
}

function wrap(pool: pg.Pool, kind: Database['kind'], access: Database['access'], description: string, onClose: () => Promise<void>): Database {
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  let closing: Promise<void> | null = null;
  const orm = drizzle(pool);
  if (kind === 'embedded') markSharedSession(orm);
  return {
    kind,
    access,
    description,
    pool,
    orm,
    close() {
      closing ??= pool.end().catch(() => {}).then(onClose);
      return closing;
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export function connectToServer(databaseUrl: string, poolSize = 20): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  return wrap(pool, 'server', 'server', redactUrl(databaseUrl), async () => {});
}

function poolOnSocket(socketDir: string): pg.Pool {
  return new pg.Pool({ host: socketDir, port: EMBEDDED_SOCKET_PORT, user: 'postgres', database: 'postgres', max: 10 });
}

/**
 * Opens the embedded database in `dataDir`. A server takes the data directory for itself and refuses a
 * second owner; the CLI borrows the running server's socket when there is one, and otherwise owns the
 * database for the length of the command.
 */
export async function openEmbedded(dataDir: string, role: 'server' | 'cli'): Promise<Database> {
  const holder = readLiveLock(dataDir);
  if (holder) {
    if (role === 'cli' && holder.owner === 'server' && holder.socketDir) {
      return wrap(poolOnSocket(holder.socketDir), 'embedded', 'borrowed', dataDir, async () => {});
    }
    throw new DatabaseInUseError(dataDir, holder.pid);
  }
  const lock = DataDirLock.acquire(dataDir, role);
  if (!(lock instanceof DataDirLock)) {
    if (role === 'cli' && lock.owner === 'server' && lock.socketDir) {
      return wrap(poolOnSocket(lock.socketDir), 'embedded', 'borrowed', dataDir, async () => {});
    }
    throw new DatabaseInUseError(dataDir, lock.pid);
  }
  let embedded: EmbeddedPostgres;
  try {
    embedded = await startEmbeddedPostgres({ pgDataDir: path.join(dataDir, 'pgdata'), socketDir: path.join(dataDir, 'run') });
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.publishSocket(embedded.socketDir);
  return wrap(poolOnSocket(embedded.socketDir), 'embedded', 'owner', dataDir, async () => {
    await embedded.stop();
    lock.release();
  });
}

/** A throwaway in-memory embedded database (tests). */
export async function openEphemeralEmbedded(): Promise<Database> {
  const embedded = await startEmbeddedPostgres({ pgDataDir: 'memory://' });
  return wrap(poolOnSocket(embedded.socketDir), 'embedded', 'owner', 'memory://', () => embedded.stop());
}

export async function openDatabase(config: { databaseUrl?: string; dataDir: string }, role: 'server' | 'cli'): Promise<Database> {
  return config.databaseUrl ? connectToServer(config.databaseUrl) : openEmbedded(config.dataDir, role);
}
