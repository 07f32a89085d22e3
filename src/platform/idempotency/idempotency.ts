import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { BackgroundWork } from '../background.ts';
import type { AppContext } from '../context.ts';
import type { Database, Orm } from '../db/database.ts';
import { executeNamed } from '../db/prepared.ts';
import { idempotencyKeys } from './schema.ts';

/**
 * Idempotency-Key handling for mutating requests (POST, PATCH), shared by every API.
 *
 * The same key with the same request within the retention window replays the stored response and does
 * nothing else; with a different request it is a conflict; while the first request still runs, a
 * duplicate is a conflict too. The response is stored by the handler's own transaction, so "change
 * committed" and "response recorded" are one fact. Requests that fail (validation, 5xx) store nothing:
 * the client may fix the request and retry with the same key.
 */

export const RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * How long a `running` claim protects its request; an older one belongs to a crashed request. Claims are
 * now taken inside the change's transaction and never committed as `running`, but rows written so by
 * earlier versions are still honoured and taken over.
 */
export const LEASE_MS = 60 * 1000;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const SANE_KEY = /^[\x21-\x7e]{1,255}$/;

export type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];

export interface IdempotencyScope {
  companyId: string;
  /** The credential the key belongs to, e.g. `client:<client_id>` or `token:<id>`. */
  credential: string;
}

export interface StoredResponse {
  status: number;
  body: string;
}

export type IdempotencyOutcome =
  | { kind: 'executed'; response: StoredResponse }
  | { kind: 'replayed'; response: StoredResponse }
  | { kind: 'conflict'; reason: 'different_request' | 'in_progress' };

export class InvalidIdempotencyKey extends Error {
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
    this.name = 'InvalidIdempotencyKey';
  }
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** What "the same request" means: method, path and body, with key order in the JSON body irrelevant. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return crypto.createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonical(body)}`).digest('hex');
}

export function parseIdempotencyKey(header: unknown): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !SANE_KEY.test(header)) throw new InvalidIdempotencyKey();
  return header;
}

/**
 * Runs `work` (one database transaction) at most once per key. `work` returns the response to send and
 * store; throwing stores nothing and releases the key.
 */
export async function runIdempotent(
  db: Database,
  scope: IdempotencyScope,
  key: string | null,
  fingerprint: string,
  work: (tx: Tx) => Promise<StoredResponse>,
): Promise<IdempotencyOutcome> {
  if (key === null) {
    const response = await db.orm.transaction(work);
    return { kind: 'executed', response };
  }
  return withLocalClaim(scope, key, (claimed) => runClaimed(db, scope, key, fingerprint, work, claimed));
}

/**
 * A change that is one SQL statement: data-modifying CTEs (`name AS (...)`, comma-separated) that each
 * write only for the row of the one-row relation `go` (`... SELECT ... FROM go`), and the response it
 * answers, known before it runs. runIdempotentStatement puts the key's claim and the stored response into
 * the same statement, so a write with a fresh key is one round trip and one implicit transaction.
 */
export interface OneStatementChange {
  /** Names the statement, prepared once per connection: one name per kind of change (its text never varies). */
  name: string;
  ctes: SQL;
  response: StoredResponse;
}

/**
 * runIdempotent for a change that is one statement, with the same rules. The claim (lock and read of the
 * key's row), the change and the stored response are one statement: the change runs only if the lock was
 * taken and the key has no row. A row to take over (expired, or a crashed request's claim) goes the
 * transactional way; a key committed by another request after the statement's snapshot makes the
 * response's INSERT fail (unique key), which rolls the whole statement back, and the transactional way
 * then finds that row and replays it.
 */
export async function runIdempotentStatement(
  db: Database,
  scope: IdempotencyScope,
  key: string | null,
  fingerprint: string,
  change: OneStatementChange,
): Promise<IdempotencyOutcome> {
  if (key === null) {
    await executeNamed(db.orm, db.pool, `${change.name}:unkeyed`, sql`WITH go AS (SELECT 1), ${change.ctes} SELECT 1`);
    return { kind: 'executed', response: change.response };
  }
  const inTransaction = async (tx: Tx) => {
    await tx.execute(sql`WITH go AS (SELECT 1), ${change.ctes} SELECT 1`);
    return change.response;
  };
  return withLocalClaim(scope, key, async (claimed) => {
    let row: ClaimRow;
    try {
      const result = await executeNamed<ClaimRow>(db.orm, db.pool, `${change.name}:keyed`, sql`
        WITH claim AS (${claimSelect(scope, key, fingerprint)}),
        go AS (SELECT 1 FROM claim WHERE locked AND state IS NULL),
        ${change.ctes},
        stored AS (${storeStatement(scope, key, fingerprint, change.response, sql`FROM go`)})
        SELECT * FROM claim`);
      row = result.rows[0]!;
    } catch (error) {
      if (!isKeyInsertConflict(error)) throw error;
      return runClaimed(db, scope, key, fingerprint, inTransaction, claimed);
    }
    const claim = decide(row, fingerprint);
    if (claim.kind === 'settled') {
      claimed(false);
      return claim.outcome;
    }
    if (row.state === null) {
      claimed(true);
      return { kind: 'executed', response: change.response };
    }
    return runClaimed(db, scope, key, fingerprint, inTransaction, claimed);
  });
}

/** The response's INSERT met a row for the key (committed after the statement's snapshot). */
function isKeyInsertConflict(error: unknown): boolean {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const pgError = cause as { code?: string; table?: string };
  return pgError?.code === '23505' && pgError.table === 'idempotency_keys';
}

/**
 * A duplicate of a request this node is still running is refused before touching the database: on the
 * embedded database the first request's transaction holds the only backend, so the duplicate's claim
 * would otherwise wait for it and replay instead of answering "still running". The first request to
 * arrive registers its claim here; a duplicate waits only for that claim's outcome: if it won the key
 * (its work is running) the duplicate is a conflict, if it was a replay the duplicate replays too.
 */
async function withLocalClaim(
  scope: IdempotencyScope,
  key: string,
  run: (claimed: (wonTheKey: boolean) => void) => Promise<IdempotencyOutcome>,
): Promise<IdempotencyOutcome> {
  const localKey = `${scope.companyId}\u0000${scope.credential}\u0000${key}`;
  const earlier = localClaims.get(localKey);
  if (earlier) {
    if (await earlier) return { kind: 'conflict', reason: 'in_progress' };
    return run(() => {});
  }
  let settle!: (wonTheKey: boolean) => void;
  localClaims.set(localKey, new Promise<boolean>((resolve) => (settle = resolve)));
  try {
    return await run(settle);
  } finally {
    settle(false);
    localClaims.delete(localKey);
  }
}

/** Claims this node is making, by key: resolves true when the claim won the key and its work runs. */
const localClaims = new Map<string, Promise<boolean>>();

/**
 * The claim, the change and the stored response are one transaction (one commit). The claim is a
 * transaction-scoped advisory lock on the key plus a read of the key's row: the lock is held by whoever
 * is deciding about or doing the key's work, so a duplicate that cannot take it while the key has no
 * committed response is a request "still running" (409), never a second change; the row, written as
 * `done` with the response by the same transaction as the change, is what later duplicates replay. A
 * failure rolls everything back: nothing is stored and the key stays usable.
 */
async function runClaimed(
  db: Database,
  scope: IdempotencyScope,
  key: string,
  fingerprint: string,
  work: (tx: Tx) => Promise<StoredResponse>,
  claimed: (wonTheKey: boolean) => void,
): Promise<IdempotencyOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.orm.transaction(async (tx) => {
        const claim = await claimKey(tx, scope, key, fingerprint);
        claimed(claim.kind === 'claimed');
        if (claim.kind !== 'claimed') return claim.outcome;
        const response = await work(tx);
        await storeResponse(tx, scope, key, fingerprint, response);
        return { kind: 'executed', response } as const;
      });
    } catch (error) {
      // A request for the key committed between our claim's snapshot and its lock: roll back, look again.
      if (error instanceof KeyTakenMeanwhile && attempt < 2) continue;
      if (error instanceof KeyTakenMeanwhile) return { kind: 'conflict', reason: 'in_progress' };
      throw error;
    }
  }
}

class KeyTakenMeanwhile extends Error {}

type Claim = { kind: 'claimed' } | { kind: 'settled'; outcome: IdempotencyOutcome };

type ClaimRow = {
  locked: boolean;
  request_hash: string | null;
  state: 'running' | 'done' | null;
  response_status: number | null;
  response_body: string | null;
  reusable: boolean | null;
};

/** Try the key's lock, and read its row as it stands (one row, with nulls when the key has none). */
function claimSelect(scope: IdempotencyScope, key: string, fingerprint: string): SQL {
  // Newlines separate the parts: none of them can hold one (keys are printable ASCII), and text cannot hold NUL.
  const lockKey = `idempotency\n${scope.companyId}\n${scope.credential}\n${key}`;
  return sql`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${lockKey}, 0)) AS locked,
      k.request_hash, k.state, k.response_status, k.response_body,
      -- An expired record, or a claim left running by a crashed request past its lease, is taken over.
      (k.expires_at < now() OR (k.state = 'running' AND k.lease_until < now() AND k.request_hash = ${fingerprint})) AS reusable
    FROM (SELECT 1) AS one
    LEFT JOIN ${idempotencyKeys} k ON k.company_id = ${scope.companyId} AND k.credential = ${scope.credential} AND k.key = ${key}`;
}

/** One statement: try the key's lock, and read its row as it stands. */
async function claimKey(tx: Tx, scope: IdempotencyScope, key: string, fingerprint: string): Promise<Claim> {
  const result = await tx.execute<ClaimRow>(claimSelect(scope, key, fingerprint));
  return decide(result.rows[0]!, fingerprint);
}

/** What a claim's row means: the key is ours (claimed), or the request is answered without running. */
function decide(row: ClaimRow, fingerprint: string): Claim {
  const exists = row.state !== null;
  if (row.locked && (!exists || row.reusable)) return { kind: 'claimed' };
  // Not locked: another request holds the key. Without a committed response it is still running.
  if (!exists || row.reusable || row.state !== 'done') {
    if (exists && row.request_hash !== fingerprint && row.state === 'done') {
      return { kind: 'settled', outcome: { kind: 'conflict', reason: 'different_request' } };
    }
    return { kind: 'settled', outcome: { kind: 'conflict', reason: 'in_progress' } };
  }
  if (row.request_hash !== fingerprint) return { kind: 'settled', outcome: { kind: 'conflict', reason: 'different_request' } };
  return { kind: 'settled', outcome: { kind: 'replayed', response: { status: row.response_status!, body: row.response_body! } } };
}

/**
 * Records the response in the change's transaction. Inserting over a row that was taken over replaces
 * it; a row that is not reusable means a request for the key committed after our read (KeyTakenMeanwhile).
 */
async function storeResponse(tx: Tx, scope: IdempotencyScope, key: string, fingerprint: string, response: StoredResponse): Promise<void> {
  const stored = await tx.execute(sql`
    ${storeStatement(scope, key, fingerprint, response, sql``)}
    ON CONFLICT (company_id, credential, key) DO UPDATE SET request_hash = excluded.request_hash, state = 'done', owner = excluded.owner,
      lease_until = excluded.lease_until, response_status = excluded.response_status, response_body = excluded.response_body,
      created_at = excluded.created_at, expires_at = excluded.expires_at
      WHERE k.expires_at < now() OR (k.state = 'running' AND k.lease_until < now() AND k.request_hash = ${fingerprint})
    RETURNING k.key`);
  if (stored.rows.length === 0) throw new KeyTakenMeanwhile();
}

/** The INSERT of a key's row as `done` with its response; `from` names the row source (or nothing). */
function storeStatement(scope: IdempotencyScope, key: string, fingerprint: string, response: StoredResponse, from: SQL): SQL {
  // Plain SQL rather than drizzle's upsert builder: this runs on every write with a key.
  return sql`
    INSERT INTO ${idempotencyKeys} AS k (company_id, credential, key, request_hash, state, owner, lease_until, response_status, response_body, created_at, expires_at)
    SELECT ${scope.companyId}::text, ${scope.credential}::text, ${key}::text, ${fingerprint}::text, 'done', ${crypto.randomUUID()}::text, now(),
      ${response.status}::int, ${response.body}::text, now(), now() + ${RETENTION_MS}::int * interval '1 millisecond' ${from}`;
}

const PURGE_BATCH = 1_000;

/**
 * Deletes keys past their retention, a thousand at a time, so the purge never holds one long
 * transaction (on the embedded database every other query waits for it). Returns how many went.
 */
export async function purgeExpiredKeys(orm: Orm, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await orm.execute<{ key: string }>(sql`
      DELETE FROM idempotency_keys WHERE (company_id, credential, key) IN (
        SELECT company_id, credential, key FROM idempotency_keys WHERE expires_at < now() LIMIT ${PURGE_BATCH})
      RETURNING key`);
    total += deleted.rows.length;
    if (deleted.rows.length < PURGE_BATCH || signal?.aborted) return total;
  }
}

export const PURGE_INTERVAL_MS = 10 * 60_000;
const purgeScheduled = new WeakSet<BackgroundWork>();

/**
 * Purges expired keys in the background of this process: at start, then every `intervalMs`. Any API
 * that uses idempotency keys calls it at registration; the loop runs once per process however many do.
 */
export function scheduleIdempotencyPurge(ctx: Pick<AppContext, 'db' | 'background' | 'log'>, intervalMs = PURGE_INTERVAL_MS): void {
  if (purgeScheduled.has(ctx.background)) return;
  purgeScheduled.add(ctx.background);
  ctx.background.every(
    'idempotency-key purge',
    intervalMs,
    async (signal) => {
      const purged = await purgeExpiredKeys(ctx.db.orm, signal);
      if (purged > 0) ctx.log.info({ purged }, 'expired idempotency keys purged');
    },
    (name, error) => ctx.log.error({ err: error }, `${name} failed`),
  );
}
