import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { authorizeQuery, createWorld, openConsent, pkcePair, REDIRECT_URI, sessionCookieFor, submitConsent, type OAuthWorld } from './support/oauth-fixtures.ts';
import { addMembership, createPerson } from '../src/platform/tenancy/tenancy.ts';

let t: TestApp;
let world: OAuthWorld;
let cookie: string;
const { challenge } = pkcePair();

before(async () => {
  t = await startTestApp({ env: { PUBLIC_URL: 'https://ops.example' } });
  world = await createWorld(t);
  cookie = await sessionCookieFor(t, world.owner);
});
after(() => t.close());

function redirectParams(location: string | undefined): URLSearchParams {
  assert.ok(location, 'expected a redirect');
  assert.ok(location.startsWith(`${REDIRECT_URI}?`), `redirected to ${location}`);
  return new URL(location).searchParams;
}

test('a person who is not signed in is sent to sign in and brought back to the same authorization request', async () => {
  const query = authorizeQuery(world, challenge);
  const res = await t.app.inject({ url: `/blueclerk/oauth/authorize?${query}` });
  assert.equal(res.statusCode, 303);
  const location = new URL(String(res.headers.location), 'https://ops.example');
  assert.equal(location.pathname, '/login');
  assert.equal(location.searchParams.get('next'), `/blueclerk/oauth/authorize?${query}`);
});

test('the consent page shows the app name, logo, contact, each scope in plain words, a company chooser, Allow and Deny', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  assert.equal(page.status, 200);
  assert.match(page.html, /leads2jobs wants to access your BlueClerk account/);
  assert.match(page.html, /<img class="logo" src="https:\/\/leads2jobs.example\/logo.png"/);
  assert.match(page.html, /dev@leads2jobs.example/);
  assert.match(page.html, /Push leads into your account/);
  assert.match(page.html, /See your jobs/);
  assert.doesNotMatch(page.html, /See your invoices/, 'only the requested scopes are listed');
  assert.match(page.html, new RegExp(`type="radio" name="company_id" value="${world.paid.id}"`));
  assert.match(page.html, new RegExp(`type="radio" name="company_id" value="${world.trial.id}"`));
  assert.match(page.html, /value="allow"[^>]*>Allow</);
  assert.match(page.html, /value="deny"[^>]*>Deny</);
  assert.ok(page.fields._csrf, 'the form carries a CSRF token');
});

test('the consent page cannot be framed', async () => {
  const res = await t.app.inject({ url: `/blueclerk/oauth/authorize?${authorizeQuery(world, challenge)}`, headers: { cookie } });
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
});

test("the seed's `+`-separated scope list is read as space-separated scopes", async () => {
  const query = authorizeQuery(world, challenge, { scope: undefined }) + '&scope=leads:write+jobs:read';
  const page = await openConsent(t, cookie, query);
  assert.equal(page.status, 200);
  assert.equal(page.fields.scope, 'leads:write jobs:read');
});

test('Allow redirects with code, state and iss', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  const res = await submitConsent(t, page, 'allow', world.paid.id);
  assert.equal(res.statusCode, 303);
  const params = redirectParams(res.headers.location as string);
  assert.match(params.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.equal(params.get('state'), 'xyz-state');
  assert.equal(params.get('iss'), 'https://ops.example/blueclerk');
});

test('Deny redirects with error=access_denied, state and iss', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  const res = await submitConsent(t, page, 'deny');
  const params = redirectParams(res.headers.location as string);
  assert.equal(params.get('error'), 'access_denied');
  assert.equal(params.get('state'), 'xyz-state');
  assert.equal(params.get('iss'), 'https://ops.example/blueclerk');
  assert.equal(params.get('code'), null);
});

test('a trial company cannot authorize: the page says a paid plan is required and its link redirects with error=plan_required', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  const res = await submitConsent(t, page, 'allow', world.trial.id);
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /A paid plan is required/);
  const link = /href="([^"]+)">Return to leads2jobs/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
  const params = redirectParams(link);
  assert.equal(params.get('error'), 'plan_required');
  assert.equal(params.get('state'), 'xyz-state');
  assert.equal(params.get('code'), null);
});

test('the decision must name a company the person belongs to', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  const res = await submitConsent(t, page, 'allow', world.otherPaid.id);
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /Choose one of your companies/);
  assert.equal(res.headers.location, undefined);
});

test('the decision re-checks the whole request: a tampered redirect_uri is refused on the page', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  page.fields.redirect_uri = 'https://attacker.example/cb';
  const res = await submitConsent(t, page, 'allow', world.paid.id);
  assert.equal(res.statusCode, 400);
  assert.equal(res.headers.location, undefined);
});

test('the decision needs the CSRF token of the consent form', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  page.fields._csrf = 'forged';
  const res = await submitConsent(t, page, 'allow', world.paid.id);
  assert.equal(res.statusCode, 403);
  assert.equal(res.headers.location, undefined);
  assert.match(String(res.headers['content-type']), /text\/html/);
});

test('a person with no company is told so', async () => {
  const loner = await createPerson(t.ctx.db.orm, { email: 'loner@example.com', password: 'correct horse battery staple', name: 'Lone Ranger' });
  const page = await openConsent(t, await sessionCookieFor(t, loner), authorizeQuery(world, challenge));
  assert.equal(page.status, 200);
  assert.match(page.html, /You are not a member of any company/);
});

test('a person with one company sees it named, without a chooser', async () => {
  const single = await createPerson(t.ctx.db.orm, { email: 'single@example.com', password: 'correct horse battery staple', name: 'Single Co' });
  await addMembership(t.ctx.db.orm, { companyId: world.paid.id, personId: single.id, role: 'member' });
  const page = await openConsent(t, await sessionCookieFor(t, single), authorizeQuery(world, challenge));
  assert.doesNotMatch(page.html, /type="radio"/);
  assert.equal(page.fields.company_id, world.paid.id);
});

test('an unknown client_id is shown on a page and never redirected', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { client_id: 'blueclerk_nope' }));
  assert.equal(page.status, 400);
  assert.equal(page.location, undefined);
  assert.match(page.html, /No BlueClerk app has the client_id/);
});

test('a redirect_uri that does not exactly match a registered one is shown on a page and never redirected', async () => {
  for (const redirect of [`${REDIRECT_URI}/extra`, `${REDIRECT_URI}?x=1`, REDIRECT_URI.toUpperCase(), 'https://attacker.example/callback']) {
    const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { redirect_uri: redirect }));
    assert.equal(page.status, 400, redirect);
    assert.equal(page.location, undefined, redirect);
    assert.match(page.html, /is not registered/);
  }
});

test('a missing redirect_uri is shown on a page', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { redirect_uri: undefined }));
  assert.equal(page.status, 400);
  assert.equal(page.location, undefined);
});

test('an unknown scope redirects with error=invalid_scope and state', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { scope: 'leads:write read_customers' }));
  assert.equal(page.status, 303);
  const params = redirectParams(page.location);
  assert.equal(params.get('error'), 'invalid_scope');
  assert.equal(params.get('state'), 'xyz-state');
  assert.equal(params.get('iss'), 'https://ops.example/blueclerk');
});

test('a scope the app did not register for redirects with error=invalid_scope', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { scope: 'invoices:read' }));
  assert.equal(redirectParams(page.location).get('error'), 'invalid_scope');
});

test('a response_type other than code redirects with error=unsupported_response_type', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { response_type: 'token' }));
  assert.equal(redirectParams(page.location).get('error'), 'unsupported_response_type');
});

test('a request without PKCE is refused with error=invalid_request', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { code_challenge: undefined, code_challenge_method: undefined }));
  const params = redirectParams(page.location);
  assert.equal(params.get('error'), 'invalid_request');
  assert.match(params.get('error_description') ?? '', /code_challenge/);
});

test('the plain PKCE method, or no method (which means plain), is refused', async () => {
  for (const method of ['plain', undefined]) {
    const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { code_challenge_method: method }));
    const params = redirectParams(page.location);
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description') ?? '', /S256/);
  }
});

test('a code_challenge that is not a base64url SHA-256 is refused', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, { code_challenge: 'short' }));
  assert.equal(redirectParams(page.location).get('error'), 'invalid_request');
});

test('a parameter sent twice is refused', async () => {
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge) + '&scope=jobs:read');
  assert.equal(redirectParams(page.location).get('error'), 'invalid_request');
});
