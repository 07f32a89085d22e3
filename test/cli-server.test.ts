import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertRefused, baseEnv, cleanUpCli, freePort, freshStore, liveServer, opsbase, opsbaseJson, type LiveServer } from './support/cli.ts';

/**
 * `opsbase` beside `opsbase start`: on a data directory no server uses, a command owns the embedded
 * database for its length (migrating a fresh one first); while a server runs, commands go through the
 * server's database socket, a second server refuses the directory, and SIGTERM stops the server cleanly.
 */
after(cleanUpCli);

describe('on a store no server is using: the command owns the embedded database (or uses DATABASE_URL)', () => {
  test('migrate applies every migration on a fresh store, then reports it up to date', async () => {
    const { env } = await freshStore();
    const first = await opsbase(env, 'migrate');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Applied \d+ migrations?:/);
    assert.match(first.stdout, /0000_foundation/);
    assert.deepEqual(await opsbaseJson(env, 'migrate'), { applied: [] });
  });

  test('the first command on a fresh store migrates it first, and what it wrote is there for the next one', async () => {
    const { env } = await freshStore();
    const created = await opsbaseJson(env, 'company', 'create', '--name', 'First Co', '--plan', 'trial');
    assert.deepEqual((await opsbaseJson<any[]>(env, 'company', 'list')).map((c) => c.id), [created.id]);
    if (!process.env.DATABASE_URL) assert.ok(!fs.existsSync(path.join(env.DATA_DIR!, 'opsbase.lock')), 'the lock is released after each command');
  });
});

describe('while a server runs on the same embedded data directory', () => {
  // Always the embedded database: borrowing a running server's socket and the data-directory lock are
  // what this checks, on either run of the suite.
  let server: LiveServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await liveServer();
    env = server.store.env;
  });

  test('company create goes through the server’s database socket, and the server and a later command see it', async () => {
    const lock = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'opsbase.lock'), 'utf8'));
    assert.equal(lock.pid, server.process.child.pid, 'the server holds the data directory');

    const created = await opsbaseJson(env, 'company', 'create', '--name', 'Live Co', '--plan', 'pro');
    assert.equal(JSON.parse(fs.readFileSync(path.join(server.dataDir, 'opsbase.lock'), 'utf8')).pid, server.process.child.pid, 'the command borrowed; the server still holds the lock');

    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'embedded' });

    const listed = await opsbaseJson<any[]>(env, 'company', 'list');
    assert.deepEqual(listed.find((c) => c.id === created.id)?.name, 'Live Co');

    const migrate = await opsbase(env, 'migrate');
    assert.match(migrate.stdout, /up to date/);
  });

  test('a second opsbase start on the same data directory refuses with a clear message', async () => {
    const second = await opsbase(baseEnv({ DATA_DIR: server.dataDir, PORT: String(await freePort()), OPSBASE_DEMO: '0' }), 'start');
    assertRefused(second, ['already using the data directory', server.dataDir, String(server.process.child.pid)]);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(health.status, 200, 'the first server keeps running');
  });

  test('SIGTERM stops the server cleanly: exit 0, the lock released, and what the CLI wrote is in the data directory', async () => {
    server.process.child.kill('SIGTERM');
    const killer = setTimeout(() => server.process.child.kill('SIGKILL'), 30_000);
    const result = await server.process.done;
    clearTimeout(killer);
    assert.notEqual(result.signal, 'SIGKILL', 'opsbase start stopped within 30 s of SIGTERM');
    assert.equal(result.code, 0, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.signal, null);
    assert.equal(result.stderr, '');
    assert.ok(!fs.existsSync(path.join(server.dataDir, 'opsbase.lock')), 'the lock file is removed');

    // With no server, the command owns the database itself and finds what it wrote through the server.
    const listed = await opsbaseJson<any[]>(env, 'company', 'list');
    assert.ok(listed.some((c) => c.name === 'Live Co'), 'the company written through the server is there');
    assert.ok(!fs.existsSync(path.join(server.dataDir, 'opsbase.lock')), 'and releases the lock when done');
  });
});
