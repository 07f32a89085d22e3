import type pg from 'pg';
import type { SQL } from 'drizzle-orm';
import { PgDialect, PgTransaction } from 'drizzle-orm/pg-core';
import type { Orm } from './database.ts';

/**
 * Statements built once per database handle and sent as named prepared statements, for the paths every
 * API request takes (token lookups, get by id, list pages). Building a statement with drizzle costs more
 * CPU than PostgreSQL spends answering it (the bench's CPU profile: about a fifth of the server's busy
 * time), and a named statement is parsed once per connection instead of once per call. Values are bound
 * through `sql.placeholder(...)`, so nothing about a call is part of the statement's text.
 *
 * Only for the pool-level handle: a prepared statement runs on a pool connection, so inside a
 * transaction (whose statements must go to the transaction's connection) callers build the statement
 * as usual (`isTransaction`).
 */
const statements = new WeakMap<Orm, Map<string, unknown>>();

/**
 * Handles whose connections share one backend session (the embedded database: PGlite has a single
 * session behind its socket). A statement name is per session there, not per connection, so a second
 * connection's Parse of the same name fails ("already exists"); these handles keep the pre-built text
 * but send it unnamed, parsed on each call.
 */
const sharedSession = new WeakSet<Orm>();

export function markSharedSession(orm: Orm): void {
  sharedSession.add(orm);
}

export function prepared<P>(orm: Orm, name: string, build: (orm: Orm) => { prepare(name: string): P }): P {
  let byName = statements.get(orm);
  if (!byName) statements.set(orm, (byName = new Map()));
  let statement = byName.get(name) as P | undefined;
  if (statement === undefined) {
    // pg sends an empty name as the unnamed statement.
    statement = build(orm).prepare(sharedSession.has(orm) ? '' : name);
    byName.set(name, statement);
  }
  return statement;
}

/** True for a transaction handle, whose statements must not go to a pool-level prepared statement. */
export function isTransaction(db: unknown): boolean {
  return db instanceof PgTransaction;
}

const dialect = new PgDialect();

/**
 * Runs a statement written with drizzle's `sql` (outside a transaction) as the named prepared statement
 * `name`, for a hot write that is one long statement: PostgreSQL then parses and plans it once per
 * connection instead of on every call. Every value of the statement must be a parameter, so that its
 * text is the same on every call (pg refuses a name reused for another text). On a shared-session handle
 * it goes unnamed, as prepared() does.
 */
export function executeNamed<R extends pg.QueryResultRow>(orm: Orm, pool: pg.Pool, name: string, statement: SQL): Promise<pg.QueryResult<R>> {
  const query = dialect.sqlToQuery(statement);
  return pool.query<R>(sharedSession.has(orm) ? { text: query.sql, values: query.params } : { name, text: query.sql, values: query.params });
}
