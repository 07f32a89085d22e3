import crypto from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { BackgroundWork } from '../background.ts';
import type { AppContext } from '../context.ts';
import type { Database, Orm } from '../db/database.ts';
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
/** How long a claim protects a running request; a claim older than this belongs to a crashed request. */
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

  // A duplicate of a request this node is still running is refused before touching the database: on the
  // embedded database the first request's transaction holds the only backend, so the duplicate's claim
  // would otherwise wait for it and replay instead of answering "still running". The first request to
  // arrive registers its claim here; a duplicate waits only for that claim's outcome: if it won the key
  // (its work is running) the duplicate is a conflict, if it was a replay the duplicate replays too.
  const localKey = `${scope.companyId}\u0000${scope.credential}\u0000${key}`;
  const earlier = localClaims.get(localKey);
  if (earlier) {
    if (await earlier) return { kind: 'conflict', reason: 'in_progress' };
    return runClaimed(db, scope, key, fingerprint, work, () => {});
  }
  let settle!: (wonTheKey: boolean) => void;
  localClaims.set(localKey, new Promise<boolean>((resolve) => (settle = resolve)));
  try {
    return await runClaimed(db, scope, key, fingerprint, work, settle);
  } finally {
    settle(false);
    localClaims.delete(localKey);
  }
}

/** Claims this node is making, by key: resolves true when the claim won the key and its work runs. */
const localClaims = new Map<string, Promise<boolean>>();

async function runClaimed(
  db: Database,
  scope: IdempotencyScope,
  key: string,
  fingerprint: string,
  work: (tx: Tx) => Promise<StoredResponse>,
  claimed: (wonTheKey: boolean) => void,
): Promise<IdempotencyOutcome> {
  const owner = crypto.randomUUID();
  const claim = await claimKey(db.orm, scope, key, fingerprint, owner);
  claimed(claim.kind === 'claimed');
  if (claim.kind !== 'claimed') return claim.outcome;

  try {
    const response = await db.orm.transaction(async (tx) => {
      const result = await work(tx);
      const finished = await tx
        .update(idempotencyKeys)
        .set({ state: 'done', responseStatus: result.status, responseBody: result.body })
        .where(and(keyMatches(scope, key), eq(idempotencyKeys.owner, owner)))
        .returning({ key: idempotencyKeys.key });
      // Our lease ran out and a retry took the key over: this attempt must not commit a second change.
      if (finished.length === 0) throw new LeaseLost();
      return result;
    });
    return { kind: 'executed', response };
  } catch (error) {
    if (error instanceof LeaseLost) return { kind: 'conflict', reason: 'in_progress' };
    await db.orm.delete(idempotencyKeys).where(and(keyMatches(scope, key), eq(idempotencyKeys.owner, owner))).catch(() => {});
    throw error;
  }
}

class LeaseLost extends Error {}

function keyMatches(scope: IdempotencyScope, key: string) {
  return and(eq(idempotencyKeys.companyId, scope.companyId), eq(idempotencyKeys.credential, scope.credential), eq(idempotencyKeys.key, key));
}

type Claim = { kind: 'claimed' } | { kind: 'settled'; outcome: IdempotencyOutcome };

async function claimKey(orm: Orm, scope: IdempotencyScope, key: string, fingerprint: string, owner: string): Promise<Claim> {
  const now = Date.now();
  const inserted = await orm
    .insert(idempotencyKeys)
    .values({
      companyId: scope.companyId,
      credential: scope.credential,
      key,
      requestHash: fingerprint,
      state: 'running',
      owner,
      leaseUntil: new Date(now + LEASE_MS),
      expiresAt: new Date(now + RETENTION_MS),
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return { kind: 'claimed' };

  // Someone holds this key. An expired record, or a running claim whose lease ran out (its request
  // crashed before committing anything), may be taken over — atomically, so only one retry wins.
  const takenOver = await orm
    .update(idempotencyKeys)
    .set({
      requestHash: fingerprint,
      state: 'running',
      owner,
      leaseUntil: new Date(now + LEASE_MS),
      expiresAt: new Date(now + RETENTION_MS),
      responseStatus: null,
      responseBody: null,
      createdAt: new Date(now),
    })
    .where(
      and(
        keyMatches(scope, key),
        sql`(${idempotencyKeys.expiresAt} < now() OR (${idempotencyKeys.state} = 'running' AND ${idempotencyKeys.leaseUntil} < now() AND ${idempotencyKeys.requestHash} = ${fingerprint}))`,
      ),
    )
    .returning({ key: idempotencyKeys.key });
  if (takenOver.length > 0) return { kind: 'claimed' };

  const [existing] = await orm.select().from(idempotencyKeys).where(keyMatches(scope, key));
  if (!existing) return claimKey(orm, scope, key, fingerprint, owner); // released in between: try again
  if (existing.requestHash !== fingerprint) return { kind: 'settled', outcome: { kind: 'conflict', reason: 'different_request' } };
  if (existing.state !== 'done') return { kind: 'settled', outcome: { kind: 'conflict', reason: 'in_progress' } };
  return { kind: 'settled', outcome: { kind: 'replayed', response: { status: existing.responseStatus!, body: existing.responseBody! } } };
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
