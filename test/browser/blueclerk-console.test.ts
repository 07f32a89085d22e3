import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { addMembership, createCompany, createPerson, type Company } from '../../src/platform/tenancy/tenancy.ts';
import { domainEvents } from '../../src/platform/events/schema.ts';

/**
 * The contractor's BlueClerk pages as a person meets them in real Chromium, by the links, labels and
 * buttons they see: sign in, open the company's records from the console home, create a property
 * and a job at it, move the job along, and look at the API usage.
 */
const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let chromiumUnderTest: TestBrowser;
let browser: BrowserContext;
let plumbing: Company;

before(async () => {
  t = await startTestApp({ listen: true });
  chromiumUnderTest = await launchChromium();
  browser = chromiumUnderTest.context;
  const orm = t.ctx.db.orm;
  plumbing = await createCompany(orm, { name: 'Smith Plumbing', plan: 'starter' });
  const joe = await createPerson(orm, { email: 'joe@smith.example', password: PASSWORD, name: 'Joe Smith' });
  await addMembership(orm, { companyId: plumbing.id, personId: joe.id, role: 'member' });
});

after(async () => {
  await chromiumUnderTest?.close();
  await t?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${t.url}/`);
  await page.getByLabel('Email').fill('joe@smith.example');
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Clicks a button that submits a form and waits for the page that answers it. */
async function submitWith(page: Page, click: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), click()]);
}

async function eventTypesAbout(recordId: string): Promise<string[]> {
  const rows = await t.ctx.db.orm
    .select({ type: domainEvents.type })
    .from(domainEvents)
    .where(and(eq(domainEvents.companyId, plumbing.id), sql`${domainEvents.payload}->>'id' = ${recordId}`))
    .orderBy(domainEvents.occurredAt, domainEvents.id);
  return rows.map((r) => r.type);
}

test('a contractor creates a property and a job at it, changes the job’s status and sees it listed with the new status', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await signIn(page);
    const company = page.getByRole('row', { name: /Smith Plumbing/ });
    await Promise.all([page.waitForURL(/\/blueclerk\/console\/companies\/c[a-z0-9]+$/), company.getByRole('link', { name: 'BlueClerk records' }).click()]);
    await page.getByRole('heading', { name: 'Smith Plumbing · BlueClerk' }).waitFor();

    await Promise.all([page.waitForURL(/\/properties$/), page.getByRole('navigation', { name: 'BlueClerk' }).getByRole('link', { name: 'Properties' }).click()]);
    await page.getByLabel('Address (one line)').fill('123 Main St, Austin, TX 78701');
    await submitWith(page, () => page.getByRole('button', { name: 'Create property' }).click());
    assert.ok(await page.getByRole('row', { name: /123 Main St, Austin, TX 78701/ }).isVisible(), 'the property is listed');

    await Promise.all([page.waitForURL(/\/jobs$/), page.getByRole('navigation', { name: 'BlueClerk' }).getByRole('link', { name: 'Jobs' }).click()]);
    await page.getByLabel('Title').fill('Replace water heater');
    await page.getByLabel('Property').selectOption({ label: '123 Main St, Austin, TX 78701' });
    await page.getByLabel('Scheduled for (UTC)').fill('2026-05-09T14:00');
    await submitWith(page, () => page.getByRole('button', { name: 'Create job' }).click());
    const row = page.getByRole('row', { name: /Replace water heater/ });
    assert.match(await row.innerText(), /SCHEDULED/);
    assert.match(await row.innerText(), /123 Main St, Austin, TX 78701/);
    assert.match(await row.innerText(), /2026-05-09 14:00 UTC/);

    await row.getByLabel('New status for Replace water heater').selectOption('IN_PROGRESS');
    await submitWith(page, () => row.getByRole('button', { name: 'Change status' }).click());
    const moved = page.getByRole('row', { name: /Replace water heater/ });
    assert.equal((await moved.locator('[data-status]').innerText()).trim(), 'IN_PROGRESS');
    assert.ok(new URL(page.url()).pathname.endsWith('/jobs'), 'back on the list after the change');

    // The pages made their changes through the records layer: each recorded its event.
    const jobId = await moved.getAttribute('data-id');
    assert.deepEqual(await eventTypesAbout(jobId!), ['job.created', 'job.status_changed']);
  } finally {
    await page.close();
  }
});

test('a refused form shows the reason beside the form and keeps what was typed', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await signIn(page);
    await page.goto(`${t.url}/blueclerk/console/companies/${plumbing.id}/invoices`);
    await page.getByLabel('Total (e.g. 1234.56)').fill('twelve');
    await submitWith(page, () => page.getByRole('button', { name: 'Create invoice' }).click());
    assert.equal((await page.getByRole('alert').innerText()).trim(), 'Total (e.g. 1234.56): “twelve” is not a valid value.');
    assert.equal(await page.getByLabel('Total (e.g. 1234.56)').inputValue(), 'twelve');
  } finally {
    await page.close();
  }
});

test('the usage page shows the company’s API requests for each of the last 30 days and its plan’s limits', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  try {
    await signIn(page);
    const company = page.getByRole('row', { name: /Smith Plumbing/ });
    await Promise.all([page.waitForURL(/\/usage$/), company.getByRole('link', { name: 'BlueClerk API usage' }).click()]);
    await page.getByRole('heading', { name: 'BlueClerk API usage' }).waitFor();
    assert.ok(await page.getByText('30 per minute · 5,000 per UTC day · 50,000 per month').isVisible());
    await page.getByRole('heading', { name: 'Requests per day, last 30 days' }).waitFor();
    const days = page.locator('tr[data-day]');
    assert.equal(await days.count(), 30);
    assert.equal(await days.first().getAttribute('data-day'), new Date().toISOString().slice(0, 10), 'today first');
    assert.equal(await page.getByRole('link', { name: 'API usage' }).getAttribute('aria-current'), 'page');
  } finally {
    await page.close();
  }
});
