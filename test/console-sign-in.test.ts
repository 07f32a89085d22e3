import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { hiddenFields, mergeCookies } from './support/oauth-fixtures.ts';
import { addMembership, createCompany, createPerson, type Person } from '../src/platform/tenancy/tenancy.ts';
import { sha256 } from '../src/platform/ids.ts';
import { purgeExpiredSessions, safeNextPath } from '../src/platform/console/sessions.ts';
import { MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_EMAIL, purgeOldSignInFailures, throttleKeys } from '../src/platform/console/sign-in-throttle.ts';

const PASSWORD = 'correct horse battery staple';
let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

let n = 0;
async function person(name = 'Joe Smith'): Promise<Person> {
  return createPerson(t.ctx.db.orm, { email: `person${++n}-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, name });
}

/** A fresh client address per test, so the per-address counter of one test never affects another. */
let addresses = 0;
function newAddress(): string {
  addresses++;
  return `198.51.100.${addresses}`;
}

interface Browser {
  cookie: string;
  address: string;
}

/** Opens the sign-in page as a browser would: the page's CSRF token, and the cookies it set. */
async function openLogin(app: TestApp, browser: Browser, next?: string) {
  const url = next === undefined ? '/login' : `/login?next=${encodeURIComponent(next)}`;
  const res = await app.app.inject({ url, headers: { cookie: browser.cookie }, remoteAddress: browser.address });
  browser.cookie = mergeCookies(browser.cookie, res.headers['set-cookie']);
  return { res, fields: hiddenFields(res.body) };
}

/** Fills in and submits the sign-in form; the browser keeps any cookie it is given. */
async function signIn(email: string, password: string, options: { browser?: Browser; next?: string; app?: TestApp } = {}) {
  const app = options.app ?? t;
  const browser = options.browser ?? { cookie: '', address: newAddress() };
  const { fields } = await openLogin(app, browser, options.next);
  const res = await app.app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, email, password }).toString(),
    remoteAddress: browser.address,
  });
  browser.cookie = mergeCookies(browser.cookie, res.headers['set-cookie']);
  return { res, browser };
}

function sessionCookieHeader(setCookie: string | string[] | undefined): string | undefined {
  return [setCookie ?? []].flat().find((c) => c.startsWith('opsbase_session='));
}

async function postWithCsrf(browser: Browser, pageUrl: string, action: string) {
  const page = await t.app.inject({ url: pageUrl, headers: { cookie: browser.cookie }, remoteAddress: browser.address });
  browser.cookie = mergeCookies(browser.cookie, page.headers['set-cookie']);
  const res = await t.app.inject({
    method: 'POST',
    url: action,
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: hiddenFields(page.body)._csrf ?? '' }).toString(),
    remoteAddress: browser.address,
  });
  browser.cookie = mergeCookies(browser.cookie, res.headers['set-cookie']);
  return res;
}

test('the sign-in page has fields labelled Email and Password, a Sign in button and a CSRF token', async () => {
  const { res, fields } = await openLogin(t, { cookie: '', address: newAddress() });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<label for="email">Email<\/label>\s*<input id="email" name="email" type="email"/);
  assert.match(res.body, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
  assert.match(res.body, /<button type="submit" class="primary">Sign in<\/button>/);
  assert.ok((fields._csrf ?? '').length > 20, 'the form carries a CSRF token');
  assert.equal(fields.next, '/');
});

test('pages cannot be framed and their CSP allows the console stylesheet, which is served with a cache header', async () => {
  const page = await t.app.inject({ url: '/login' });
  assert.equal(page.headers['x-frame-options'], 'DENY');
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /style-src 'self'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.match(page.body, /<link rel="stylesheet" href="\/console\/assets\/console.css">/);

  const css = await t.app.inject({ url: '/console/assets/console.css' });
  assert.equal(css.statusCode, 200);
  assert.match(String(css.headers['content-type']), /^text\/css/);
  assert.match(String(css.headers['cache-control']), /max-age=\d+/);
  assert.match(css.body, /\.card\s*\{/);
  const again = await t.app.inject({ url: '/console/assets/console.css', headers: { 'if-none-match': String(css.headers.etag) } });
  assert.equal(again.statusCode, 304);
});

test('a wrong password and an unknown email get the same message and 401; the email is kept, the password is not', async () => {
  const joe = await person();
  const wrongPassword = await signIn(joe.email, 'not-the-password-123');
  const unknownEmail = await signIn('nobody-here@example.com', 'not-the-password-123');
  for (const { res } of [wrongPassword, unknownEmail]) {
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /<p class="error" role="alert">Email or password is incorrect\.<\/p>/);
    assert.doesNotMatch(res.body, /not-the-password-123/);
    assert.equal(sessionCookieHeader(res.headers['set-cookie']), undefined);
  }
  assert.match(wrongPassword.res.body, new RegExp(`value="${joe.email}"`));
  assert.match(unknownEmail.res.body, /value="nobody-here@example.com"/);
});

test('an empty email or password is asked for again without counting as a failed sign-in', async () => {
  const browser = { cookie: '', address: newAddress() };
  const { res } = await signIn('', '', { browser });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /Enter your email and password/);
  const [row] = (await t.ctx.db.pool.query(`SELECT failures FROM sign_in_failures WHERE key = $1`, [`address:${browser.address}`])).rows;
  assert.equal(row, undefined);
});

test('signing in sets an HttpOnly SameSite session cookie (not Secure over http) and goes to next', async () => {
  const joe = await person();
  const { res } = await signIn(joe.email.toUpperCase(), PASSWORD, { next: '/developers?x=1' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/developers?x=1');
  const cookie = sessionCookieHeader(res.headers['set-cookie']);
  assert.ok(cookie, 'a session cookie is set');
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Lax/);
  assert.match(cookie, /; Path=\//);
  assert.doesNotMatch(cookie, /; Secure/);
});

test('the session cookie is Secure when PUBLIC_URL is https', async () => {
  const secure = await startTestApp({ env: { PUBLIC_URL: 'https://ops.example' } });
  try {
    const ann = await createPerson(secure.ctx.db.orm, { email: 'ann@ops.example', password: PASSWORD, name: 'Ann' });
    const { res } = await signIn(ann.email, PASSWORD, { app: secure });
    assert.equal(res.statusCode, 303);
    const cookie = sessionCookieHeader(res.headers['set-cookie']);
    assert.match(cookie ?? '', /; Secure/);
    assert.match(cookie ?? '', /; HttpOnly/);
    assert.match(cookie ?? '', /; SameSite=Lax/);
  } finally {
    await secure.close();
  }
});

test('next may only name a path on this site: anything else goes to /', async () => {
  const joe = await person();
  const { res } = await signIn(joe.email, PASSWORD, { next: '//evil.example' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/');
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', 'javascript:alert(1)', '/caf\u00e9']) {
    assert.equal(safeNextPath(next), '/', JSON.stringify(next));
  }
  assert.equal(safeNextPath('/blueclerk/oauth/authorize?client_id=a&scope=jobs%3Aread'), '/blueclerk/oauth/authorize?client_id=a&scope=jobs%3Aread');
});

test('the OAuth consent screen\'s next (a full authorization request) survives sign-in', async () => {
  const joe = await person();
  const next = '/blueclerk/oauth/authorize?response_type=code&client_id=blueclerk_x&redirect_uri=https%3A%2F%2Fp.example%2Fcb&scope=jobs%3Aread&state=s';
  const { res } = await signIn(joe.email, PASSWORD, { next });
  assert.equal(res.headers.location, next);
});

test('a signed-in person who opens /login goes to next, or to the console home', async () => {
  const joe = await person();
  const { browser } = await signIn(joe.email, PASSWORD);
  const plain = await t.app.inject({ url: '/login', headers: { cookie: browser.cookie } });
  assert.equal(plain.statusCode, 303);
  assert.equal(plain.headers.location, '/');
  const withNext = await t.app.inject({ url: '/login?next=%2Fdevelopers', headers: { cookie: browser.cookie } });
  assert.equal(withNext.headers.location, '/developers');
});

test('a sign-in without the CSRF token is refused with 403 and signs nobody in', async () => {
  const joe = await person();
  const browser = { cookie: '', address: newAddress() };
  await openLogin(t, browser);
  const res = await t.app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email: joe.email, password: PASSWORD }).toString(),
    remoteAddress: browser.address,
  });
  assert.equal(res.statusCode, 403);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /This form has expired/);
  assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
  assert.equal(sessionCookieHeader(res.headers['set-cookie']), undefined);
  const { rows } = await t.ctx.db.pool.query(`SELECT count(*)::int AS n FROM web_sessions WHERE person_id = $1`, [joe.id]);
  assert.equal(rows[0].n, 0);
});

test('a malformed form is answered with a page, not a stack trace', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.doesNotMatch(res.body, /at .*\.ts:\d+|SyntaxError/);
});

test(`after ${MAX_FAILURES_PER_EMAIL} failures an email is throttled, even with the right password; other emails are not`, async () => {
  const joe = await person();
  const ann = await person('Ann Jones');
  const browser = { cookie: '', address: newAddress() };
  for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
    assert.equal((await signIn(joe.email, `wrong-password-${i}`, { browser })).res.statusCode, 401);
  }
  const throttled = await signIn(joe.email, PASSWORD, { browser });
  assert.equal(throttled.res.statusCode, 429);
  assert.match(throttled.res.body, /Too many failed sign-ins; try again in 15 minutes/);
  assert.ok(Number(throttled.res.headers['retry-after']) > 14 * 60);
  assert.equal(sessionCookieHeader(throttled.res.headers['set-cookie']), undefined);
  assert.match(throttled.res.body, new RegExp(`value="${joe.email}"`), 'the email is kept');

  const other = await signIn(ann.email, PASSWORD, { browser: { cookie: '', address: browser.address } });
  assert.equal(other.res.statusCode, 303, 'another email from the same address is unaffected');

  // The window passes.
  await t.ctx.db.pool.query(`UPDATE sign_in_failures SET window_start = window_start - interval '16 minutes' WHERE key = $1`, [throttleKeys(joe.email, browser.address).email]);
  const later = await signIn(joe.email, PASSWORD, { browser });
  assert.equal(later.res.statusCode, 303);
  assert.ok(sessionCookieHeader(later.res.headers['set-cookie']));
});

test('a successful sign-in clears the email\'s failures', async () => {
  const joe = await person();
  const browser = { cookie: '', address: newAddress() };
  for (let i = 0; i < MAX_FAILURES_PER_EMAIL - 1; i++) await signIn(joe.email, 'wrong-password', { browser });
  assert.equal((await signIn(joe.email, PASSWORD, { browser: { cookie: '', address: browser.address } })).res.statusCode, 303);
  const key = throttleKeys(joe.email, browser.address).email;
  const { rows } = await t.ctx.db.pool.query(`SELECT failures FROM sign_in_failures WHERE key = $1`, [key]);
  assert.equal(rows.length, 0);
  for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) assert.equal((await signIn(joe.email, 'wrong-password', { browser })).res.statusCode, 401);
});

test('parallel guesses are counted atomically: exactly the allowed number reach the password check', async () => {
  const joe = await person();
  const attempts = await Promise.all(
    Array.from({ length: MAX_FAILURES_PER_EMAIL * 2 }, () => signIn(joe.email, 'wrong-password', { browser: { cookie: '', address: newAddress() } })),
  );
  const statuses = attempts.map((a) => a.res.statusCode).sort();
  assert.deepEqual(statuses, [...Array(MAX_FAILURES_PER_EMAIL).fill(401), ...Array(MAX_FAILURES_PER_EMAIL).fill(429)]);
});

test(`a client address is throttled after ${MAX_FAILURES_PER_ADDRESS} failures, whatever the emails; other addresses are not`, async () => {
  const joe = await person();
  const browser = { cookie: '', address: '203.0.113.9' };
  for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
    assert.equal((await signIn(`guess${i}@example.com`, 'wrong-password', { browser })).res.statusCode, 401);
  }
  const refused = await signIn(joe.email, PASSWORD, { browser });
  assert.equal(refused.res.statusCode, 429);
  assert.match(refused.res.body, /Too many failed sign-ins/);
  assert.equal((await signIn(joe.email, PASSWORD, { browser: { cookie: '', address: '203.0.113.10' } })).res.statusCode, 303);
});

test('successful sign-ins do not use up the address\'s allowance', async () => {
  const joe = await person();
  const browser = { cookie: '', address: newAddress() };
  for (let i = 0; i < MAX_FAILURES_PER_ADDRESS + 5; i++) {
    assert.equal((await signIn(joe.email, PASSWORD, { browser: { ...browser } })).res.statusCode, 303);
  }
  const { rows } = await t.ctx.db.pool.query(`SELECT failures FROM sign_in_failures WHERE key = $1`, [`address:${browser.address}`]);
  assert.equal(rows[0].failures, 0);
});

test('the session token is stored only as its SHA-256', async () => {
  const joe = await person();
  const { res } = await signIn(joe.email, PASSWORD);
  const token = /^opsbase_session=([^;]+)/.exec(sessionCookieHeader(res.headers['set-cookie']) ?? '')?.[1];
  assert.ok(token && token.length >= 40);
  const { rows } = await t.ctx.db.pool.query(`SELECT * FROM web_sessions WHERE person_id = $1`, [joe.id]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].token_hash, sha256(token));
  assert.ok(!JSON.stringify(rows).includes(token), 'no column holds the raw token');
});

test('signing out ends the session: the old cookie is sent back to sign in', async () => {
  const joe = await person();
  const { browser } = await signIn(joe.email, PASSWORD);
  const oldCookie = browser.cookie;
  assert.equal((await t.app.inject({ url: '/', headers: { cookie: oldCookie } })).statusCode, 200);

  const res = await postWithCsrf(browser, '/', '/logout');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/login');
  assert.match(sessionCookieHeader(res.headers['set-cookie']) ?? '', /^opsbase_session=;.*Expires=Thu, 01 Jan 1970/);

  const replay = await t.app.inject({ url: '/', headers: { cookie: oldCookie } });
  assert.equal(replay.statusCode, 303);
  assert.equal(replay.headers.location, '/login?next=%2F');
  const { rows } = await t.ctx.db.pool.query(`SELECT count(*)::int AS n FROM web_sessions WHERE person_id = $1`, [joe.id]);
  assert.equal(rows[0].n, 0);
});

test('signing out without the CSRF token is refused and the session stays', async () => {
  const joe = await person();
  const { browser } = await signIn(joe.email, PASSWORD);
  const res = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  assert.equal(res.statusCode, 403);
  assert.equal((await t.app.inject({ url: '/', headers: { cookie: browser.cookie } })).statusCode, 200);
});

test('signing in again ends the session the browser had before', async () => {
  const joe = await person();
  const { browser } = await signIn(joe.email, PASSWORD);
  const first = browser.cookie;
  const ann = await person('Ann Jones');
  // /login redirects a signed-in person, so the second sign-in posts the form kept from before.
  const page = await t.app.inject({ url: '/', headers: { cookie: browser.cookie } });
  const res = await t.app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: hiddenFields(page.body)._csrf ?? '', email: ann.email, password: PASSWORD }).toString(),
    remoteAddress: browser.address,
  });
  assert.equal(res.statusCode, 303);
  assert.equal((await t.app.inject({ url: '/', headers: { cookie: first } })).statusCode, 303, 'the first session is gone');
  const { rows } = await t.ctx.db.pool.query(`SELECT count(*)::int AS n FROM web_sessions WHERE person_id = $1`, [joe.id]);
  assert.equal(rows[0].n, 0);
});

test('the console home needs a signed-in person', async () => {
  const res = await t.app.inject({ url: '/' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/login?next=%2F');
});

test('the console home lists the person\'s companies with plan and role, and the console links', async () => {
  const joe = await person();
  const orm = t.ctx.db.orm;
  const plumbing = await createCompany(orm, { name: 'Smith Plumbing', plan: 'starter' });
  const electric = await createCompany(orm, { name: 'Smith Electric', plan: 'business' });
  const others = await createCompany(orm, { name: 'Jones Roofing', plan: 'pro' });
  await addMembership(orm, { companyId: plumbing.id, personId: joe.id, role: 'owner' });
  await addMembership(orm, { companyId: electric.id, personId: joe.id, role: 'member' });
  const { browser } = await signIn(joe.email, PASSWORD);

  const res = await t.app.inject({ url: '/', headers: { cookie: browser.cookie } });
  assert.equal(res.statusCode, 200);
  const row = (id: string) => new RegExp(`<tr data-company="${id}">([\\s\\S]*?)</tr>`).exec(res.body)?.[1] ?? '';
  assert.match(row(plumbing.id), /Smith Plumbing[\s\S]*Starter[\s\S]*Owner/);
  assert.match(row(electric.id), /Smith Electric[\s\S]*Business[\s\S]*Member/);
  assert.doesNotMatch(res.body, /Jones Roofing/);
  assert.ok(!res.body.includes(others.id));
  assert.doesNotMatch(res.body, /not a member of any company/);
  assert.match(res.body, /<a href="\/developers">Developer portal<\/a>/);
  assert.match(res.body, /<a href="\/connected-apps">Connected apps<\/a>/);
  assert.match(res.body, /BlueClerk<\/strong> <code>http:\/\/127\.0\.0\.1:3000\/blueclerk<\/code>/);
  assert.match(res.body, new RegExp(`${joe.email.replace(/\./g, '\\.')}`), 'the header names who is signed in');
  assert.match(res.body, /<form method="post" action="\/logout"/);
});

test('a partner developer with no company is told so on the console home', async () => {
  const dev = await person('Dev Partner');
  const { browser } = await signIn(dev.email, PASSWORD);
  const res = await t.app.inject({ url: '/', headers: { cookie: browser.cookie } });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /You are not a member of any company yet/);
  assert.match(res.body, /Developer portal/);
});

test('purges delete expired sessions and spent sign-in counters, and keep the live ones', async () => {
  const joe = await person();
  const { browser } = await signIn(joe.email, PASSWORD);
  await t.ctx.db.pool.query(
    `INSERT INTO web_sessions (token_hash, person_id, expires_at) VALUES ('expired-1', $1, now() - interval '1 minute'), ('expired-2', $1, now() - interval '1 day')`,
    [joe.id],
  );
  await t.ctx.db.pool.query(
    `INSERT INTO sign_in_failures (key, failures, window_start) VALUES ('email:spent', 3, now() - interval '20 minutes'), ('email:live', 2, now())`,
  );
  assert.equal(await purgeExpiredSessions(t.ctx, 1), 1, 'one batch is bounded');
  assert.ok((await purgeExpiredSessions(t.ctx)) >= 1);
  const sessions = await t.ctx.db.pool.query(`SELECT token_hash FROM web_sessions WHERE person_id = $1`, [joe.id]);
  assert.deepEqual(sessions.rows.map((r) => r.token_hash), [sha256(/opsbase_session=([^;]+)/.exec(browser.cookie)![1]!)]);
  assert.ok((await purgeOldSignInFailures(t.ctx.db)) >= 1);
  const keys = (await t.ctx.db.pool.query(`SELECT key FROM sign_in_failures WHERE key IN ('email:spent', 'email:live')`)).rows.map((r) => r.key);
  assert.deepEqual(keys, ['email:live']);
});
