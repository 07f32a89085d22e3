import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { addMembership, createCompany, createPerson } from '../../src/platform/tenancy/tenancy.ts';

/** Console sign-in as a person meets it: in real Chromium, by the labels and buttons they see. */
const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let chromiumUnderTest: TestBrowser;
let browser: BrowserContext;

before(async () => {
  t = await startTestApp({ listen: true });
  chromiumUnderTest = await launchChromium();
  browser = chromiumUnderTest.context;
  const orm = t.ctx.db.orm;
  const plumbing = await createCompany(orm, { name: 'Smith Plumbing', plan: 'starter' });
  const joe = await createPerson(orm, { email: 'joe@smith.example', password: PASSWORD, name: 'Joe Smith' });
  await addMembership(orm, { companyId: plumbing.id, personId: joe.id, role: 'owner' });
});

after(async () => {
  await chromiumUnderTest?.close();
  await t?.close();
});

async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('a person is sent from the console to sign in, signs in, sees their company and plan, and signs out', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await page.goto(`${t.url}/`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.title(), 'Sign in · Opsbase');

    await Promise.all([page.waitForURL(`${t.url}/`), fillSignIn(page, 'joe@smith.example', PASSWORD)]);
    await page.getByRole('heading', { name: 'Your companies' }).waitFor();
    const row = page.getByRole('row', { name: /Smith Plumbing/ });
    assert.ok(await row.isVisible());
    assert.match(await row.innerText(), /Starter/);
    assert.match(await row.innerText(), /Owner/);
    assert.ok(await page.getByText('Joe Smith (joe@smith.example)').isVisible());
    // The stylesheet loaded under the page's CSP: the header is laid out as a flex row.
    assert.equal(await page.locator('header.top').evaluate((el) => getComputedStyle(el).display), 'flex');

    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.goto(`${t.url}/`);
    assert.equal(new URL(page.url()).pathname, '/login', 'signed out: the console asks for sign-in again');
  } finally {
    await page.close();
  }
});

test('a wrong password shows the message and keeps the email', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await page.goto(`${t.url}/login`);
    await fillSignIn(page, 'joe@smith.example', 'not the password');
    await page.getByRole('alert').waitFor();
    assert.equal((await page.getByRole('alert').innerText()).trim(), 'Email or password is incorrect.');
    assert.equal(await page.getByLabel('Email').inputValue(), 'joe@smith.example');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.equal(new URL(page.url()).pathname, '/login');
  } finally {
    await page.close();
  }
});
