import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { redactUrl } from '../src/platform/http/logging.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('/healthz answers while the process is up', async () => {
  const res = await t.app.inject({ url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz reports ready when the database answers and every migration is applied', async () => {
  const res = await t.app.inject({ url: '/readyz' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, 'ready');
});

test('/readyz answers 503 naming a migration the database has not applied', async () => {
  await t.ctx.db.pool.query(`UPDATE opsbase_migrations SET tag = tag || '_renamed' WHERE tag = '0000_foundation'`);
  try {
    const res = await t.app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.match(res.json().reason, /0000_foundation/);
  } finally {
    await t.ctx.db.pool.query(`UPDATE opsbase_migrations SET tag = '0000_foundation' WHERE tag = '0000_foundation_renamed'`);
  }
});

test('every response carries a generated X-Request-ID', async () => {
  const res = await t.app.inject({ url: '/healthz' });
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('a sane inbound X-Request-ID is honoured and an odd one is replaced', async () => {
  const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-1234.abc' } });
  assert.equal(kept.headers['x-request-id'], 'lb-1234.abc');
  const odd = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': '<script>' + 'x'.repeat(300) } });
  assert.notEqual(odd.headers['x-request-id'], '<script>' + 'x'.repeat(300));
  assert.match(String(odd.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('an unknown path answers 404 in JSON without a stack trace', async () => {
  const res = await t.app.inject({ url: '/nope' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error, 'not_found');
  assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
});

test('a body over the size limit is refused with 413, not read', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/healthz', headers: { 'content-type': 'application/json' }, payload: '"' + 'x'.repeat(2 * 1024 * 1024) + '"' });
  assert.equal(res.statusCode, 413);
  assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
});

test('logged URLs hide OAuth codes, tokens and secrets but keep the other parameters', () => {
  const logged = redactUrl('/oauth/authorize?client_id=abc&code=SECRETCODE&state=s1&refresh_token=rt');
  assert.doesNotMatch(logged, /SECRETCODE|=rt\b|s1/);
  assert.match(logged, /client_id=abc/);
});
