import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { issueApiToken } from '../../src/platform/credentials/api-tokens.ts';
import { listGroups } from '../../src/platform/tenancy/groups.ts';
import { addMembership, createCompany, createPerson, type Company } from '../../src/platform/tenancy/tenancy.ts';

/**
 * The console page Groups as a company's admin meets it in real Chromium, by the links, labels and
 * buttons they see: from the console home to the page, create a group, rename it, add a colleague, see
 * the group (with its gid) through the Clevertim API, take the colleague out and delete the group. A
 * plain member has no link and no page.
 */
const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let chromiumUnderTest: TestBrowser;
let browser: BrowserContext;
let company: Company;
let adminToken: string;

before(async () => {
  t = await startTestApp({ listen: true });
  chromiumUnderTest = await launchChromium();
  browser = chromiumUnderTest.context;
  const orm = t.ctx.db.orm;
  company = await createCompany(orm, { name: 'Groves Heating', plan: 'starter' });
  const ada = await createPerson(orm, { email: 'ada@groves.example', password: PASSWORD, name: 'Ada Admin' });
  const mo = await createPerson(orm, { email: 'mo@groves.example', password: PASSWORD, name: 'Mo Member' });
  await addMembership(orm, { companyId: company.id, personId: ada.id, role: 'admin' });
  await addMembership(orm, { companyId: company.id, personId: mo.id, role: 'member' });
  adminToken = (await issueApiToken(orm, { api: 'clevertim', companyId: company.id, personId: ada.id })).token;
});

after(async () => {
  await chromiumUnderTest?.close();
  await t?.close();
});

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${t.url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function submitWith(page: Page, click: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), click()]);
}

async function clevertimGroups(): Promise<{ name: string; gid: number; users: number[] }[]> {
  const res = await fetch(`${t.url}/clevertim/api/group`, { headers: { authorization: `Basic ${Buffer.from(`${adminToken}:X`).toString('base64')}` } });
  return (await res.json()).content;
}

test('an admin creates a group, renames it, adds and removes a colleague and deletes it, all from the page', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  try {
    await signIn(page, 'ada@groves.example');
    const row = page.getByRole('row', { name: /Groves Heating/ });
    await Promise.all([page.waitForURL(/\/companies\/c[a-z0-9]+\/groups$/), row.getByRole('link', { name: 'Groups' }).click()]);
    await page.getByRole('heading', { name: 'Groups · Groves Heating' }).waitFor();
    assert.ok(await page.getByText('This company has no groups yet.').isVisible());

    await page.getByLabel('New group').fill('On call');
    await submitWith(page, () => page.getByRole('button', { name: 'Create group' }).click());
    assert.ok(await page.getByRole('status').getByText('The group was created.').isVisible());
    assert.ok(await page.getByRole('heading', { name: 'On call', level: 2 }).isVisible());

    await page.getByLabel('Rename On call').fill('Weekend on call');
    await submitWith(page, () => page.getByRole('button', { name: 'Rename' }).click());
    const card = page.locator('section[data-group]');
    assert.equal(await card.getByRole('heading', { level: 2 }).innerText(), 'Weekend on call');

    await page.getByLabel('Add a member to Weekend on call').selectOption({ label: 'Mo Member (mo@groves.example)' });
    await submitWith(page, () => page.getByRole('button', { name: 'Add member' }).click());
    assert.ok(await card.getByText('mo@groves.example').isVisible(), 'the member is listed');
    const gid = Number(await card.locator('[data-field="gid"]').innerText());
    const seen = await clevertimGroups();
    assert.deepEqual(seen.map((g) => [g.name, g.gid, g.users.length]), [['Weekend on call', gid, 1]], 'the Clevertim API serves the group as the page shows it');

    await submitWith(page, () => page.getByRole('button', { name: 'Remove mo@groves.example from Weekend on call' }).click());
    assert.ok(await card.getByText('No members.').isVisible());

    await submitWith(page, () => page.getByRole('button', { name: 'Delete Weekend on call' }).click());
    assert.ok(await page.getByText('This company has no groups yet.').isVisible());
    assert.deepEqual(await listGroups(t.ctx.db.orm, company.id), []);
    assert.deepEqual(violations, [], 'the page runs under the strict CSP without a refused resource');
  } finally {
    await page.close();
  }
});

test('a name already taken is named on the page, and nothing is made', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await signIn(page, 'ada@groves.example');
    await page.goto(`${t.url}/companies/${company.id}/groups`);
    await page.getByLabel('New group').fill('Office');
    await submitWith(page, () => page.getByRole('button', { name: 'Create group' }).click());
    await page.getByLabel('New group').fill('office');
    await submitWith(page, () => page.getByRole('button', { name: 'Create group' }).click());
    assert.equal(await page.getByRole('alert').innerText(), 'This company already has a group named "office"');
    assert.deepEqual((await listGroups(t.ctx.db.orm, company.id)).map((g) => g.name), ['Office']);
  } finally {
    await page.close();
  }
});

test('a plain member has no Groups link on the console home, and the page is not found for them', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await signIn(page, 'mo@groves.example');
    const row = page.getByRole('row', { name: /Groves Heating/ });
    assert.equal(await row.getByRole('link', { name: 'Groups' }).count(), 0);
    const response = await page.goto(`${t.url}/companies/${company.id}/groups`);
    assert.equal(response?.status(), 404);
    assert.equal(await page.getByRole('button', { name: 'Create group' }).count(), 0);
  } finally {
    await page.close();
  }
});
