import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { callMe, createWorld, refresh, tokensFor, type OAuthWorld } from './support/oauth-fixtures.ts';

let t: TestApp;
let world: OAuthWorld;

before(async () => {
  t = await startTestApp({ env: { PUBLIC_URL: 'https://ops.example' } });
  world = await createWorld(t);
});
after(() => t.close());

function revoke(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/blueclerk/oauth/revoke',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

const creds = () => ({ client_id: world.app.clientId, client_secret: world.app.clientSecret });

test('revoking an access token (RFC 7009) stops it at once and leaves the refresh token working', async () => {
  const tokens = await tokensFor(t, world);
  const res = await revoke({ token: tokens.access_token, token_type_hint: 'access_token', ...creds() });
  assert.equal(res.statusCode, 200);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 401);
  assert.equal((await refresh(t, world, tokens.refresh_token)).statusCode, 200);
});

test('revoking a refresh token revokes its whole authorization', async () => {
  const tokens = await tokensFor(t, world);
  const basic = Buffer.from(`${world.app.clientId}:${world.app.clientSecret}`).toString('base64');
  const res = await revoke({ token: tokens.refresh_token }, { authorization: `Basic ${basic}` });
  assert.equal(res.statusCode, 200);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 401);
  assert.equal((await refresh(t, world, tokens.refresh_token)).json().error, 'invalid_grant');
});

test('revoking an unknown token answers 200', async () => {
  assert.equal((await revoke({ token: 'bc_rt_never-issued', ...creds() })).statusCode, 200);
});

test("a client cannot revoke another client's token", async () => {
  const other = await createWorld(t);
  const tokens = await tokensFor(t, world);
  assert.equal((await revoke({ token: tokens.access_token, client_id: other.app.clientId, client_secret: other.app.clientSecret })).statusCode, 200);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 200);
});

test('revocation requires client authentication', async () => {
  const tokens = await tokensFor(t, world);
  const res = await revoke({ token: tokens.access_token, client_id: world.app.clientId, client_secret: 'wrong' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error, 'invalid_client');
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 200);
  assert.equal((await revoke({ ...creds() })).json().error, 'invalid_request');
});

const expectedMetadata = {
  issuer: 'https://ops.example/blueclerk',
  authorization_endpoint: 'https://ops.example/blueclerk/oauth/authorize',
  token_endpoint: 'https://ops.example/blueclerk/oauth/token',
  revocation_endpoint: 'https://ops.example/blueclerk/oauth/revoke',
  code_challenge_methods_supported: ['S256'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
  response_types_supported: ['code'],
  token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  authorization_response_iss_parameter_supported: true,
};

for (const path of ['/.well-known/oauth-authorization-server/blueclerk', '/blueclerk/.well-known/oauth-authorization-server']) {
  test(`RFC 8414 metadata for the issuer <PUBLIC_URL>/blueclerk is served at ${path}`, async () => {
    const res = await t.app.inject({ url: path });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    for (const [name, value] of Object.entries(expectedMetadata)) assert.deepEqual(body[name], value, name);
    assert.deepEqual(body.scopes_supported, ['leads:write', 'tickets:read', 'tickets:write', 'jobs:read', 'properties:read', 'estimates:read', 'invoices:read', 'contacts:read', 'webhooks:manage']);
  });
}
