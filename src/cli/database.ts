import pino from 'pino';
import { loadConfig, type Config } from '../platform/config/config.ts';
import { DatabaseInUseError, openDatabase, type Database } from '../platform/db/database.ts';
import { readLiveLock } from '../platform/db/data-dir-lock.ts';
import { migrate } from '../platform/db/migrate.ts';
import { BackgroundWork } from '../platform/background.ts';
import type { AppContext } from '../platform/context.ts';
import { CliError } from './command.ts';

/**
 * How a command reaches the database: `openDatabase(config, 'cli')` borrows a running server's socket
 * when a server holds the embedded data directory, owns the database for the command otherwise, or
 * connects to DATABASE_URL. The database is always closed before the command returns, so an owned
 * embedded database is flushed and its lock released.
 */
export interface CliDatabase {
  config: Config;
  db: Database;
}

function open(config: Config): Promise<Database> {
  return openDatabase(config, 'cli').catch((error: unknown) => {
    if (error instanceof DatabaseInUseError) {
      // Another command (not a server) holds the directory for a moment; the platform's message says "server".
      const holder = readLiveLock(config.dataDir);
      if (holder?.owner === 'cli') throw new CliError(`Another opsbase command (pid ${holder.pid}) is using the data directory ${config.dataDir}; wait for it to finish and retry.`);
      throw new CliError(error.message);
    }
    throw error;
  });
}

// Connection problems show up at the first query; say which database could not be reached (password redacted).
async function reachable(db: Database): Promise<void> {
  try {
    await db.pool.query('SELECT 1');
  } catch (error) {
    throw new CliError(`Cannot reach the database ${db.description}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Runs `work` on the database. Unless told otherwise it migrates first: on a fresh data directory (or a
 * fresh DATABASE_URL) the tables must exist, and on a migrated one this is a no-op under an advisory lock.
 */
export async function withDatabase<T>(work: (cli: CliDatabase) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const db = await open(config);
  // Ctrl-C while this process owns the embedded database: close it (flush, release the lock) before leaving.
  const interrupt = () => void db.close().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await reachable(db);
    if (options.migrate ?? true) await migrate(db.pool);
    return await work({ config, db });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await db.close();
  }
}

/** The context platform code expects (the demo seeds through the APIs); logs go to stderr so stdout stays clean. */
export function cliContext({ config, db }: CliDatabase): AppContext {
  const log = pino({ level: config.logLevel }, pino.destination({ dest: 2, sync: true }));
  return { config, db, background: new BackgroundWork(), log };
}
