import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { callMe, createWorld, mergeCookies, hiddenFields, refresh, sessionCookieFor, tokenRequest, tokensFor, type OAuthWorld } from './support/oauth-fixtures.ts';
import { addMembership, createPerson } from '../src/platform/tenancy/tenancy.ts';
import { createClient } from '../src/platform/oauth/clients.ts';
import { ClientInputError } from '../src/platform/oauth/client-input.ts';

let t: TestApp;
let world: OAuthWorld;
let cookie: string;

before(async () => {
  t = await startTestApp();
  world = await createWorld(t);
  cookie = await sessionCookieFor(t, world.owner);
});
after(() => t.close());

/** GETs a page, then posts its form with the page's CSRF token, as a browser would. */
async function submitForm(pageUrl: string, action: string, fields: Record<string, string | string[]>, as = cookie) {
  const pageRes = await t.app.inject({ url: pageUrl, headers: { cookie: as } });
  const jar = mergeCookies(as, pageRes.headers['set-cookie']);
  const form = new URLSearchParams({ _csrf: hiddenFields(pageRes.body)._csrf ?? '' });
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
  return t.app.inject({ method: 'POST', url: action, headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
}

const validApp = {
  api: 'blueclerk',
  name: 'Zap connector',
  description: 'Moves data',
  redirect_uris: 'https://zap.example/cb\r\nhttp://localhost:3000/cb',
  scopes: ['jobs:read', 'invoices:read'],
  contact_email: 'zap@example.com',
  logo_url: 'https://zap.example/logo.png',
};

async function createViaPortal(fields: Record<string, string | string[]> = validApp) {
  const res = await submitForm('/developers/apps/new?api=blueclerk', '/developers/apps', fields);
  const clientId = /data-field="client_id">([^<]+)</.exec(res.body)?.[1];
  const clientSecret = /data-field="client_secret">([^<]+)</.exec(res.body)?.[1];
  const appId = /href="\/developers\/apps\/([^"]+)">Go to the app/.exec(res.body)?.[1];
  return { res, clientId, clientSecret, appId };
}

test('the developer portal needs a signed-in person', async () => {
  const res = await t.app.inject({ url: '/developers' });
  assert.equal(res.statusCode, 303);
  assert.match(String(res.headers.location), /^\/login\?next=%2Fdevelopers$/);
});

test('creating an app shows client_id and client_secret at once, and the secret only then', async () => {
  const created = await createViaPortal();
  assert.equal(created.res.statusCode, 201);
  assert.match(created.clientId ?? '', /^blueclerk_/);
  assert.ok(created.clientSecret && created.clientSecret.length > 40);
  const list = await t.app.inject({ url: '/developers', headers: { cookie } });
  assert.match(list.body, /Zap connector/);
  assert.ok(list.body.includes(created.clientId!));
  const appPage = await t.app.inject({ url: `/developers/apps/${created.appId}`, headers: { cookie } });
  assert.equal(appPage.statusCode, 200);
  assert.ok(!appPage.body.includes(created.clientSecret!), 'the secret is never shown again');
  assert.ok(!list.body.includes(created.clientSecret!));
});

test('invalid app details re-render the form with a message per problem, never a 500', async () => {
  const res = await submitForm('/developers/apps/new?api=blueclerk', '/developers/apps', {
    api: 'blueclerk',
    name: 'x'.repeat(101),
    redirect_uris: ['http://example.com/cb', 'https://a/1', 'https://a/2', 'https://a/3', 'https://a/4', 'https://a/5'].join('\n'),
    contact_email: 'not-an-email',
    logo_url: 'javascript:alert(1)',
  });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /at most 100 characters/);
  assert.match(res.body, /at most 5 redirect URIs/);
  assert.match(res.body, /must use https/);
  assert.match(res.body, /Choose at least one scope/);
  assert.match(res.body, /contact email/);
  assert.match(res.body, /logo URL must be an https/);
  assert.doesNotMatch(res.body, /src="javascript:/);
  assert.match(res.body, /value="x{101}"/, 'what was typed is kept');
});

test('a form post without its CSRF token is refused with a page', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/developers/apps', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(validApp as never).toString() });
  assert.equal(res.statusCode, 403);
  assert.match(String(res.headers['content-type']), /text\/html/);
});

test('"Rotate secret" shows a new secret once and the old one stops working at once', async () => {
  const created = await createViaPortal();
  const res = await submitForm(`/developers/apps/${created.appId}`, `/developers/apps/${created.appId}/rotate-secret`, {});
  assert.equal(res.statusCode, 200);
  const newSecret = /data-field="client_secret">([^<]+)</.exec(res.body)?.[1];
  assert.ok(newSecret && newSecret !== created.clientSecret);
  const attempt = (secret: string) => tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'bc_rt_none', client_id: created.clientId!, client_secret: secret });
  assert.equal((await attempt(created.clientSecret!)).json().error, 'invalid_client');
  assert.equal((await attempt(newSecret)).json().error, 'invalid_grant', 'the new secret authenticates');
});

test("the app page shows how many companies authorized it, and another developer cannot see, rotate or delete it", async () => {
  const w = await createWorld(t);
  await tokensFor(t, w, w.paid.id);
  await tokensFor(t, w, w.paid.id);
  const ownerCookie = await sessionCookieFor(t, w.owner);
  const page = await t.app.inject({ url: `/developers/apps/${w.app.id}`, headers: { cookie: ownerCookie } });
  assert.match(page.body, /data-field="authorized-companies">1</);
  const strangerCookie = await sessionCookieFor(t, w.stranger);
  assert.equal((await t.app.inject({ url: `/developers/apps/${w.app.id}`, headers: { cookie: strangerCookie } })).statusCode, 404);
  assert.equal((await submitForm('/developers', `/developers/apps/${w.app.id}/rotate-secret`, {}, strangerCookie)).statusCode, 404);
  assert.equal((await submitForm('/developers', `/developers/apps/${w.app.id}/delete`, {}, strangerCookie)).statusCode, 404);
});

test('deleting an app ends its authorizations and tokens', async () => {
  const w = await createWorld(t);
  const tokens = await tokensFor(t, w);
  const res = await submitForm(`/developers/apps/${w.app.id}`, `/developers/apps/${w.app.id}/delete`, {}, await sessionCookieFor(t, w.owner));
  assert.equal(res.statusCode, 303);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 401);
  assert.equal((await refresh(t, w, tokens.refresh_token)).json().error, 'invalid_client');
  const rows = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM oauth_grants WHERE client_row_id = $1', [w.app.id]);
  assert.equal(rows.rows[0].n, 0);
});

test('createClient (what `opsbase app create` calls) returns client_id and client_secret', async () => {
  const created = await createClient(t.ctx, { api: 'blueclerk', ownerEmail: world.owner.email, name: 'CLI app', redirectUris: ['https://cli.example/cb'], scopes: ['leads:write', 'jobs:read'] });
  assert.match(created.clientId, /^blueclerk_/);
  const res = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'bc_rt_none', client_id: created.clientId, client_secret: created.clientSecret });
  assert.equal(res.json().error, 'invalid_grant', 'the credentials authenticate');
  await assert.rejects(
    createClient(t.ctx, { api: 'blueclerk', ownerEmail: world.owner.email, name: 'Bad', redirectUris: [], scopes: ['read_customers'] }),
    (error: unknown) => error instanceof ClientInputError && error.problems.some((p) => p.field === 'scopes') && error.problems.some((p) => p.field === 'redirectUris'),
  );
  await assert.rejects(createClient(t.ctx, { api: 'nope', ownerEmail: world.owner.email, name: 'x', redirectUris: ['https://x.example/cb'], scopes: ['jobs:read'] }), ClientInputError);
});

test("a company's owner sees each authorization on Connected apps (app, scopes, who, when) and revokes it", async () => {
  const w = await createWorld(t);
  const tokens = await tokensFor(t, w);
  const ownerCookie = await sessionCookieFor(t, w.owner);
  const url = `/companies/${w.paid.id}/connected-apps`;
  const page = await t.app.inject({ url, headers: { cookie: ownerCookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /leads2jobs/);
  assert.match(page.body, /<code>leads:write<\/code>/);
  assert.match(page.body, /Joe Smith/);
  assert.match(page.body, /\d{4}-\d\d-\d\dT/);
  const grantId = /connected-apps\/([^/]+)\/revoke/.exec(page.body)?.[1];
  assert.ok(grantId);
  const res = await submitForm(url, `${url}/${grantId}/revoke`, {}, ownerCookie);
  assert.equal(res.statusCode, 303);
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 401);
  assert.equal((await refresh(t, w, tokens.refresh_token)).json().error, 'invalid_grant');
  assert.doesNotMatch((await t.app.inject({ url, headers: { cookie: ownerCookie } })).body, /leads2jobs/);
});

test("another company's person, or a plain member, cannot see or revoke a company's connected apps", async () => {
  const w = await createWorld(t);
  const tokens = await tokensFor(t, w);
  const url = `/companies/${w.paid.id}/connected-apps`;
  const member = await createPerson(t.ctx.db.orm, { email: `member-${w.app.id}@example.com`, password: 'correct horse battery staple', name: 'Mem Ber' });
  await addMembership(t.ctx.db.orm, { companyId: w.paid.id, personId: member.id, role: 'member' });
  for (const person of [w.stranger, member]) {
    const as = await sessionCookieFor(t, person);
    const page = await t.app.inject({ url, headers: { cookie: as } });
    assert.equal(page.statusCode, 404);
    assert.doesNotMatch(page.body, /leads2jobs/);
    const grant = await t.ctx.db.pool.query('SELECT id FROM oauth_grants WHERE company_id = $1', [w.paid.id]);
    assert.equal((await submitForm('/connected-apps', `${url}/${grant.rows[0].id}/revoke`, {}, as)).statusCode, 404);
  }
  assert.equal((await callMe(t, tokens.access_token)).statusCode, 200);
});

test('an admin may manage connected apps too', async () => {
  const admin = await createPerson(t.ctx.db.orm, { email: 'admin-ca@example.com', password: 'correct horse battery staple', name: 'Ad Min' });
  await addMembership(t.ctx.db.orm, { companyId: world.paid.id, personId: admin.id, role: 'admin' });
  const res = await t.app.inject({ url: `/companies/${world.paid.id}/connected-apps`, headers: { cookie: await sessionCookieFor(t, admin) } });
  assert.equal(res.statusCode, 200);
  const index = await t.app.inject({ url: '/connected-apps', headers: { cookie: await sessionCookieFor(t, admin) } });
  assert.ok(index.body.includes(`/companies/${world.paid.id}/connected-apps`));
});
