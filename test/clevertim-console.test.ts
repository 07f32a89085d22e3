import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { apiTokens } from '../src/platform/credentials/schema.ts';
import { sha256 } from '../src/platform/ids.ts';
import { addMembership, createCompany, createPerson, type Company, type Person } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { hiddenFields, mergeCookies, PASSWORD, sessionCookieFor } from './support/oauth-fixtures.ts';
import { basic } from './support/clevertim-fixtures.ts';

/**
 * The console page "My Info & Settings" (seed "Authentication"): a person sees their Clevertim details
 * and API token for a company and regenerates it with a CSRF-protected form; the token is shown once,
 * works at once, and regenerating ends the old one at once.
 */
let t: TestApp;
let company: Company;
let stranger: Company;
let mia: Person;
let vic: Person;
before(async () => {
  t = await startTestApp();
  company = await createCompany(t.ctx.db.orm, { name: 'Settings Plumbing', plan: 'starter' });
  stranger = await createCompany(t.ctx.db.orm, { name: 'Not Yours Ltd', plan: 'starter' });
  mia = await createPerson(t.ctx.db.orm, { email: 'mia@settings.test', password: PASSWORD, name: 'Mia Member' });
  vic = await createPerson(t.ctx.db.orm, { email: 'vic@settings.test', password: PASSWORD, name: 'Vic Viewer' });
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: mia.id, role: 'member' });
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: vic.id, role: 'viewer' });
});
after(() => t.close());

const pagePath = (companyId: string) => `/clevertim/console/companies/${companyId}/settings`;

async function openPage(cookie: string, companyId = company.id) {
  const res = await t.app.inject({ url: pagePath(companyId), headers: { cookie } });
  return { res, cookie: mergeCookies(cookie, res.headers['set-cookie']), fields: hiddenFields(res.body) };
}

async function regenerate(page: { cookie: string; fields: Record<string, string> }, companyId = company.id, csrf: string | null = page.fields._csrf ?? null) {
  return t.app.inject({
    method: 'POST',
    url: `${pagePath(companyId)}/token`,
    headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(csrf === null ? {} : { _csrf: csrf }).toString(),
  });
}

const tokenOn = (html: string) => /<code data-field="token">([A-Za-z0-9]+)<\/code>/.exec(html)?.[1] ?? null;
const callApi = (token: string) => t.app.inject({ url: '/clevertim/api/contact', headers: { authorization: basic(token) } });

test('signed out, the page sends the person to sign in and back', async () => {
  const res = await t.app.inject({ url: pagePath(company.id) });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `/login?next=${encodeURIComponent(pagePath(company.id))}`);
});

test('the page shows the person’s details in the company and that there is no token yet', async () => {
  const { res } = await openPage(await sessionCookieFor(t, mia));
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  assert.match(res.body, /<h1>My Info &amp; Settings<\/h1>/);
  assert.match(res.body, /<dd data-field="name">Mia Member<\/dd>/);
  assert.match(res.body, /<dd data-field="email">mia@settings.test<\/dd>/);
  assert.match(res.body, /<dd data-field="role">member<\/dd>/);
  assert.match(res.body, /<dd data-field="user-id"><code>\d+<\/code><\/dd>/);
  assert.match(res.body, /You have no API token for this company yet/);
  assert.match(res.body, />Generate<\/button>/);
  assert.equal(tokenOn(res.body), null);
});

test('Generate shows the token once; it works for the API at once; afterwards the page names it by its last characters only', async () => {
  const cookie = await sessionCookieFor(t, mia);
  const page = await openPage(cookie);
  const res = await regenerate(page);
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  assert.equal(res.headers['cache-control'], 'no-store');
  const token = tokenOn(res.body);
  assert.ok(token && token.length >= 30, 'the new token is on the page');
  assert.ok(res.body.includes(`curl -u ${token}:X`), 'with a curl line to try it');
  assert.equal((await callApi(token)).statusCode, 200);
  const [row] = await t.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.personId, mia.id));
  assert.equal(row!.tokenHash, sha256(token), 'only the hash is stored');

  const again = await openPage(cookie);
  assert.equal(tokenOn(again.res.body), null, 'not shown again');
  assert.ok(again.res.body.includes(`<code>${token.slice(-4)}</code>`), 'named by its last four characters');
  assert.match(again.res.body, />Regenerate<\/button>/);
});

test('Regenerate ends the old token at once', async () => {
  const cookie = await sessionCookieFor(t, mia);
  const first = tokenOn((await regenerate(await openPage(cookie))).body)!;
  const second = tokenOn((await regenerate(await openPage(cookie))).body)!;
  assert.notEqual(first, second);
  assert.equal((await callApi(first)).statusCode, 401);
  assert.equal((await callApi(second)).statusCode, 200);
});

test('without the form’s CSRF token nothing changes', async () => {
  const cookie = await sessionCookieFor(t, mia);
  const page = await openPage(cookie);
  const before = await t.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.personId, mia.id));
  for (const csrf of [null, 'forged-token']) {
    const res = await regenerate(page, company.id, csrf);
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /This form has expired/);
  }
  assert.deepEqual(await t.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.personId, mia.id)), before);
});

test('a company the person is not a member of has no such page, and no token is made for it', async () => {
  const cookie = await sessionCookieFor(t, mia);
  const other = await openPage(cookie, stranger.id);
  assert.equal(other.res.statusCode, 404);
  const mine = await openPage(cookie);
  const res = await regenerate(mine, stranger.id);
  assert.equal(res.statusCode, 404);
  const rows = await t.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.companyId, stranger.id));
  assert.deepEqual(rows, []);
});

test('a viewer has the page and a token too, and is told the API will only let them read', async () => {
  const cookie = await sessionCookieFor(t, vic);
  const page = await openPage(cookie);
  assert.match(page.res.body, /read-only: the API refuses your changes/);
  const token = tokenOn((await regenerate(page)).body)!;
  assert.equal((await callApi(token)).statusCode, 200);
  const write = await t.app.inject({ method: 'POST', url: '/clevertim/api/contact', headers: { authorization: basic(token), 'content-type': 'application/json' }, payload: '{"fn":"Nope"}' });
  assert.equal(write.statusCode, 403);
});

test('the console home links each company to its Clevertim settings page', async () => {
  const res = await t.app.inject({ url: '/', headers: { cookie: await sessionCookieFor(t, mia) } });
  assert.equal(res.statusCode, 200);
  assert.ok(res.body.includes(`href="${pagePath(company.id)}">Clevertim: My Info &amp; Settings</a>`), 'the link is beside the company');
});
