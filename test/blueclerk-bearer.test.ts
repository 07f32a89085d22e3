import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { callMe, createWorld, tokensFor, type OAuthWorld } from './support/oauth-fixtures.ts';
import { oauthTokens } from '../src/platform/oauth/schema.ts';
import { sha256 } from '../src/platform/ids.ts';
import { setCompanyPlan } from '../src/platform/tenancy/tenancy.ts';
import { callerOf, registerBearerAuth, requireScope } from '../src/apis/blueclerk/auth.ts';
import { registerBlueClerkErrorHandling } from '../src/apis/blueclerk/errors.ts';
import { Type } from 'typebox';

let t: TestApp;
let world: OAuthWorld;

before(async () => {
  t = await startTestApp();
  world = await createWorld(t);
});
after(() => t.close());

function assertApiError(res: { statusCode: number; json(): unknown; body: string }, status: number, error: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as Record<string, unknown>;
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
  assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
}

test('GET /me returns the user, the company with its plan in capitals, the clientId, the scopes and expiresAt', async () => {
  const tokens = await tokensFor(t, world);
  const res = await callMe(t, tokens.access_token);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(body.user, { id: world.owner.id, name: world.owner.name, email: world.owner.email });
  assert.deepEqual(body.company, { id: world.paid.id, name: world.paid.name, plan: 'STARTER' });
  assert.equal(body.clientId, world.app.clientId);
  assert.deepEqual(body.scopes, ['leads:write', 'jobs:read']);
  assert.match(body.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const inSeconds = (Date.parse(body.expiresAt) - Date.now()) / 1000;
  assert.ok(inSeconds > 3590 && inSeconds <= 3600, `expires in about an hour (got ${inSeconds}s)`);
  assert.deepEqual(Object.keys(body).sort(), ['clientId', 'company', 'expiresAt', 'scopes', 'user']);
});

test('a missing token answers 401 invalid_token with a Bearer challenge', async () => {
  const res = await t.app.inject({ url: '/blueclerk/api/v1/me' });
  assertApiError(res, 401, 'invalid_token');
  assert.match(String(res.headers['www-authenticate']), /^Bearer realm="blueclerk"$/);
});

test('a malformed Authorization header answers 401 invalid_token', async () => {
  for (const header of ['Basic abc', 'Bearer', 'Bearer bc_at_short', 'Bearer bc_rt_' + 'a'.repeat(43), 'bc_at_' + 'a'.repeat(43)]) {
    const res = await t.app.inject({ url: '/blueclerk/api/v1/me', headers: { authorization: header } });
    assertApiError(res, 401, 'invalid_token');
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
  }
});

test('an unknown token answers 401 invalid_token', async () => {
  assertApiError(await callMe(t, 'bc_at_' + 'A'.repeat(43)), 401, 'invalid_token');
});

test('a refresh token is not an access token', async () => {
  const tokens = await tokensFor(t, world);
  assertApiError(await callMe(t, tokens.refresh_token), 401, 'invalid_token');
});

test('an expired access token answers 401 invalid_token', async () => {
  const tokens = await tokensFor(t, world);
  await t.ctx.db.orm.update(oauthTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(oauthTokens.tokenHash, sha256(tokens.access_token)));
  const res = await callMe(t, tokens.access_token);
  assertApiError(res, 401, 'invalid_token');
  assert.match(res.json().message, /expired/);
});

test('a revoked access token answers 401 invalid_token', async () => {
  const tokens = await tokensFor(t, world);
  await t.ctx.db.orm.update(oauthTokens).set({ revokedAt: sql`now()` }).where(eq(oauthTokens.tokenHash, sha256(tokens.access_token)));
  assertApiError(await callMe(t, tokens.access_token), 401, 'invalid_token');
});

test('a company that dropped to trial gets 403 plan_required on the API', async () => {
  const w = await createWorld(t);
  const tokens = await tokensFor(t, w);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 200);
  await setCompanyPlan(t.ctx.db.orm, w.paid.id, 'trial');
  assertApiError(await callMe(t, tokens.access_token), 403, 'plan_required');
});

test('an unknown path under the API answers the BlueClerk 404 body', async () => {
  assertApiError(await t.app.inject({ url: '/blueclerk/api/v1/nothing-here' }), 404, 'not_found');
});

// requireScope is what the data routes use; a tiny server with one scoped route checks it in isolation.
test('a route needing a scope the token lacks answers 403 insufficient_scope naming the scope; a granted scope passes', async () => {
  const tokens = await tokensFor(t, world);
  const app = Fastify();
  await app.register(
    async (api) => {
      registerBlueClerkErrorHandling(api);
      registerBearerAuth(api, t.ctx);
      api.get('/jobs', { preHandler: requireScope('jobs:read') }, async (request) => ({ company: callerOf(request).companyId }));
      api.get('/invoices', { preHandler: requireScope('invoices:read') }, async () => ({ never: true }));
      api.post('/leads', { preHandler: requireScope('leads:write'), schema: { body: Type.Object({ email: Type.String({ format: 'email' }), name: Type.String() }) } }, async () => ({}));
    },
    { prefix: '/blueclerk/api/v1' },
  );
  try {
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const ok = await app.inject({ url: '/blueclerk/api/v1/jobs', headers: auth });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().company, world.paid.id);
    const denied = await app.inject({ url: '/blueclerk/api/v1/invoices', headers: auth });
    assertApiError(denied, 403, 'insufficient_scope');
    assert.match(denied.json().message, /invoices:read/);
    assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope", scope="invoices:read"/);
    const invalid = await app.inject({ method: 'POST', url: '/blueclerk/api/v1/leads', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"email": 5}' });
    assertApiError(invalid, 400, 'invalid_request');
    assert.ok(invalid.json().details.some((d: { field: string }) => d.field === 'name'), invalid.body);
    const broken = await app.inject({ method: 'POST', url: '/blueclerk/api/v1/leads', headers: { ...auth, 'content-type': 'application/json' }, payload: '{' });
    assertApiError(broken, 400, 'invalid_request');
  } finally {
    await app.close();
  }
});

test('the OpenAPI document describes /me and the OAuth 2.0 authorization code flow', async () => {
  const res = await t.app.inject({ url: '/blueclerk/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.ok(doc.paths['/me']?.get, 'GET /me is documented');
  const flow = doc.components.securitySchemes.oauth2.flows.authorizationCode;
  assert.match(flow.tokenUrl, /\/blueclerk\/oauth\/token$/);
  assert.equal(Object.keys(flow.scopes).length, 9);
});
