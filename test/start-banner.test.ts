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
import { eq } from 'drizzle-orm';
import { bcContacts, bcEstimates, bcInvoices, bcJobs, bcProperties, bcTickets, JOB_STATUSES } from '../src/apis/blueclerk/schema.ts';
import type { Orm } from '../src/platform/db/database.ts';
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

/** How many of each BlueClerk record the company has, and which statuses they are in. */
async function blueClerkRecords(orm: Orm, companyId: string) {
  const statuses = async (table: typeof bcJobs | typeof bcEstimates | typeof bcInvoices | typeof bcTickets) =>
    (await orm.select({ status: table.status }).from(table).where(eq(table.companyId, companyId))).map((row) => row.status as string);
  const count = async (table: typeof bcContacts | typeof bcProperties) => (await orm.select({ id: table.id }).from(table).where(eq(table.companyId, companyId))).length;
  const tickets = await orm.select({ source: bcTickets.source, jobId: bcTickets.jobId }).from(bcTickets).where(eq(bcTickets.companyId, companyId));
  return {
    contacts: await count(bcContacts),
    properties: await count(bcProperties),
    jobs: await statuses(bcJobs),
    estimates: await statuses(bcEstimates),
    invoices: await statuses(bcInvoices),
    tickets,
  };
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

    // The demo company has BlueClerk data worth listing: jobs in every status, estimates from draft to
    // approved, a paid invoice, tickets pushed as leads and tickets that became jobs.
    const records = await blueClerkRecords(server.ctx.db.orm, companies[0]!.id);
    assert.deepEqual([...new Set(records.jobs)].sort(), [...JOB_STATUSES].sort(), 'jobs in every status');
    assert.ok(records.jobs.length >= 10);
    for (const status of ['DRAFT', 'SENT', 'APPROVED']) assert.ok(records.estimates.includes(status), `an estimate is ${status}`);
    assert.ok(records.invoices.includes('PAID'), 'an invoice is paid');
    assert.ok(records.contacts >= 6 && records.properties >= 6);
    assert.ok(records.tickets.some((ticket) => ticket.source === 'leads2jobs'), 'a ticket came in as a lead');
    assert.ok(records.tickets.some((ticket) => ticket.jobId !== null), 'a ticket became a job');

    const commands = curlCommands(banner);
    assert.ok(commands.length >= 2, 'one curl per mounted API and the readiness check');
    const answers = new Map<string, unknown>();
    for (const command of commands) {
      const { stdout } = await run('sh', ['-c', `${command} -w '\\n%{http_code}'`]);
      const status = stdout.trim().split('\n').pop();
      assert.equal(status, '200', `${command}\nanswered ${stdout}`);
      assert.doesNotThrow(() => answers.set(command, JSON.parse(stdout.trim().split('\n').slice(0, -1).join('\n'))), `${command} answers JSON`);
    }
    // BlueClerk's curl lists the demo company's jobs, a page of five with more behind it.
    const [jobsCall, jobsPage] = [...answers].find(([command]) => command.includes('/blueclerk/api/v1/jobs?limit=5')) ?? [];
    assert.ok(jobsCall, `the banner lists BlueClerk jobs:\n${banner}`);
    const page = jobsPage as { data: { status: string }[]; hasMore: boolean };
    assert.equal(page.data.length, 5);
    assert.equal(page.hasMore, true);
    assert.ok(new Set(page.data.map((job) => job.status)).size > 1, 'the first page already shows several statuses');
  } finally {
    await server.stop();
  }

  // A restart keeps the workspace: no second demo company, no password (only its hash is kept), and a
  // fresh token in a curl that still works.
  const again = await start(env);
  try {
    const companies = await listCompanies(again.server.ctx.db.orm);
    assert.equal(companies.length, 1);
    assert.equal((await blueClerkRecords(again.server.ctx.db.orm, companies[0]!.id)).jobs.length, 10, 'the demo data is seeded once');
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
