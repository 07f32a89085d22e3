import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../src/platform/identity/passwords.ts';
import { findPersonByEmail } from '../src/platform/tenancy/tenancy.ts';
import { assertRefused, cleanUpCli, freshStore, liveServer, opsbase, opsbaseWithInput, type Store } from './support/cli.ts';

/**
 * A password given as an argument is visible in the process list and stays in shell history, so
 * `user create` and `user set-password` also read it from standard input with --password-stdin.
 */
after(cleanUpCli);

let store: Store;
before(async () => {
  store = process.env.DATABASE_URL ? await freshStore() : (await liveServer()).store;
});

async function passwordOf(email: string, candidate: string): Promise<boolean> {
  const person = await store.inspect((orm) => findPersonByEmail(orm, email));
  assert.ok(person, `${email} exists`);
  return verifyPassword(person.passwordHash, candidate);
}

test('user create --password-stdin takes the first line of standard input as the password', async () => {
  const created = await opsbaseWithInput(store.env, 'piped password 1\nignored second line\n', 'user', 'create', '--email', 'pipe@example.com', '--password-stdin', '--name', 'Pipe', '--json');
  assert.equal(created.code, 0, created.stderr);
  assert.equal(await passwordOf('pipe@example.com', 'piped password 1'), true);
  assert.equal(await passwordOf('pipe@example.com', 'piped password 1\nignored second line'), false);
});

test('user set-password --password-stdin changes the password; a Windows line ending is not part of it', async () => {
  await opsbaseWithInput(store.env, 'first password\n', 'user', 'create', '--email', 'crlf@example.com', '--password-stdin', '--name', 'Crlf');
  const changed = await opsbaseWithInput(store.env, 'second password\r\n', 'user', 'set-password', '--email', 'crlf@example.com', '--password-stdin', '--json');
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(await passwordOf('crlf@example.com', 'second password'), true);
  assert.equal(await passwordOf('crlf@example.com', 'first password'), false);
});

test('--password-stdin is refused with --password, with empty input, and set-password needs one of the two', async () => {
  await opsbaseWithInput(store.env, 'kept password\n', 'user', 'create', '--email', 'kept@example.com', '--password-stdin', '--name', 'Kept');
  assertRefused(await opsbaseWithInput(store.env, 'other password\n', 'user', 'set-password', '--email', 'kept@example.com', '--password', 'argv password', '--password-stdin'), ['--password-stdin', 'not both'], 2);
  assertRefused(await opsbaseWithInput(store.env, '\n', 'user', 'set-password', '--email', 'kept@example.com', '--password-stdin'), ['--password-stdin', 'no password'], 2);
  assertRefused(await opsbase(store.env, 'user', 'set-password', '--email', 'kept@example.com'), ['--password P or --password-stdin'], 2);
  assertRefused(await opsbaseWithInput(store.env, 'short\n', 'user', 'set-password', '--email', 'kept@example.com', '--password-stdin'), ['--password']);
  assert.equal(await passwordOf('kept@example.com', 'kept password'), true, 'no refused command changed the password');
});

test('--help of both commands names --password-stdin', async () => {
  for (const command of [['user', 'create'], ['user', 'set-password']]) {
    const help = await opsbase(store.env, ...command, '--help');
    assert.equal(help.code, 0, help.stderr);
    assert.ok(help.stdout.includes('--password-stdin'), help.stdout);
  }
});
