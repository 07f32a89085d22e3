import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiModule } from '../src/platform/api-module.ts';
import { BackgroundWork } from '../src/platform/background.ts';
import { DatabaseInUseError, openEmbedded } from '../src/platform/db/database.ts';
import { startTestApp } from './support/test-app.ts';

/** Shutdown, failure and data-directory rules of a running node (issue 2, "HTTP basics"). */

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const reached = gate();
const release = gate();
const probeApi: ApiModule = {
  name: 'probe',
  title: 'Probe',
  prefix: '/probe',
  async register(app) {
    app.get('/slow', async () => {
      reached.open();
      await release.opened;
      return { finished: true };
    });
    app.get('/ip', async (request) => ({ ip: request.ip }));
    app.get('/boom', async () => {
      throw new Error('connection string postgres://admin:hunter2@db.internal failed');
    });
  },
};

test('an unexpected error answers 500 with a generic message: no stack trace, no internal detail', async () => {
  const t = await startTestApp({ apis: [probeApi] });
  try {
    const res = await t.app.inject({ url: '/probe/boom' });
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().error, 'server_error');
    assert.doesNotMatch(res.body, /hunter2|db\.internal|\bat .*\.ts:\d+/);
  } finally {
    await t.close();
  }
});

test('the client address comes from X-Forwarded-For only when TRUST_PROXY names the proxy', async () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.7' };
  const direct = await startTestApp({ apis: [probeApi] });
  const proxied = await startTestApp({ apis: [probeApi], env: { TRUST_PROXY: '127.0.0.1' } });
  const oneHop = await startTestApp({ apis: [probeApi], env: { TRUST_PROXY: '1' } });
  try {
    // With a hop count, only the nearest proxy is believed: the address it saw, not what the client claimed.
    const chain = { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' };
    assert.equal((await oneHop.app.inject({ url: '/probe/ip', headers: chain })).json().ip, '203.0.113.7');
    assert.equal((await direct.app.inject({ url: '/probe/ip', headers: forwarded })).json().ip, '127.0.0.1');
    assert.equal((await proxied.app.inject({ url: '/probe/ip', headers: forwarded })).json().ip, '203.0.113.7');
  } finally {
    await direct.close();
    await proxied.close();
    await oneHop.close();
  }
});

test('stopping finishes the request in flight, then refuses new connections', async () => {
  const t = await startTestApp({ listen: true, apis: [probeApi] });
  const inFlight = fetch(`${t.url}/probe/slow`);
  await reached.opened;
  const closing = t.close();
  // The request is still running while the server stops taking new ones.
  await new Promise((resolve) => setTimeout(resolve, 100));
  release.open();
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { finished: true });
  await closing;
  await assert.rejects(fetch(`${t.url}/healthz`));
});

test('background work stops after the iteration it is in, never half-way', async () => {
  const background = new BackgroundWork();
  const log: string[] = [];
  const started = gate();
  background.every('slow step', 10, async () => {
    log.push('start');
    started.open();
    await new Promise((resolve) => setTimeout(resolve, 200));
    log.push('end');
  }, () => {});
  await started.opened;
  await background.stop();
  assert.deepEqual(log, ['start', 'end']);
});

test('a second server on the same embedded data directory refuses to start, naming the holder', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbase-lock-'));
  const first = await openEmbedded(dataDir, 'server');
  try {
    await assert.rejects(openEmbedded(dataDir, 'server'), (error: unknown) => {
      assert.ok(error instanceof DatabaseInUseError);
      assert.match(error.message, new RegExp(`pid ${process.pid}.*${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      return true;
    });
    // The CLI, by contrast, borrows the running server's socket and sees the same database.
    const cli = await openEmbedded(dataDir, 'cli');
    try {
      assert.equal(cli.access, 'borrowed');
      await first.pool.query('CREATE TABLE lock_probe (n int)');
      await cli.pool.query('INSERT INTO lock_probe VALUES (1)');
      const { rows } = await first.pool.query('SELECT count(*)::int AS n FROM lock_probe');
      assert.equal(rows[0].n, 1);
    } finally {
      await cli.close();
    }
  } finally {
    await first.close();
  }
  // Once the owner has stopped, the directory can be opened again.
  const reopened = await openEmbedded(dataDir, 'server');
  await reopened.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
