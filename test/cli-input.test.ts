import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPersonByEmail } from '../src/platform/tenancy/tenancy.ts';
import { assertAllRefused, assertRefused, baseEnv, cleanUpCli, freshStore, liveServer, opsbase, opsbaseJson, tempDir, type Store } from './support/cli.ts';

/**
 * Bad input to `opsbase`: a non-zero exit (2 for a wrong command line, 1 for a refused value) and one
 * line on stderr that names the option or argument to fix, never a stack trace; and nothing written.
 */
after(cleanUpCli);

test('an unknown command, a group without its command and a missing command are refused with a pointer to --help', async () => {
  const env = baseEnv({ DATA_DIR: tempDir('opsbase-cli-usage-') });
  assertRefused(await opsbase(env, 'frobnicate'), ['unknown command "frobnicate"', '--help'], 2);
  assertRefused(await opsbase(env, 'company'), ['create', 'set-plan', '--help'], 2);
  assertRefused(await opsbase(env, 'company', 'delete', 'x'), ['unknown command "company delete"'], 2);
  assertRefused(await opsbase(env, 'company', 'create', '--name', 'X', '--plan', 'pro', '--colour', 'red'), ['unknown option --colour', 'opsbase company create --help'], 2);
  assertRefused(await opsbase(env, 'company', 'create', '--name'), ['--name needs a value'], 2);
  assertRefused(await opsbase(env), ['give a command'], 2);
});

/** Beside a live server on the embedded database (each command borrows its socket), or on a fresh DATABASE_URL database. */
describe('refused input', () => {
  let store: Store;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    store = process.env.DATABASE_URL ? await freshStore() : (await liveServer()).store;
    env = store.env;
  });

  test('bad company input is refused with a message naming the option or argument, and changes nothing', async () => {
    const { id } = await opsbaseJson(env, 'company', 'create', '--name', 'Unchanged Co', '--plan', 'pro');
    const before = await opsbaseJson<any[]>(env, 'company', 'list');
    await assertAllRefused(env, [
      [['company', 'create', '--name', 'Gold Co', '--plan', 'gold'], ['--plan', '"gold"', 'starter']],
      [['company', 'create', '--name', 'No Plan Co'], ['missing --plan'], 2],
      [['company', 'create', '--name', '   ', '--plan', 'pro'], ['--name']],
      [['company', 'set-plan', id, 'platinum'], ['PLAN', '"platinum"']],
      [['company', 'set-plan', id], ['missing PLAN'], 2],
      [['company', 'set-plan', 'cnosuchcompany000000000000', 'pro'], ['no company with id cnosuchcompany000000000000']],
      [['company', 'set-limits', id, '--per-minute', '0'], ['--per-minute', 'unlimited']],
      [['company', 'set-limits', id, '--per-minute', '5000', '--per-day', '100'], ['--per-minute', '--per-day']],
      [['company', 'set-limits', id], ['--per-minute', '--per-day', '--per-month'], 2],
    ]);
    assert.deepEqual(await opsbaseJson(env, 'company', 'list'), before, 'nothing was created or changed');
  });

  test('bad user input is refused naming the option, and a bad membership leaves no person behind', async () => {
    const company = await opsbaseJson(env, 'company', 'create', '--name', 'Members Only Co', '--plan', 'pro');
    const ann = ['user', 'create', '--email', 'ann@example.com', '--password', 'long enough', '--name', 'Ann'];
    await assertAllRefused(env, [
      [['user', 'create', '--email', 'not-an-email', '--password', 'long enough', '--name', 'Ann'], ['--email', '"not-an-email"']],
      [[...ann, '--company', company.id, '--role', 'boss'], ['--role', '"boss"', 'member']],
      [[...ann, '--company', 'cnosuchcompany000000000000', '--role', 'member'], ['--company', 'cnosuchcompany000000000000']],
      [[...ann, '--company', company.id], ['--role'], 2],
      [['user', 'create', '--email', 'ann@example.com', '--password', 'short', '--name', 'Ann'], ['--password', '8 characters']],
      [['user', 'create', '--email', 'ann@example.com', '--name', 'Ann'], ['missing --password'], 2],
      [['user', 'create', '--password', 'long enough', '--name', 'Ann'], ['missing --email'], 2],
      [['user', 'set-password', '--email', 'nobody@example.com', '--password', 'long enough'], ['--email', 'nobody@example.com']],
      [['user', 'list', '--company', 'cnosuchcompany000000000000'], ['--company']],
    ]);
    assert.equal(await store.inspect((orm) => findPersonByEmail(orm, 'ann@example.com')), null, 'no person was written');
  });

  test('bad app input is refused naming the option, and no app is registered', async () => {
    const base = ['app', 'create', '--api', 'blueclerk', '--owner', 'maker@partner.example', '--name', 'ok', '--redirect-uri', 'https://partner.example/cb', '--scopes', 'leads:write'];
    const withOption = (name: string, value: string) => base.map((arg, i) => (base[i - 1] === name ? value : arg));
    await opsbaseJson(env, 'user', 'create', '--email', 'maker@partner.example', '--password', 'developer pw', '--name', 'Maker');
    const before = await opsbaseJson<any[]>(env, 'app', 'list');
    await assertAllRefused(env, [
      [withOption('--api', 'nosuchapi'), ['--api', '"nosuchapi"', 'blueclerk']],
      [withOption('--owner', 'stranger@example.com'), ['--owner', 'stranger@example.com']],
      [withOption('--redirect-uri', 'http://partner.example/cb'), ['--redirect-uri', 'https']],
      [withOption('--scopes', 'leads:write teleport'), ['--scopes', '"teleport"']],
      [[...base, '--logo-url', 'javascript:alert(1)'], ['--logo-url', 'https']],
      [base.slice(0, -2), ['missing --scopes'], 2],
    ]);
    assert.deepEqual(await opsbaseJson(env, 'app', 'list'), before, 'no app was registered');
  });
});
