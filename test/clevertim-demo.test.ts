import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { apis } from '../src/apis/index.ts';
import { clevertim } from '../src/apis/clevertim/index.ts';
import { ensureDemo, type DemoWorkspace } from '../src/platform/demo/demo.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { ct } from './support/clevertim-fixtures.ts';

/**
 * The demo workspace's Clevertim data (contacts, companies, a case, opportunities, tasks, notes) and the
 * start banner's Clevertim line, which must work exactly as printed.
 */
const run = promisify(execFile);
let t: TestApp;
let demo: DemoWorkspace;
let bannerLine: string;
before(async () => {
  t = await startTestApp({ listen: true });
  demo = (await ensureDemo(t.ctx, apis)).demo;
  bannerLine = (await clevertim.bannerExample!(t.ctx, demo))!;
});
after(() => t.close());

const tokenOf = (line: string) => /curl -s -u (\S+):X /.exec(line)?.[1] ?? '';

test('the banner line is curl -u TOKEN:X on the contact list, and it works as printed', async () => {
  assert.match(bannerLine, /^curl -s -u [A-Za-z0-9]{40}:X http:\/\/127\.0\.0\.1:\d+\/clevertim\/api\/contact$/);
  const { stdout } = await run('sh', ['-c', `${bannerLine} -w '\\n%{http_code}'`]);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.pop(), '200');
  const body = JSON.parse(lines.join('\n'));
  assert.equal(body.status, 'OK');
  assert.deepEqual(body.content.map((c: { fn: string; ln: string }) => `${c.fn} ${c.ln}`).sort(), ['Luis Ortega', 'Priya Nair', 'Sarah Hartley', 'Tom Becker']);
});

test('each start’s line carries a fresh token; the previous one stops working', async () => {
  const next = (await clevertim.bannerExample!(t.ctx, demo))!;
  assert.notEqual(tokenOf(next), tokenOf(bannerLine));
  assert.equal((await ct(t, 'GET', '/contact', { token: tokenOf(bannerLine) })).statusCode, 401);
  assert.equal((await ct(t, 'GET', '/contact', { token: tokenOf(next) })).statusCode, 200);
  bannerLine = next;
});

test('the demo company has companies, people, a case, deals, tasks, notes and custom fields, linked to one another', async () => {
  const token = tokenOf(bannerLine);
  const list = async (resource: string) => (await ct(t, 'GET', `/${resource}`, { token })).json().content as Record<string, any>[];
  const companies = await list('company');
  const contacts = await list('contact');
  const cases = await list('case');
  const opportunities = await list('opportunity');
  const tasks = await list('task');
  const notes = await list('note');
  const fields = await list('customfield');
  assert.deepEqual(companies.map((c) => c.cn).sort(), ['Hartley Builders Ltd', 'Northgate Plumbing Supplies', 'Riverside Property Management']);
  assert.equal(cases.length, 1);
  assert.deepEqual(opportunities.map((o) => o.status).sort(), ['Open', 'Open', 'Won']);
  assert.ok(tasks.length >= 3 && tasks.some((task) => task.is_completed));
  assert.ok(notes.length >= 3);
  assert.deepEqual(fields.map((f) => f.name).sort(), ['Lead source', 'Next service due']);

  const priya = contacts.find((c) => c.fn === 'Priya')!;
  assert.deepEqual(priya.cases, [cases[0]!.id]);
  assert.equal(priya.notes.length, 1);
  assert.equal(priya.tasks.length, 1);
  assert.deepEqual(Object.values(priya.cf), ['Website']);
  const riverside = companies.find((c) => c.cn === 'Riverside Property Management')!;
  assert.equal(riverside.opportunities.length, 1);
  assert.equal(contacts.find((c) => c.fn === 'Tom')!.companyId, riverside.id);
  const refit = opportunities.find((o) => o.name === 'Bathroom refits for the Riverside flats')!;
  assert.equal(refit.tasks.length, 2);
  assert.equal(refit.notes.length, 1);
  assert.ok(notes.some((note) => note.comments.length === 1));
});

test('the demo has two groups, the owner in Office, and one opportunity only Office sees (R-5); and a folder with a sub-folder', async () => {
  const token = tokenOf(bannerLine);
  const groups = (await ct(t, 'GET', '/group', { token })).json().content as { id: number; name: string; gid: number; users: number[] }[];
  assert.deepEqual(groups.map((g) => g.name).sort(), ['Field engineers', 'Office']);
  const office = groups.find((g) => g.name === 'Office')!;
  const me = (await ct(t, 'GET', '/user', { token })).json().content[0].id;
  assert.deepEqual(office.users, [me]);
  const restricted = ((await ct(t, 'GET', '/opportunity', { token })).json().content as Record<string, any>[]).filter((o) => o.gid !== 0);
  assert.deepEqual(restricted.map((o) => [o.name, o.gid]), [['Supplier discount renegotiation', office.gid]]);
  const folders = (await ct(t, 'GET', '/folder', { token })).json().content as Record<string, any>[];
  const contracts = folders.find((f) => f.name === 'Contracts')!;
  assert.deepEqual(folders.map((f) => [f.name, f.parentId, f.is_dir]), [['Contracts', null, true], ['2026', contracts.id, true]]);
});

test('the demo is seeded once', async () => {
  const again = await ensureDemo(t.ctx, apis);
  assert.equal(again.created, false);
  assert.equal((await ct(t, 'GET', '/company', { token: tokenOf(bannerLine) })).json().content.length, 3);
});
