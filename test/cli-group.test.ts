import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupMembers, groups } from '../src/platform/tenancy/schema.ts';
import { assertAllRefused, baseEnv, cleanUpCli, freshStore, liveServer, opsbase, opsbaseJson, tempDir, type Store } from './support/cli.ts';

/**
 * `opsbase group ...`: an operator manages a company's groups of people from the command line (the real
 * bin, in its own process; on the embedded database while `opsbase start` runs, so a Clevertim client
 * sees the change through the API at once). Refusals name the option or argument to fix.
 */
after(cleanUpCli);

let store: Store;
let env: NodeJS.ProcessEnv;
let port: number | null = null;
let companyId: string;
let otherCompanyId: string;
before(async () => {
  if (process.env.DATABASE_URL) store = await freshStore();
  else {
    const live = await liveServer();
    store = live.store;
    port = live.port;
  }
  env = store.env;
  companyId = (await opsbaseJson(env, 'company', 'create', '--name', 'Group Plumbing', '--plan', 'starter')).id;
  otherCompanyId = (await opsbaseJson(env, 'company', 'create', '--name', 'Other Heating', '--plan', 'starter')).id;
  await opsbaseJson(env, 'user', 'create', '--email', 'gail@group.test', '--password', 'correct horse battery', '--name', 'Gail Group', '--company', companyId, '--role', 'member');
  await opsbaseJson(env, 'user', 'create', '--email', 'otto@group.test', '--password', 'correct horse battery', '--name', 'Otto Other', '--company', otherCompanyId, '--role', 'owner');
});

test('group create, add-member, list, rename, remove-member and delete, each with --json', async () => {
  const made = await opsbaseJson(env, 'group', 'create', '--company', companyId, '--name', 'Office');
  assert.deepEqual(Object.keys(made).sort(), ['company_id', 'created_at', 'gid', 'id', 'members', 'name']);
  assert.deepEqual([made.company_id, made.name, made.gid, made.members], [companyId, 'Office', 1, []]);
  const second = await opsbaseJson(env, 'group', 'create', '--company', companyId, '--name', 'Field');
  assert.equal(second.gid, 2, 'the next free bit');

  const added = await opsbaseJson(env, 'group', 'add-member', made.id, '--company', companyId, '--user', 'Gail@Group.test');
  assert.deepEqual(added.members.map((m: { email: string }) => m.email), ['gail@group.test']);
  const listed = await opsbaseJson(env, 'group', 'list', '--company', companyId);
  assert.deepEqual(listed.map((g: { name: string; gid: number }) => [g.name, g.gid]), [['Field', 2], ['Office', 1]]);

  const renamed = await opsbaseJson(env, 'group', 'rename', made.id, '--company', companyId, '--name', 'Back office');
  assert.equal(renamed.name, 'Back office');
  const removed = await opsbaseJson(env, 'group', 'remove-member', made.id, '--company', companyId, '--user', 'gail@group.test');
  assert.deepEqual(removed.members, []);
  const deleted = await opsbaseJson(env, 'group', 'delete', second.id, '--company', companyId);
  assert.deepEqual(deleted, { id: second.id, company_id: companyId, name: 'Field', deleted: true });

  const rows = await store.inspect(async (orm) => ({ groups: await orm.select().from(groups), members: await orm.select().from(groupMembers) }));
  assert.deepEqual(rows.groups.map((g) => [g.companyId, g.name, g.bit]), [[companyId, 'Back office', 0]]);
  assert.deepEqual(rows.members, []);
});

test('without --json: a table for people, and a hint when there are no groups', async () => {
  const empty = await opsbase(env, 'group', 'list', '--company', otherCompanyId);
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /No groups yet\. Create one with: opsbase group create --company/);
  const made = await opsbase(env, 'group', 'create', '--company', otherCompanyId, '--name', 'Night shift');
  assert.equal(made.code, 0);
  assert.match(made.stdout, /Created group:\n\S+ {2}Night shift {2}\(gid 1; no members\)/);
  const table = await opsbase(env, 'group', 'list', '--company', otherCompanyId);
  assert.match(table.stdout, /^ID +GID +NAME +MEMBERS\n\S+ +1 +Night shift +-$/m);
});

test('refusals name what to fix, and change nothing', async () => {
  const before = await store.inspect(async (orm) => ({ groups: await orm.select().from(groups), members: await orm.select().from(groupMembers) }));
  const office = before.groups.find((g) => g.name === 'Back office')!;
  await assertAllRefused(env, [
    [['group', 'create', '--company', companyId, '--name', 'back OFFICE'], ['--name', 'already has a group named "back OFFICE"']],
    [['group', 'create', '--company', companyId, '--name', '   '], ['--name', 'must not be empty']],
    [['group', 'create', '--company', 'cnosuchcompany000000000000', '--name', 'X'], ['--company', 'cnosuchcompany000000000000']],
    [['group', 'create', '--name', 'X'], ['--company'], 2],
    [['group', 'add-member', office.id, '--company', companyId, '--user', 'otto@group.test'], ['--user', 'Only members of the company']],
    [['group', 'add-member', office.id, '--company', companyId, '--user', 'nobody@group.test'], ['--user', 'nobody@group.test']],
    [['group', 'add-member', office.id, '--company', otherCompanyId, '--user', 'otto@group.test'], ['GROUP', office.id]],
    [['group', 'remove-member', office.id, '--company', companyId, '--user', 'gail@group.test'], ['--user', 'not in the group']],
    [['group', 'delete', 'nosuchgroup', '--company', companyId], ['GROUP', 'nosuchgroup']],
    [['group', 'rename', office.id, '--company', companyId], ['--name'], 2],
    [['group', 'frobnicate'], ['group frobnicate'], 2],
  ]);
  const after = await store.inspect(async (orm) => ({ groups: await orm.select().from(groups), members: await orm.select().from(groupMembers) }));
  assert.deepEqual(after, before);
});

test('opsbase --help lists the group commands, and each --help its options', async () => {
  const helpEnv = baseEnv({ DATA_DIR: tempDir('opsbase-group-help-') });
  const top = await opsbase(helpEnv, '--help');
  for (const command of ['group create', 'group list', 'group rename', 'group delete', 'group add-member', 'group remove-member']) assert.ok(top.stdout.includes(command), command);
  const help = await opsbase(helpEnv, 'group', 'add-member', '--help');
  assert.equal(help.code, 0);
  for (const text of ['GROUP', '--company ID', '--user EMAIL', '--json']) assert.ok(help.stdout.includes(text), text);
});

test('a Clevertim client sees a group made by the CLI at once, with its member, while the server runs', { skip: process.env.DATABASE_URL ? 'skipped on DATABASE_URL: this check uses the live embedded opsbase start (it runs on the embedded backend)' : false }, async () => {
  assert.ok(port !== null);
  await opsbaseJson(env, 'user', 'create', '--email', 'cleo@group.test', '--password', 'correct horse battery', '--name', 'Cleo Client', '--company', companyId, '--role', 'admin');
  const { token } = await opsbaseJson(env, 'token', 'create', '--api', 'clevertim', '--user', 'cleo@group.test', '--company', companyId);
  const crew = await opsbaseJson(env, 'group', 'create', '--company', companyId, '--name', 'API crew');
  await opsbaseJson(env, 'group', 'add-member', crew.id, '--company', companyId, '--user', 'cleo@group.test');
  const authorization = `Basic ${Buffer.from(`${token}:X`).toString('base64')}`;
  const users = (await (await fetch(`http://127.0.0.1:${port}/clevertim/api/user`, { headers: { authorization } })).json()).content as { id: number; email: string }[];
  const seen = (await (await fetch(`http://127.0.0.1:${port}/clevertim/api/group`, { headers: { authorization } })).json()).content as { name: string; gid: number; users: number[] }[];
  const apiCrew = seen.find((g) => g.name === 'API crew')!;
  assert.deepEqual([apiCrew.gid, apiCrew.users], [crew.gid, [users.find((u) => u.email === 'cleo@group.test')!.id]]);
});
