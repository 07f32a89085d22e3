import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from './support/test-database.ts';
import type { Database } from '../src/platform/db/database.ts';

let db: Database;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.close());

/** A statement of its own per caller: `n` parameters summed, so running someone else's statement shows. */
async function sumOf(values: number[]): Promise<number> {
  const { rows } = await db.pool.query<{ total: string }>(`SELECT ${values.map((_, i) => `$${i + 1}::int`).join(' + ')} AS total`, values);
  return Number(rows[0]!.total);
}

test('parameterised queries of several connections, queued behind an open transaction, each run their own statement', async () => {
  // Open every connection of the pool first, so the queries below are queued at the same moment.
  await Promise.all(Array.from({ length: 20 }, () => sumOf([1])));
  const holder = await db.pool.connect();
  try {
    await holder.query('BEGIN');
    const sleeping = holder.query('SELECT pg_sleep(0.3)');
    // Different statements with different parameter counts, sent while the transaction holds the
    // embedded database (on PostgreSQL they simply run beside it).
    const callers = Array.from({ length: 9 }, (_, n) => Array.from({ length: (n % 4) + 1 }, (_, i) => n * 10 + i));
    const answers = Promise.all(callers.map((values) => sumOf(values)));
    await sleeping;
    await holder.query('COMMIT');
    assert.deepEqual(await answers, callers.map((values) => values.reduce((a, b) => a + b, 0)));
  } finally {
    holder.release();
  }
});

test('many concurrent parameterised queries of different shapes each get their own answer', async () => {
  const callers = Array.from({ length: 200 }, (_, n) => Array.from({ length: (n % 5) + 1 }, (_, i) => n + i));
  assert.deepEqual(await Promise.all(callers.map((values) => sumOf(values))), callers.map((values) => values.reduce((a, b) => a + b, 0)));
});
