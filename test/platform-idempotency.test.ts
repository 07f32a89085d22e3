import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from './support/test-database.ts';
import type { Database } from '../src/platform/db/database.ts';
import { createCompany } from '../src/platform/tenancy/tenancy.ts';
import { LEASE_MS, purgeExpiredKeys, requestFingerprint, runIdempotent, type Tx } from '../src/platform/idempotency/idempotency.ts';
import { idempotencyKeys } from '../src/platform/idempotency/schema.ts';

let db: Database;
let companyA: string;
let companyB: string;

before(async () => {
  db = await createTestDatabase();
  await db.pool.query('CREATE TABLE widgets (id serial primary key, company_id text not null, name text not null)');
  companyA = (await createCompany(db.orm, { name: 'A', plan: 'starter' })).id;
  companyB = (await createCompany(db.orm, { name: 'B', plan: 'starter' })).id;
});
after(() => db.close());

const scopeA = () => ({ companyId: companyA, credential: 'client:one' });

function createWidget(name: string) {
  return async (tx: Tx) => {
    const { rows } = await tx.execute<{ id: number }>(sql`INSERT INTO widgets (company_id, name) VALUES (${companyA}, ${name}) RETURNING id`);
    return { status: 201, body: JSON.stringify({ id: rows[0]!.id, name }) };
  };
}

async function widgetCount(name: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM widgets WHERE name = $1', [name]);
  return Number(rows[0]!.n);
}

test('the same key and payload replays the stored response and creates nothing', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w1' });
  const first = await runIdempotent(db, scopeA(), 'key-1', fp, createWidget('w1'));
  const second = await runIdempotent(db, scopeA(), 'key-1', fp, createWidget('w1'));
  assert.equal(first.kind, 'executed');
  assert.equal(second.kind, 'replayed');
  assert.deepEqual(second.kind === 'replayed' && second.response, first.kind === 'executed' && first.response);
  assert.equal(await widgetCount('w1'), 1);
});

test('key order in the JSON body does not make a different request', () => {
  assert.equal(requestFingerprint('POST', '/x', { a: 1, b: { c: 2, d: 3 } }), requestFingerprint('post', '/x', { b: { d: 3, c: 2 }, a: 1 }));
  assert.notEqual(requestFingerprint('POST', '/x', { a: 1 }), requestFingerprint('POST', '/x', { a: 2 }));
  assert.notEqual(requestFingerprint('POST', '/x', { a: 1 }), requestFingerprint('POST', '/y', { a: 1 }));
});

test('the same key with a different payload is a conflict and creates nothing', async () => {
  await runIdempotent(db, scopeA(), 'key-2', requestFingerprint('POST', '/widgets', { name: 'w2' }), createWidget('w2'));
  const other = await runIdempotent(db, scopeA(), 'key-2', requestFingerprint('POST', '/widgets', { name: 'w2-changed' }), createWidget('w2-changed'));
  assert.deepEqual(other, { kind: 'conflict', reason: 'different_request' });
  assert.equal(await widgetCount('w2-changed'), 0);
});

test('a duplicate arriving while the first still runs is a conflict and never creates a second row', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w3' });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const first = runIdempotent(db, scopeA(), 'key-3', fp, async (tx) => {
    started();
    await gate;
    return createWidget('w3')(tx);
  });
  await running;
  // On the embedded database the first request's transaction holds the only backend, so the duplicate
  // is decided before it; on PostgreSQL it runs beside it. Either way: conflict, one row.
  const duplicate = runIdempotent(db, scopeA(), 'key-3', fp, createWidget('w3'));
  const settled = await Promise.race([duplicate, new Promise((r) => setTimeout(() => r('pending'), 300))]);
  release();
  const [firstOutcome, duplicateOutcome] = await Promise.all([first, duplicate]);
  assert.equal(firstOutcome.kind, 'executed');
  assert.deepEqual(duplicateOutcome, { kind: 'conflict', reason: 'in_progress' });
  assert.ok(settled === 'pending' || (settled as { kind: string }).kind === 'conflict');
  assert.equal(await widgetCount('w3'), 1);
});

test('many replays of a finished key at once all replay: none is mistaken for a request still running', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w9' });
  const first = await runIdempotent(db, scopeA(), 'key-9', fp, createWidget('w9'));
  const replays = await Promise.all(Array.from({ length: 20 }, () => runIdempotent(db, scopeA(), 'key-9', fp, createWidget('w9'))));
  assert.deepEqual(replays.map((r) => r.kind), Array(20).fill('replayed'));
  assert.deepEqual(replays[0]!.kind === 'replayed' && replays[0]!.response, first.kind === 'executed' && first.response);
  assert.equal(await widgetCount('w9'), 1);
});

test('keys are scoped to the company and the credential', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w4' });
  const a = await runIdempotent(db, scopeA(), 'shared-key', fp, createWidget('w4'));
  const otherCredential = await runIdempotent(db, { companyId: companyA, credential: 'client:two' }, 'shared-key', fp, createWidget('w4'));
  const otherCompany = await runIdempotent(db, { companyId: companyB, credential: 'client:one' }, 'shared-key', fp, createWidget('w4'));
  assert.equal(a.kind, 'executed');
  assert.equal(otherCredential.kind, 'executed');
  assert.equal(otherCompany.kind, 'executed');
  assert.equal(await widgetCount('w4'), 3);
});

test('a failed request stores nothing: the key can be used again', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w5' });
  await assert.rejects(runIdempotent(db, scopeA(), 'key-5', fp, async () => {
    throw new Error('validation failed');
  }));
  const retry = await runIdempotent(db, scopeA(), 'key-5', fp, createWidget('w5'));
  assert.equal(retry.kind, 'executed');
  assert.equal(await widgetCount('w5'), 1);
});

test('a change that rolls back leaves neither its row nor a stored response', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w6' });
  await assert.rejects(runIdempotent(db, scopeA(), 'key-6', fp, async (tx) => {
    await createWidget('w6')(tx);
    throw new Error('failed after writing');
  }));
  assert.equal(await widgetCount('w6'), 0);
  const rows = await db.orm.select().from(idempotencyKeys).where(sql`${idempotencyKeys.key} = 'key-6'`);
  assert.equal(rows.length, 0);
});

test('a claim left by a crashed request is taken over after its lease, and the retry runs once', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w7' });
  // What a process killed between claiming and committing leaves behind:
  await db.orm.insert(idempotencyKeys).values({
    companyId: companyA, credential: 'client:one', key: 'key-7', requestHash: fp, state: 'running', owner: 'dead-process',
    leaseUntil: new Date(Date.now() - 1000), expiresAt: new Date(Date.now() + 86_400_000),
  });
  const retry = await runIdempotent(db, scopeA(), 'key-7', fp, createWidget('w7'));
  const again = await runIdempotent(db, scopeA(), 'key-7', fp, createWidget('w7'));
  assert.equal(retry.kind, 'executed');
  assert.equal(again.kind, 'replayed');
  assert.equal(await widgetCount('w7'), 1);
  assert.ok(LEASE_MS >= 30_000, 'the lease must outlast any normal request');
});

test('a key older than 24 hours acts anew, and expired keys are purged', async () => {
  const fp = requestFingerprint('POST', '/widgets', { name: 'w8' });
  await runIdempotent(db, scopeA(), 'key-8', fp, createWidget('w8'));
  await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'key-8'`);
  const later = await runIdempotent(db, scopeA(), 'key-8', fp, createWidget('w8'));
  assert.equal(later.kind, 'executed');
  assert.equal(await widgetCount('w8'), 2);
  await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'key-8'`);
  assert.ok((await purgeExpiredKeys(db.orm)) >= 1);
  const { rows } = await db.pool.query(`SELECT 1 FROM idempotency_keys WHERE key = 'key-8'`);
  assert.equal(rows.length, 0);
});
