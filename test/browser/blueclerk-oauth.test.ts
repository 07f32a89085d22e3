import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as oauth from 'oauth4webapi';
import { type BrowserContext } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { addMembership, createCompany, createPerson } from '../../src/platform/tenancy/tenancy.ts';
import { registerClient } from '../../src/platform/oauth/clients.ts';
import { blueClerkOAuth } from '../../src/apis/blueclerk/oauth.ts';

/**
 * The whole BlueClerk authorization code flow as a partner runs it: a real Chromium person consents,
 * and a standard OAuth client library (oauth4webapi) discovers our metadata, validates the redirect
 * (state and RFC 9207 iss), exchanges the code with PKCE, refreshes, and calls the API.
 */
const insecure = { [oauth.allowInsecureRequests]: true };

let t: TestApp;
let chromiumUnderTest: TestBrowser;
let browser: BrowserContext;
let callback: http.Server;
let redirectUri: string;
const callbacks: URL[] = [];

before(async () => {
  t = await startTestApp({ listen: true });
  // The partner app's redirect endpoint: records what it receives.
  callback = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', redirectUri);
    if (url.pathname === '/callback') callbacks.push(url); // not the browser's /favicon.ico
    response.writeHead(200, { 'content-type': 'text/plain' }).end('connected');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  chromiumUnderTest = await launchChromium();
  browser = chromiumUnderTest.context;
});

after(async () => {
  await chromiumUnderTest?.close();
  await new Promise((resolve) => callback?.close(resolve));
  await t?.close();
});

test('a person signs in, chooses one of two companies, allows, and a standard client gets, refreshes and uses the tokens', async () => {
  const orm = t.ctx.db.orm;
  const plumbing = await createCompany(orm, { name: 'Smith Plumbing', plan: 'starter' });
  const electric = await createCompany(orm, { name: 'Smith Electric', plan: 'business' });
  const person = await createPerson(orm, { email: 'joe@smith.example', password: 'correct horse battery staple', name: 'Joe Smith' });
  await addMembership(orm, { companyId: plumbing.id, personId: person.id, role: 'owner' });
  await addMembership(orm, { companyId: electric.id, personId: person.id, role: 'admin' });
  const registered = await registerClient(orm, blueClerkOAuth, person.id, {
    name: 'leads2jobs',
    redirectUris: [redirectUri],
    scopes: ['leads:write', 'jobs:read'],
    contactEmail: 'dev@leads2jobs.example',
  });

  // Discovery through RFC 8414's well-known location for an issuer with a path.
  const issuer = new URL(`${t.url}/blueclerk`);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  const client: oauth.Client = { client_id: registered.clientId };
  const clientAuth = oauth.ClientSecretPost(registered.clientSecret);

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorizationUrl = new URL(as.authorization_endpoint!);
  authorizationUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'leads:write jobs:read',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();

  const page = await browser.newPage();
  try {
    // Not signed in: the authorization endpoint sends the person to sign in, carrying the request along.
    await page.goto(authorizationUrl.toString());
    const signInUrl = new URL(page.url());
    assert.equal(signInUrl.pathname, '/login');
    assert.equal(signInUrl.searchParams.get('next'), `${authorizationUrl.pathname}${authorizationUrl.search}`);

    // The person signs in on the console's form and comes back to the same request.
    await page.getByLabel('Email').fill('joe@smith.example');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await Promise.all([page.waitForURL((url) => url.pathname === authorizationUrl.pathname), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.equal(new URL(page.url()).search, authorizationUrl.search, 'the whole authorization request survived sign-in');

    await page.getByRole('heading', { name: 'leads2jobs wants to access your BlueClerk account' }).waitFor();
    assert.ok(await page.getByText('Push leads into your account').isVisible());
    await page.getByLabel('Smith Electric').check();
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(redirectUri)), page.getByRole('button', { name: 'Allow' }).click()]);
  } finally {
    await page.close();
  }

  assert.equal(callbacks.length, 1);
  const params = oauth.validateAuthResponse(as, client, callbacks[0]!, state);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, verifier, insecure));
  assert.match(tokens.access_token, /^bc_at_/);
  assert.match(tokens.refresh_token ?? '', /^bc_rt_/);
  assert.equal(tokens.token_type, 'bearer');
  assert.equal(tokens.expires_in, 3600);
  assert.equal(tokens.scope, 'leads:write jobs:read');

  const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure));
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

  const me = await oauth.protectedResourceRequest(refreshed.access_token, 'GET', new URL(`${t.url}/blueclerk/api/v1/me`), undefined, undefined, insecure);
  assert.equal(me.status, 200);
  const body = await me.json();
  assert.equal(body.company.id, electric.id, 'the company the person chose');
  assert.equal(body.company.plan, 'BUSINESS');
  assert.equal(body.user.email, 'joe@smith.example');
  assert.equal(body.clientId, registered.clientId);
  assert.deepEqual(body.scopes, ['leads:write', 'jobs:read']);
});
