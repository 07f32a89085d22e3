import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { authorizationCode, callMe, createWorld, exchangeCode, pkcePair, refresh, tokenRequest, tokensFor, REDIRECT_URI, type OAuthWorld } from './support/oauth-fixtures.ts';
import { oauthClients, oauthCodes, oauthTokens } from '../src/platform/oauth/schema.ts';
import { sha256 } from '../src/platform/ids.ts';
import { setCompanyPlan } from '../src/platform/tenancy/tenancy.ts';
import { rotateClientSecret } from '../src/platform/oauth/clients.ts';

let t: TestApp;
let world: OAuthWorld;

before(async () => {
  t = await startTestApp();
  world = await createWorld(t);
});
after(() => t.close());

function assertOAuthError(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, error: string) {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  const body = res.json() as { error: string; error_description: string };
  assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
  assert.equal(body.error, error);
  assert.equal(res.headers['cache-control'], 'no-store');
}

test('the code exchange answers exactly the seed shape: bc_at_ (1 hour), bc_rt_, Bearer, expires_in, scope', async () => {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  const res = await exchangeCode(t, world, code, verifier);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
  assert.match(body.access_token, /^bc_at_[A-Za-z0-9_-]{43}$/);
  assert.match(body.refresh_token, /^bc_rt_[A-Za-z0-9_-]{43}$/);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 3600);
  assert.equal(body.scope, 'leads:write jobs:read');
});

test('only SHA-256 hashes of codes and tokens are stored', async () => {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  const [codeRow] = await t.ctx.db.orm.select().from(oauthCodes).where(eq(oauthCodes.codeHash, sha256(code)));
  assert.ok(codeRow, 'the code is found by its hash');
  const tokens = (await exchangeCode(t, world, code, verifier)).json();
  const dump = JSON.stringify([(await t.ctx.db.pool.query('SELECT * FROM oauth_tokens')).rows, (await t.ctx.db.pool.query('SELECT * FROM oauth_codes')).rows]);
  for (const secret of [code, tokens.access_token, tokens.refresh_token]) assert.ok(!dump.includes(secret), 'no plain code or token in the tables');
  assert.ok(dump.includes(sha256(tokens.access_token)));
  const [client] = await t.ctx.db.orm.select().from(oauthClients).where(eq(oauthClients.id, world.app.id));
  assert.equal(client!.secretHash, sha256(world.app.clientSecret));
});

test('a wrong code_verifier is refused with invalid_grant', async () => {
  const { challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  assertOAuthError(await exchangeCode(t, world, code, pkcePair().verifier), 400, 'invalid_grant');
});

test('a code_verifier shorter than 43 or longer than 128 characters is refused', async () => {
  const { challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  assertOAuthError(await exchangeCode(t, world, code, 'a'.repeat(42)), 400, 'invalid_request');
  assertOAuthError(await exchangeCode(t, world, code, 'a'.repeat(129)), 400, 'invalid_request');
});

test('a code older than 10 minutes is refused with invalid_grant', async () => {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  const [row] = await t.ctx.db.orm.select().from(oauthCodes).where(eq(oauthCodes.codeHash, sha256(code)));
  const lifetime = row!.expiresAt.getTime() - row!.createdAt.getTime();
  assert.ok(Math.abs(lifetime - 10 * 60 * 1000) < 5000, `codes live 10 minutes (got ${lifetime} ms)`);
  await t.ctx.db.orm.update(oauthCodes).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(oauthCodes.codeHash, sha256(code)));
  assertOAuthError(await exchangeCode(t, world, code, verifier), 400, 'invalid_grant');
});

test('a code is bound to its redirect_uri', async () => {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  assertOAuthError(await exchangeCode(t, world, code, verifier, { redirect_uri: 'http://127.0.0.1:9/cb' }), 400, 'invalid_grant');
});

test('a code is bound to the client it was issued to', async () => {
  const other = await createWorld(t);
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  assertOAuthError(await exchangeCode(t, world, code, verifier, { client_id: other.app.clientId, client_secret: other.app.clientSecret }), 400, 'invalid_grant');
});

test('presenting a used code again is refused and revokes the tokens it issued', async () => {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, world.paid.id, challenge);
  const tokens = (await exchangeCode(t, world, code, verifier)).json();
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 200);
  assertOAuthError(await exchangeCode(t, world, code, verifier), 400, 'invalid_grant');
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 401);
  assertOAuthError(await refresh(t, world, tokens.refresh_token), 400, 'invalid_grant');
});

test('every refresh rotates: new tokens, and the old refresh token dies at once', async () => {
  const first = await tokensFor(t, world);
  const res = await refresh(t, world, first.refresh_token);
  assert.equal(res.statusCode, 200);
  const second = res.json();
  assert.deepEqual(Object.keys(second).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  assert.match(second.refresh_token, /^bc_rt_/);
  assert.equal(second.expires_in, 3600);
  assert.equal(second.scope, 'leads:write jobs:read');
  const [row] = await t.ctx.db.orm.select().from(oauthTokens).where(eq(oauthTokens.tokenHash, sha256(second.refresh_token)));
  const days = (row!.expiresAt.getTime() - row!.createdAt.getTime()) / 86_400_000;
  assert.ok(Math.abs(days - 90) < 0.01, `refresh tokens live 90 days (got ${days})`);
  assert.equal((await callMe(t, second.access_token)).statusCode, 200);
});

test('presenting a rotated refresh token again revokes the whole authorization', async () => {
  const first = await tokensFor(t, world);
  const second = (await refresh(t, world, first.refresh_token)).json();
  assertOAuthError(await refresh(t, world, first.refresh_token), 400, 'invalid_grant');
  assert.equal((await callMe(t, second.access_token)).statusCode, 401, 'the access token of the rotation dies too');
  assert.equal((await callMe(t, first.access_token)).statusCode, 401);
  assertOAuthError(await refresh(t, world, second.refresh_token), 400, 'invalid_grant');
});

test('of two simultaneous refreshes with the same token exactly one gets new tokens', async () => {
  for (let round = 0; round < 5; round++) {
    const first = await tokensFor(t, world);
    const results = await Promise.all([refresh(t, world, first.refresh_token), refresh(t, world, first.refresh_token)]);
    const statuses = results.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [200, 400], `round ${round}`);
    const rows = await t.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM oauth_tokens WHERE kind = 'refresh' AND grant_id = (SELECT grant_id FROM oauth_tokens WHERE token_hash = $1)`,
      [sha256(first.refresh_token)],
    );
    assert.equal(rows.rows[0].n, 2, 'one rotation happened: the original and one successor');
  }
});

test('an expired refresh token is refused with invalid_grant', async () => {
  const tokens = await tokensFor(t, world);
  await t.ctx.db.orm.update(oauthTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(oauthTokens.tokenHash, sha256(tokens.refresh_token)));
  assertOAuthError(await refresh(t, world, tokens.refresh_token), 400, 'invalid_grant');
});

test('a refresh cannot widen the scope', async () => {
  const tokens = await tokensFor(t, world);
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'leads:write jobs:read invoices:read', client_id: world.app.clientId, client_secret: world.app.clientSecret });
  assertOAuthError(res, 400, 'invalid_scope');
});

test('a trial company gets 403 plan_required at the token endpoint, for the code and for refresh', async () => {
  const w = await createWorld(t);
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, w, w.paid.id, challenge);
  const tokens = await tokensFor(t, w);
  await setCompanyPlan(t.ctx.db.orm, w.paid.id, 'trial');
  assertOAuthError(await exchangeCode(t, w, code, verifier), 403, 'plan_required');
  assertOAuthError(await refresh(t, w, tokens.refresh_token), 403, 'plan_required');
});

test('the client secret may come in the body (client_secret_post)', async () => {
  const tokens = await tokensFor(t, world);
  assert.equal((await refresh(t, world, tokens.refresh_token)).statusCode, 200);
});

test('the client secret may come by HTTP Basic (client_secret_basic)', async () => {
  const tokens = await tokensFor(t, world);
  const basic = Buffer.from(`${encodeURIComponent(world.app.clientId)}:${encodeURIComponent(world.app.clientSecret)}`).toString('base64');
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: `Basic ${basic}` });
  assert.equal(res.statusCode, 200, res.body);
});

test('a wrong secret by HTTP Basic answers 401 invalid_client with a Basic challenge', async () => {
  const basic = Buffer.from(`${world.app.clientId}:wrong`).toString('base64');
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'bc_rt_x' }, { authorization: `Basic ${basic}` });
  assertOAuthError(res, 401, 'invalid_client');
  assert.match(String(res.headers['www-authenticate']), /^Basic /);
});

test('a secret both in the body and by HTTP Basic is refused', async () => {
  const basic = Buffer.from(`${world.app.clientId}:${world.app.clientSecret}`).toString('base64');
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'bc_rt_x', client_secret: world.app.clientSecret }, { authorization: `Basic ${basic}` });
  assertOAuthError(res, 400, 'invalid_request');
});

test('an unknown client or a wrong secret in the body answers 401 invalid_client', async () => {
  assertOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x', client_id: world.app.clientId, client_secret: 'wrong' }), 401, 'invalid_client');
  assertOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nobody', client_secret: 'x' }), 401, 'invalid_client');
  assertOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x' }), 401, 'invalid_client');
});

test('after the secret is rotated the old secret answers 401 invalid_client and the new one works', async () => {
  const w = await createWorld(t);
  const tokens = await tokensFor(t, w);
  const newSecret = await rotateClientSecret(t.ctx.db.orm, w.owner.id, w.app.id);
  assert.ok(newSecret);
  assertOAuthError(await refresh(t, w, tokens.refresh_token), 401, 'invalid_client');
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: w.app.clientId, client_secret: newSecret });
  assert.equal(res.statusCode, 200);
});

test('an unsupported or missing grant_type is refused', async () => {
  const creds = { client_id: world.app.clientId, client_secret: world.app.clientSecret };
  assertOAuthError(await tokenRequest(t, { grant_type: 'password', ...creds }), 400, 'unsupported_grant_type');
  assertOAuthError(await tokenRequest(t, { grant_type: 'client_credentials', ...creds }), 400, 'unsupported_grant_type');
  assertOAuthError(await tokenRequest(t, { ...creds }), 400, 'invalid_request');
});

test('missing parameters and unknown codes get RFC 6749 errors, never a 500', async () => {
  const creds = { client_id: world.app.clientId, client_secret: world.app.clientSecret };
  assertOAuthError(await tokenRequest(t, { grant_type: 'authorization_code', ...creds }), 400, 'invalid_request');
  assertOAuthError(await tokenRequest(t, { grant_type: 'authorization_code', code: 'nope', redirect_uri: REDIRECT_URI, code_verifier: 'a'.repeat(43), ...creds }), 400, 'invalid_grant');
  assertOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'bc_rt_nope', ...creds }), 400, 'invalid_grant');
  assertOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', ...creds }), 400, 'invalid_request');
});

test('the token endpoint takes form-encoded bodies only', async () => {
  const json = await t.app.inject({ method: 'POST', url: '/blueclerk/oauth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'refresh_token' }) });
  assertOAuthError(json, 400, 'invalid_request');
  const broken = await t.app.inject({ method: 'POST', url: '/blueclerk/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{' });
  assertOAuthError(broken, 400, 'invalid_request');
  const text = await t.app.inject({ method: 'POST', url: '/blueclerk/oauth/token', headers: { 'content-type': 'text/plain' }, payload: 'x' });
  assertOAuthError(text, 400, 'invalid_request');
});
