import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { type BrowserContext } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';

/**
 * The interactive reference as a developer meets it: in real Chromium, under the page's strict CSP,
 * Redoc loads the OpenAPI document and shows every operation, and the browser reports no refused
 * script, worker, style or connection.
 */

let t: TestApp;
let chromiumUnderTest: TestBrowser;
let browser: BrowserContext;

before(async () => {
  t = await startTestApp({ listen: true });
  chromiumUnderTest = await launchChromium();
  browser = chromiumUnderTest.context;
});

after(async () => {
  await chromiumUnderTest?.close();
  await t?.close();
});

interface Operation {
  method: string;
  path: string;
  summary: string;
  tag: string;
}

async function documentedOperations(): Promise<Operation[]> {
  const document = (await t.app.inject({ method: 'GET', url: '/blueclerk/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
  };
  return Object.entries(document.paths).flatMap(([pathName, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path: pathName, summary: operation.summary ?? '', tag: operation.tags?.[0] ?? '' })),
  );
}

test('the BlueClerk reference renders every documented operation under the strict CSP, with no CSP violation', async () => {
  const operations = await documentedOperations();
  assert.ok(operations.length > 0);
  assert.ok(operations.every((op) => op.summary && op.tag), 'every operation has a summary and a tag to be found by');

  const page = await browser.newPage();
  const violations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    const response = await page.goto(`${t.url}/blueclerk/api/docs`);
    assert.equal(response?.status(), 200);
    assert.match(String(response?.headers()['content-security-policy']), /script-src 'self';/);
    assert.equal(await page.title(), 'BlueClerk Public API reference · Opsbase');

    // Redoc writes the document's title once it has fetched and parsed it, then one section per operation.
    await page.getByRole('heading', { name: /BlueClerk Public API/, level: 1 }).waitFor({ timeout: 30_000 });
    const rendered = await page.locator('h2').evaluateAll((headings) => headings.map((h) => (h as HTMLElement).innerText.trim()));
    for (const operation of operations) {
      assert.ok(rendered.includes(operation.summary), `${operation.method.toUpperCase()} ${operation.path} is rendered as "${operation.summary}"`);
    }

    // The sidebar navigates: choosing a tag and one of its operations brings that operation into view,
    // with its method and path.
    const chosen = operations.find((op) => op.method === 'get' && op.path === '/jobs') ?? operations[0]!;
    await page.getByRole('menuitem', { name: chosen.tag, exact: true }).click();
    await page.getByRole('menuitem', { name: chosen.summary, exact: true }).click();
    const heading = page.locator('h2').filter({ hasText: new RegExp(`^\\s*${chosen.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });
    await heading.waitFor({ state: 'visible' });
    assert.ok(
      await heading.evaluate((element) => {
        const box = element.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
      }),
      `"${chosen.summary}" is scrolled into view`,
    );
    const section = page.locator('[data-section-id]', { has: heading }).last();
    assert.match(await section.innerText(), new RegExp(`${chosen.method}\\s*${chosen.path.replace(/[{}]/g, '\\$&')}`, 'i'));

    assert.deepEqual(violations, [], 'the browser refused nothing under the CSP');
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
  }
});
