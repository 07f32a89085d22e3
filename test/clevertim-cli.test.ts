import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyApiToken } from '../src/platform/credentials/api-tokens.ts';
import { sha256 } from '../src/platform/ids.ts';
import { apiTokens } from '../src/platform/credentials/schema.ts';
import { assertAllRefused, baseEnv, cleanUpCli, freshStore, liveServer, opsbase, opsbaseJson, tempDir, type Store } from './support/cli.ts';

/**
 * `opsbase token create --api clevertim --user EMAIL --company ID`: an operator makes a person's
 * Clevertim API token from the command line (the real bin, in its own process). It prints the token
 * once, stores only its hash, and ends the person's previous token.
 */
after(cleanUpCli);

let store: Store;
let env: NodeJS.ProcessEnv;
let port: number | null = null;
let companyId: string;
before(async () => {
  if (process.env.DATABASE_URL) store = await freshStore();
  else {
    const live = await liveServer();
    store = live.store;
    port = live.port;
  }
  env = store.env;
  companyId = (await opsbaseJson(env, 'company', 'create', '--name', 'Token Plumbing', '--plan', 'starter')).id;
  await opsbaseJson(env, 'user', 'create', '--email', 'tess@token.test', '--password', 'correct horse battery', '--name', 'Tess Token', '--company', companyId, '--role', 'member');
  await opsbaseJson(env, 'user', 'create', '--email', 'nora@token.test', '--password', 'correct horse battery', '--name', 'Nora Nobody');
});

test('token create --json prints the token, which verifies as the person in the company (only its SHA-256 stored)', async () => {
  const created = await opsbaseJson(env, 'token', 'create', '--api', 'clevertim', '--user', 'Tess@Token.test', '--company', companyId);
  assert.deepEqual(Object.keys(created).sort(), ['api', 'company_id', 'created_at', 'role', 'token', 'user']);
  assert.equal(created.api, 'clevertim');
  assert.equal(created.user, 'tess@token.test');
  assert.equal(created.company_id, companyId);
  assert.equal(created.role, 'member');
  assert.match(created.token, /^[A-Za-z0-9]{40}$/);
  const stored = await store.inspect(async (orm) => ({ holder: await verifyApiToken(orm, 'clevertim', created.token), rows: await orm.select().from(apiTokens) }));
  assert.equal(stored.holder?.personEmail, 'tess@token.test');
  assert.equal(stored.holder?.companyId, companyId);
  assert.ok(stored.rows.some((row) => row.tokenHash === sha256(created.token)));
  assert.ok(!JSON.stringify(stored.rows).includes(created.token));
  if (port !== null) {
    // Against the running server, as the seed's curl does it.
    const res = await fetch(`http://127.0.0.1:${port}/clevertim/api/contact`, { headers: { authorization: `Basic ${Buffer.from(`${created.token}:X`).toString('base64')}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'OK', content: [] });
  }
});

test('making another token ends the previous one; without --json the token is printed with a note on stderr', async () => {
  const first = await opsbaseJson(env, 'token', 'create', '--api', 'clevertim', '--user', 'tess@token.test', '--company', companyId);
  const second = await opsbase(env, 'token', 'create', '--api', 'clevertim', '--user', 'tess@token.test', '--company', companyId);
  assert.equal(second.code, 0, second.stderr);
  const lines = second.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Made a Clevertim API token for tess@token\.test in Token Plumbing \(c[a-z0-9]+\), role member:$/);
  const token = lines[1]!;
  assert.match(token, /^[A-Za-z0-9]{40}$/);
  assert.match(second.stderr, /not shown again/);
  const [old, current] = await store.inspect(async (orm) => [await verifyApiToken(orm, 'clevertim', first.token), await verifyApiToken(orm, 'clevertim', token)]);
  assert.equal(old, null);
  assert.equal(current?.personEmail, 'tess@token.test');
});

test('refusals name the option: unknown API, unknown person, unknown company, not a member, missing options', async () => {
  await assertAllRefused(env, [
    [['token', 'create', '--api', 'blueclerk', '--user', 'tess@token.test', '--company', companyId], ['--api', '"blueclerk"', 'clevertim']],
    [['token', 'create', '--api', 'clevertim', '--user', 'nobody@token.test', '--company', companyId], ['--user', 'nobody@token.test']],
    [['token', 'create', '--api', 'clevertim', '--user', 'not-an-email', '--company', companyId], ['--user', 'not-an-email']],
    [['token', 'create', '--api', 'clevertim', '--user', 'tess@token.test', '--company', 'cnosuchcompany000000000000'], ['--company', 'cnosuchcompany000000000000']],
    [['token', 'create', '--api', 'clevertim', '--user', 'nora@token.test', '--company', companyId], ['--company', 'nora@token.test', 'not a member']],
    [['token', 'create', '--api', 'clevertim', '--user', 'tess@token.test'], ['--company'], 2],
  ]);
  const tokensOfNora = await store.inspect(async (orm) => (await orm.select().from(apiTokens)).filter((row) => row.companyId !== companyId).length);
  assert.equal(tokensOfNora, 0, 'nothing was written by a refused command');
});

test('opsbase --help lists token create, and its --help its options', async () => {
  const helpEnv = baseEnv({ DATA_DIR: tempDir('opsbase-token-help-') });
  const top = await opsbase(helpEnv, '--help');
  assert.ok(top.stdout.includes('token create'));
  const help = await opsbase(helpEnv, 'token', 'create', '--help');
  assert.equal(help.code, 0);
  for (const option of ['--api API', '--user EMAIL', '--company ID', '--json']) assert.ok(help.stdout.includes(option), option);
});
