import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { sha256 } from '../src/platform/ids.ts';
import { verifyPassword } from '../src/platform/identity/passwords.ts';
import { oauthClients } from '../src/platform/oauth/schema.ts';
import { findPersonByEmail } from '../src/platform/tenancy/tenancy.ts';
import { assertRefused, baseEnv, cleanUpCli, freshStore, liveServer, opsbase, opsbaseJson, tempDir, type Store } from './support/cli.ts';

/**
 * The `opsbase` admin CLI as an operator uses it: every command's --help, and what each command does
 * and prints (--json for scripts). The real bin runs in its own process; what it wrote is read back from
 * the database. Bad input is in cli-input.test.ts; how commands reach the database (owning it, or
 * through a running server's socket) in cli-server.test.ts.
 */
after(cleanUpCli);

const HELP: Record<string, string[]> = {
  start: [],
  migrate: ['--json'],
  demo: ['--json'],
  'company create': ['--name NAME', '--plan PLAN', '--json'],
  'company list': ['--json'],
  'company set-plan': ['ID', 'PLAN', '--json'],
  'company set-limits': ['ID', '--per-minute', '--per-day', '--per-month', '--json'],
  'user create': ['--email E', '--password P', '--name N', '--company ID', '--role ROLE', '--json'],
  'user set-password': ['--email E', '--password P'],
  'user list': ['--company ID', '--json'],
  'app create': ['--api API', '--owner EMAIL', '--name NAME', '--redirect-uri URI', '--scopes', '--description', '--contact-email', '--logo-url', '--json'],
  'app list': ['--api API', '--json'],
};

test('--help on every command exits 0 and lists its options; opsbase --help and each group list their commands', async () => {
  const env = baseEnv({ DATA_DIR: tempDir('opsbase-cli-help-') });
  const top = await opsbase(env, '--help');
  assert.equal(top.code, 0, top.stderr);
  for (const name of Object.keys(HELP)) assert.ok(top.stdout.includes(name), `opsbase --help lists ${name}`);
  for (const group of ['company', 'user', 'app']) {
    const help = await opsbase(env, group, '--help');
    assert.equal(help.code, 0, help.stderr);
    for (const name of Object.keys(HELP).filter((n) => n.startsWith(`${group} `))) assert.ok(help.stdout.includes(name), `opsbase ${group} --help lists ${name}`);
  }
  // Two at a time: help loads no database, so this stays quick on two cores.
  const names = Object.keys(HELP);
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(
      names.slice(i, i + 2).map(async (name) => {
        const help = await opsbase(env, ...name.split(' '), '--help');
        assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
        assert.match(help.stdout, new RegExp(`^Usage: opsbase ${name}\\b`), `${name} --help starts with its usage`);
        for (const option of [...HELP[name]!, '--help']) assert.ok(help.stdout.includes(option), `${name} --help lists ${option}:\n${help.stdout}`);
      }),
    );
  }
  assert.ok(!fs.existsSync(path.join(env.DATA_DIR!, 'pgdata')), '--help opens no database');
});

/**
 * On the embedded database the commands run beside a live server and borrow its socket (no embedded
 * database to start per command, which keeps these many runs quick); on DATABASE_URL they connect to a
 * fresh database.
 */
describe('admin commands', () => {
  let store: Store;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    store = process.env.DATABASE_URL ? await freshStore() : (await liveServer()).store;
    env = store.env;
  });

  test('company create, list, set-plan and set-limits with --json', async () => {
    const created = await opsbaseJson(env, 'company', 'create', '--name', 'Smith Plumbing', '--plan', 'Starter');
    assert.match(created.id, /^c[a-z0-9]{24}$/);
    assert.equal(created.name, 'Smith Plumbing');
    assert.equal(created.plan, 'starter');
    assert.deepEqual(created.limits, { per_minute: 'default', per_day: 'default', per_month: 'default' });

    const listed = await opsbaseJson<any[]>(env, 'company', 'list');
    assert.deepEqual(listed.find((c) => c.id === created.id), created);

    const changed = await opsbaseJson(env, 'company', 'set-plan', created.id, 'enterprise');
    assert.equal(changed.plan, 'enterprise');

    const limits = await opsbaseJson(env, 'company', 'set-limits', created.id, '--per-minute', '1,000', '--per-day', 'unlimited');
    assert.deepEqual(limits, { id: created.id, limits: { per_minute: 1000, per_day: 'unlimited', per_month: 'default' } });
    const back = await opsbaseJson(env, 'company', 'set-limits', created.id, '--per-minute', 'default', '--per-month', '9000000');
    assert.deepEqual(back.limits, { per_minute: 'default', per_day: 'unlimited', per_month: 9_000_000 });

    const table = await opsbase(env, 'company', 'list');
    assert.match(table.stdout, new RegExp(`${created.id}\\s+enterprise\\s+default/unlimited/9000000\\s+Smith Plumbing`));
  });

  test('user create makes a person with a membership; on an existing person it adds or changes the membership and leaves the password alone', async () => {
    const a = await opsbaseJson(env, 'company', 'create', '--name', 'Alpha Roofing', '--plan', 'pro');
    const b = await opsbaseJson(env, 'company', 'create', '--name', 'Beta Electric', '--plan', 'business');

    const created = await opsbaseJson(env, 'user', 'create', '--email', 'Joe@Example.com', '--password', 'first password', '--name', 'Joe Smith', '--company', a.id, '--role', 'owner');
    assert.equal(created.created, true);
    assert.equal(created.person.email, 'joe@example.com');
    assert.deepEqual(created.person.memberships, [{ company_id: a.id, company_name: 'Alpha Roofing', role: 'owner' }]);

    // The same person again, for a second company: no --password or --name needed.
    const added = await opsbaseJson(env, 'user', 'create', '--email', 'joe@example.com', '--company', b.id, '--role', 'member');
    assert.equal(added.created, false);
    assert.equal(added.person.id, created.person.id);
    assert.deepEqual(added.membership, { company_id: b.id, role: 'member', previous_role: null });

    // Given a password anyway, it is not changed (set-password does that), and the person is told so.
    const promoted = await opsbase(env, 'user', 'create', '--email', 'joe@example.com', '--password', 'other password', '--name', 'Joseph', '--company', b.id, '--role', 'admin', '--json');
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal(JSON.parse(promoted.stdout).membership.previous_role, 'member');
    assert.match(promoted.stderr, /left unchanged/);

    const members = await opsbaseJson<any[]>(env, 'user', 'list', '--company', b.id);
    assert.deepEqual(members.map((p) => [p.email, p.name, p.memberships]), [['joe@example.com', 'Joe Smith', [{ company_id: b.id, company_name: 'Beta Electric', role: 'admin' }]]]);
    const everyone = await opsbaseJson<any[]>(env, 'user', 'list');
    assert.deepEqual(
      everyone.find((p) => p.id === created.person.id).memberships.map((m: any) => [m.company_name, m.role]),
      [['Alpha Roofing', 'owner'], ['Beta Electric', 'admin']],
    );

    const person = await store.inspect((orm) => findPersonByEmail(orm, 'joe@example.com'));
    assert.ok(person);
    assert.equal(await verifyPassword(person.passwordHash, 'first password'), true, 'the first password still signs in');
    assert.equal(await verifyPassword(person.passwordHash, 'other password'), false);
  });

  test('user set-password: the new password verifies and the old one no longer does', async () => {
    await opsbaseJson(env, 'user', 'create', '--email', 'pat@example.com', '--password', 'old password', '--name', 'Pat');
    const result = await opsbaseJson(env, 'user', 'set-password', '--email', 'PAT@example.com', '--password', 'new password 2');
    assert.equal(result.email, 'pat@example.com');
    const person = await store.inspect((orm) => findPersonByEmail(orm, 'pat@example.com'));
    assert.ok(person);
    assert.equal(await verifyPassword(person.passwordHash, 'new password 2'), true);
    assert.equal(await verifyPassword(person.passwordHash, 'old password'), false);
    assertRefused(await opsbase(env, 'user', 'set-password', '--email', 'pat@example.com', '--password', 'short'), ['--password']);
  });

  test('app create --json prints a client_id and a client_secret whose SHA-256 is what is stored; app list never shows the secret', async () => {
    await opsbaseJson(env, 'user', 'create', '--email', 'dev@partner.example', '--password', 'developer pw', '--name', 'Dev');
    const app = await opsbaseJson(
      env,
      'app', 'create', '--api', 'blueclerk', '--owner', 'dev@partner.example', '--name', 'leads2jobs',
      '--redirect-uri', 'https://partner.example/callback', '--redirect-uri', 'http://127.0.0.1:8080/cb',
      '--scopes', 'leads:write jobs:read', '--description', 'Sends leads', '--logo-url', 'https://partner.example/logo.png',
    );
    assert.match(app.client_id, /^blueclerk_/);
    assert.match(app.client_secret, /^blueclerk_cs_[A-Za-z0-9_-]{40,}$/);

    const [stored] = await store.inspect((orm) => orm.select().from(oauthClients).where(eq(oauthClients.clientId, app.client_id)));
    assert.ok(stored);
    assert.equal(stored.secretHash, sha256(app.client_secret));
    assert.ok(!JSON.stringify(stored).includes(app.client_secret), 'the secret itself is not stored');
    assert.deepEqual(stored.redirectUris, ['https://partner.example/callback', 'http://127.0.0.1:8080/cb']);
    assert.deepEqual([...stored.scopes].sort(), ['jobs:read', 'leads:write']);
    assert.equal(stored.contactEmail, 'dev@partner.example', 'the contact defaults to the owner');

    const listed = await opsbase(env, 'app', 'list', '--api', 'blueclerk', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(app.client_secret) && !listed.stdout.includes(stored.secretHash!), 'no secret or hash in the list');
    const row = (JSON.parse(listed.stdout) as any[]).find((a) => a.client_id === app.client_id);
    assert.equal(row.owner_email, 'dev@partner.example');
    assert.equal(row.name, 'leads2jobs');
  });

  test('demo creates the demo workspace once and prints a login whose password works; later runs print no password', async () => {
    const first = await opsbaseJson(env, 'demo');
    assert.equal(first.created, true);
    assert.equal(first.company.plan, 'starter');
    assert.equal(typeof first.login.password, 'string');
    const owner = await store.inspect((orm) => findPersonByEmail(orm, first.login.email));
    assert.ok(owner && (await verifyPassword(owner.passwordHash, first.login.password)), 'the printed password is the owner’s');

    const again = await opsbaseJson(env, 'demo');
    assert.deepEqual(again, { ...first, created: false, login: { email: first.login.email, password: null } });
  });
});
