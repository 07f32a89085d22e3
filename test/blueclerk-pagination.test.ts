import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drizzle } from 'drizzle-orm/node-postgres';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { api, apiWorld, asContractor, type ApiWorld } from './support/blueclerk-fixtures.ts';
import { createJob, createTicket, pageQuery, updateJob, type Job } from '../src/apis/blueclerk/records/index.ts';
import { bcJobs } from '../src/apis/blueclerk/schema.ts';
import { parseListQuery } from '../src/platform/pagination/keyset.ts';
import type { Tx } from '../src/platform/idempotency/idempotency.ts';

let t: TestApp;
let world: ApiWorld;
let jobs: Job[];

before(async () => {
  t = await startTestApp();
  world = await apiWorld(t);
  // 130 jobs in five transactions: many share a createdAt (one transaction, one now()), so the id must
  // break ties for the order to be stable.
  jobs = [];
  for (let batch = 0; batch < 5; batch++) {
    jobs.push(...(await asContractor(t, async (tx) => Promise.all(Array.from({ length: 26 }, (_, i) => createJob(tx, world.paid.id, { title: `Job ${batch}-${i}` }))))));
  }
});
after(() => t.close());

async function list(path: string) {
  const res = await api(t, 'GET', path, { token: world.token });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { data: Job[]; nextCursor: string | null; hasMore: boolean };
}

/** Follows nextCursor to the end, as a client does. */
async function walk(path: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await list(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    pages++;
    ids.push(...page.data.map((j) => j.id));
    assert.equal(page.hasMore, page.nextCursor !== null);
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, pages };
}

const newestFirst = (a: Job, b: Job) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1);
const oldestChangeFirst = (a: Job, b: Job) => (a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1);

describe('cursor pagination', () => {
  test('a page holds 25 records by default, newest first, with nextCursor and hasMore', async () => {
    const page = await list('/jobs');
    assert.equal(page.data.length, 25);
    assert.equal(page.hasMore, true);
    assert.equal(typeof page.nextCursor, 'string');
    assert.deepEqual(page.data.map((j) => j.id), [...jobs].sort(newestFirst).slice(0, 25).map((j) => j.id));
  });

  test('following nextCursor returns every record exactly once, in a stable order, and the last page says hasMore: false', async () => {
    const { ids, pages } = await walk('/jobs?limit=30');
    assert.equal(pages, 5);
    assert.deepEqual(ids, [...jobs].sort(newestFirst).map((j) => j.id));
  });

  test('limit is at most 100: larger values are clamped', async () => {
    assert.equal((await list('/jobs?limit=500')).data.length, 100);
    assert.equal((await list('/jobs?limit=100')).data.length, 100);
    assert.equal((await list('/jobs?limit=1')).data.length, 1);
  });

  test('a bad limit, cursor or updatedSince answers 400 invalid_request naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/jobs?limit=0', 'limit'],
      ['/jobs?limit=-5', 'limit'],
      ['/jobs?limit=ten', 'limit'],
      ['/jobs?limit=2.5', 'limit'],
      ['/jobs?cursor=not-a-cursor', 'cursor'],
      [`/jobs?cursor=${Buffer.from('["b","yesterday","x"]').toString('base64url')}`, 'cursor'],
      ['/jobs?updatedSince=yesterday', 'updatedSince'],
      ['/jobs?updatedSince=2026-05-01T00:00:00', 'updatedSince'],
      ['/jobs?updatedSince=2026-13-45T00:00:00Z', 'updatedSince'],
    ];
    for (const [path, parameter] of cases) {
      const res = await api(t, 'GET', path, { token: world.token });
      assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
      const body = res.json();
      assert.equal(body.error, 'invalid_request');
      assert.match(body.message, new RegExp(parameter), path);
      assert.deepEqual(body.details.map((d: { field: string }) => d.field), [parameter], path);
    }
  });

  test('a cursor of a browsing list is refused by a syncing list (different order), naming cursor', async () => {
    const page = await list('/jobs?limit=5');
    const res = await api(t, 'GET', `/jobs?updatedSince=2020-01-01T00:00:00Z&cursor=${page.nextCursor}`, { token: world.token });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().details[0].field, 'cursor');
  });

  test('a page costs the same at any depth: the cursor is an index condition, not a filter (keyset, never offset)', async () => {
    const all = [...jobs].sort(newestFirst);
    const deep = all[110]!;
    const query = parseListQuery({ limit: '10', cursor: Buffer.from(JSON.stringify(['b', deep.createdAt, deep.id])).toString('base64url') });
    const { sql: text, params } = pageQuery(t.ctx.db.orm, bcJobs, world.paid.id, query, null).toSQL();
    const client = await t.ctx.db.pool.connect();
    try {
      await client.query('BEGIN');
      // A 130-row table would be read sequentially anyway; what matters is how the index is used.
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query('SET LOCAL enable_bitmapscan = off');
      const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
      await client.query('COMMIT');
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      const scan = findNode(rows[0]['QUERY PLAN'][0].Plan, (node) => String(node['Node Type']).startsWith('Index'));
      assert.ok(scan, plan);
      assert.equal(scan['Index Name'], 'bc_jobs_browse_idx', plan);
      assert.match(String(scan['Index Cond']), /created_at.*id/, plan);
      assert.ok(Number(scan['Actual Rows']) <= 11, `read ${scan['Actual Rows']} index entries for a 10-row page 110 deep: ${plan}`);
      assert.ok(!plan.includes('"Sort"'), plan);
    } finally {
      client.release();
    }
  });
});

function findNode(node: Record<string, unknown>, match: (node: Record<string, unknown>) => boolean): Record<string, unknown> | null {
  if (match(node)) return node;
  for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return null;
}

describe('updatedSince: incremental sync', () => {
  test('lists only records updated at or after updatedSince, oldest change first', async () => {
    const changed = await asContractor(t, (tx) => updateJob(tx, world.paid.id, jobs[3]!.id, { title: 'Renamed' }));
    const page = await list(`/jobs?updatedSince=${encodeURIComponent(changed!.updatedAt)}&limit=100`);
    assert.ok(page.data.length >= 1);
    assert.equal(page.data[0]!.id, changed!.id, 'the boundary is inclusive');
    assert.ok(page.data.every((j) => j.updatedAt >= changed!.updatedAt));
    assert.deepEqual(page.data, [...page.data].sort(oldestChangeFirst));
    const everything = await walk('/jobs?updatedSince=2000-01-01T00:00:00Z&limit=40');
    assert.equal(everything.ids.length, jobs.length);
    assert.equal(new Set(everything.ids).size, jobs.length);
  });

  test('a date without a time means its midnight UTC; a zone offset is honoured', async () => {
    assert.equal((await list('/jobs?updatedSince=2000-01-01')).data.length, 25);
    assert.equal((await list(`/jobs?updatedSince=${encodeURIComponent('2999-01-01T00:00:00+02:00')}`)).data.length, 0);
  });

  test('a client syncing from the newest updatedAt it has seen never misses a row whose transaction commits after a later-stamped one', async () => {
    const sync = await apiWorld(t);
    const since = new Date(Date.now() - 1000).toISOString();
    const syncAll = async (from: string) => {
      const rows: { id: string; updatedAt: string }[] = [];
      let cursor: string | null = null;
      do {
        const res = await api(t, 'GET', `/tickets?limit=100&updatedSince=${encodeURIComponent(from)}${cursor ? `&cursor=${cursor}` : ''}`, { token: sync.token });
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json();
        rows.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return rows;
    };

    const pool = t.ctx.db.pool;
    const [connectionA, connectionB] = [await pool.connect(), await pool.connect()];
    try {
      let releaseA!: () => void;
      const gateA = new Promise<void>((resolve) => (releaseA = resolve));
      let insertedA!: (id: string) => void;
      const aInserted = new Promise<string>((resolve) => (insertedA = resolve));
      // Transaction A starts first, so its row is stamped earlier, and stays open.
      const transactionA = drizzle(connectionA).transaction(async (tx) => {
        const ticket = await createTicket(tx as unknown as Tx, sync.paid.id, { title: 'stamped first, committed last' }, 'console');
        insertedA(ticket.id);
        await gateA;
        return ticket;
      });
      const idA = await aInserted;
      await sleep(5);
      // Transaction B starts later (a later stamp) and commits while A is still open, where the
      // database lets it (PostgreSQL; the embedded database runs transactions one at a time).
      let committedB = false;
      const transactionB = drizzle(connectionB)
        .transaction((tx) => createTicket(tx as unknown as Tx, sync.paid.id, { title: 'stamped later, committed first' }, 'console'))
        .then((ticket) => {
          committedB = true;
          return ticket;
        });
      await Promise.race([transactionB, sleep(500)]);
      const committedBWhileAOpen = committedB;

      // The client syncs now, while A is open, and remembers the newest updatedAt it saw.
      const firstPass = syncAll(since);
      await Promise.race([firstPass, sleep(500)]);
      releaseA();
      const [ticketA, ticketB] = await Promise.all([transactionA, transactionB]);
      const seen = await firstPass;
      const newest = seen.reduce((max, row) => (row.updatedAt > max ? row.updatedAt : max), since);
      const secondPass = await syncAll(newest);
      const ids = new Set([...seen, ...secondPass].map((row) => row.id));

      assert.equal(ticketA.id, idA);
      assert.ok(ticketA.updatedAt < ticketB.updatedAt, 'A is stamped before B');
      assert.ok(ids.has(ticketB.id), 'the later row is synced');
      assert.ok(ids.has(ticketA.id), 'the row stamped earlier but committed later is not missed');
      if (t.ctx.db.kind === 'server') {
        assert.equal(committedBWhileAOpen, true, 'on PostgreSQL, B committed while A was still open');
        assert.ok(!seen.some((row) => row.id === ticketB.id), 'B was held back until A, stamped earlier, committed');
      } else {
        assert.equal(committedBWhileAOpen, false, 'the embedded database ran B after A');
      }
    } finally {
      connectionA.release();
      connectionB.release();
    }
  });
});
