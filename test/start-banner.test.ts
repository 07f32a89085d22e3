import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/platform/config/config.ts';
import { startServer, type RunningServer } from '../src/platform/start.ts';
import { findPersonByEmail, listCompanies } from '../src/platform/tenancy/tenancy.ts';
import { verifyPassword } from '../src/platform/identity/passwords.ts';
import { createTestDatabase } from './support/test-database.ts';

/**
 * What a new user meets: `npm start` on an empty data directory creates the demo workspace and prints a
 * banner whose console URL, demo login and per-API `curl` commands work exactly as printed.
 */
const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A data directory (embedded) or a fresh database (DATABASE_URL), and the environment to start on it. */
async function freshStore(): Promise<Record<string, string>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbase-start-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  if (!process.env.DATABASE_URL) return { DATA_DIR: dataDir };
  const db = await createTestDatabase();
  cleanups.push(() => db.close());
  return { DATA_DIR: dataDir, DATABASE_URL: db.url! };
}

async function start(env: Record<string, string>): Promise<{ server: RunningServer; banner: string }> {
  let banner = '';
  const server = await startServer(loadConfig({ LOG_LEVEL: 'silent', PORT: String(await freePort()), ...env }), (text) => (banner += text));
  return { server, banner };
}

function curlCommands(banner: string): string[] {
  return banner.split('\n').flatMap((line) => (line.includes('curl ') ? [line.slice(line.indexOf('curl '))] : []));
}

test('the first start creates the demo workspace and prints a banner whose login and curl commands work as printed', async () => {
  const env = await freshStore();
  const { server, banner } = await start(env);
  try {
    assert.match(banner, new RegExp(`Console: +${server.url}/login`));
    const login = /Demo login: (\S+) \/ (\S+)/.exec(banner);
    assert.ok(login, `the banner names the demo login:\n${banner}`);
    const person = await findPersonByEmail(server.ctx.db.orm, login[1]!);
    assert.ok(person && (await verifyPassword(person.passwordHash, login[2]!)), 'the printed password is the demo owner’s');
    const companies = await listCompanies(server.ctx.db.orm);
    assert.deepEqual(companies.map((c) => c.plan), ['starter']);

    const commands = curlCommands(banner);
    assert.ok(commands.length >= 2, 'one curl per mounted API and the readiness check');
    for (const command of commands) {
      const { stdout } = await run('sh', ['-c', `${command} -w '\\n%{http_code}'`]);
      const status = stdout.trim().split('\n').pop();
      assert.equal(status, '200', `${command}\nanswered ${stdout}`);
      assert.doesNotThrow(() => JSON.parse(stdout.trim().split('\n').slice(0, -1).join('\n')), `${command} answers JSON`);
    }
  } finally {
    await server.stop();
  }

  // A restart keeps the workspace: no second demo company, no password (only its hash is kept), and a
  // fresh token in a curl that still works.
  const again = await start(env);
  try {
    assert.equal((await listCompanies(again.server.ctx.db.orm)).length, 1);
    assert.doesNotMatch(again.banner, /Demo login: \S+ \/ /);
    assert.match(again.banner, /set-password/);
    const apiCall = curlCommands(again.banner).find((command) => command.includes('/blueclerk/'))!;
    const { stdout } = await run('sh', ['-c', `${apiCall} -o /dev/null -w '%{http_code}'`]);
    assert.equal(stdout, '200');
  } finally {
    await again.server.stop();
  }
});

test('OPSBASE_DEMO=0 starts without a demo workspace and prints no login', async () => {
  const env = await freshStore();
  const { server, banner } = await start({ ...env, OPSBASE_DEMO: '0' });
  try {
    assert.doesNotMatch(banner, /Demo login/);
    assert.deepEqual(await listCompanies(server.ctx.db.orm), []);
    assert.match(banner, /readyz/);
  } finally {
    await server.stop();
  }
});
