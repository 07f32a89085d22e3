import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { bcProperties } from '../src/apis/blueclerk/schema.ts';
import { addMembership, createPerson, roleIn, type Person } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { authorizeQuery, createWorld, mergeCookies, openConsent, PASSWORD, pkcePair, sessionCookieFor, submitConsent, type OAuthWorld } from './support/oauth-fixtures.ts';

/**
 * The platform's read-only role, `viewer`: a viewer reads a company's data and changes none of it, in
 * every API (Clevertim's write refusals are in clevertim-api.test.ts). Nor can a viewer hand an app
 * the right to change it: OAuth consent offers only companies where the person may write.
 */
let t: TestApp;
let world: OAuthWorld;
let viewer: Person;
before(async () => {
  t = await startTestApp();
  world = await createWorld(t);
  viewer = await createPerson(t.ctx.db.orm, { email: 'vera.viewer@example.com', password: PASSWORD, name: 'Vera Viewer' });
  await addMembership(t.ctx.db.orm, { companyId: world.paid.id, personId: viewer.id, role: 'viewer' });
});
after(() => t.close());

test('viewer is a role a membership can have', async () => {
  assert.equal(await roleIn(t.ctx.db.orm, viewer.id, world.paid.id), 'viewer');
});

test('a viewer opens the company’s BlueClerk record pages but their forms are refused with 403, and nothing is written', async () => {
  const cookie = await sessionCookieFor(t, viewer);
  const base = `/blueclerk/console/companies/${world.paid.id}`;
  const page = await t.app.inject({ url: `${base}/properties`, headers: { cookie } });
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the page carries a CSRF token');
  const before = (await t.ctx.db.orm.select().from(bcProperties).where(eq(bcProperties.companyId, world.paid.id))).length;
  const post = await t.app.inject({
    method: 'POST',
    url: `${base}/properties`,
    headers: { cookie: mergeCookies(cookie, page.headers['set-cookie']), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, address: '1 Viewer Lane' }).toString(),
  });
  assert.equal(post.statusCode, 403, post.body.slice(0, 300));
  assert.match(post.body, /Read only/);
  assert.equal((await t.ctx.db.orm.select().from(bcProperties).where(eq(bcProperties.companyId, world.paid.id))).length, before);
});

test('OAuth consent offers a viewer no company to connect, and a forged choice of it is refused', async () => {
  const { challenge } = pkcePair();
  const cookie = await sessionCookieFor(t, viewer);
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.html, new RegExp(world.paid.id), 'the company is not offered');
  const forged = await submitConsent(t, { ...page, fields: { ...page.fields } }, 'allow', world.paid.id);
  assert.ok(!String(forged.headers.location ?? '').includes('code='), 'no authorization code for a viewer');
});

test('a person who writes in one company and views another may connect only the first', async () => {
  const { challenge } = pkcePair();
  await addMembership(t.ctx.db.orm, { companyId: world.otherPaid.id, personId: viewer.id, role: 'member' });
  const cookie = await sessionCookieFor(t, viewer);
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge));
  assert.match(page.html, new RegExp(world.otherPaid.id));
  assert.doesNotMatch(page.html, new RegExp(world.paid.id));
  const refused = await submitConsent(t, page, 'allow', world.paid.id);
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Choose one of your companies/);
  const allowed = await submitConsent(t, page, 'allow', world.otherPaid.id);
  assert.match(String(allowed.headers.location), /[?&]code=/);
});
