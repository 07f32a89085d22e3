import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { sessionCookieFor } from './support/oauth-fixtures.ts';
import { createPerson } from '../src/platform/tenancy/tenancy.ts';

/**
 * Each API's interactive reference (Redoc) is a page under the console's strict CSP: HTML with no inline
 * script, the Redoc bundle from our own origin, and the API's OpenAPI document named in an attribute.
 */
let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const PAGE = '/blueclerk/api/docs';

async function page() {
  const res = await t.app.inject({ method: 'GET', url: PAGE });
  assert.equal(res.statusCode, 200);
  return res;
}

function scriptSources(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map(([, attributes, body]) => {
    assert.equal(body!.trim(), '', 'no inline script: the CSP would refuse it');
    const src = /\bsrc="([^"]+)"/.exec(attributes!)?.[1];
    assert.ok(src, 'every script has a src');
    return src;
  });
}

test('the reference page is HTML under the strict CSP and names the API’s OpenAPI document in the <redoc> element', async () => {
  const res = await page();
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
  assert.equal(res.headers['x-frame-options'], 'DENY');

  const specUrl = /<redoc spec-url="([^"]+)"/.exec(res.body)?.[1];
  assert.equal(specUrl, '/blueclerk/api/openapi.json');
  const document = await t.app.inject({ method: 'GET', url: specUrl });
  assert.equal(document.statusCode, 200);
  assert.equal(document.json().openapi, '3.1.0');

  const sources = scriptSources(res.body);
  assert.equal(sources.length, 1);
  assert.ok(sources.every((src) => src.startsWith('/') && !src.startsWith('//')), `same-origin scripts only: ${sources.join(', ')}`);
});

test('the Redoc bundle is served from our origin as JavaScript, cached for a year, byte for byte the installed package', async () => {
  const [src] = scriptSources((await page()).body);
  assert.match(src!, /^\/assets\/api-reference\/redoc-\d+\.\d+\.\d+\.standalone\.js$/, 'the URL names the version, so an upgrade is a new URL');
  const require = createRequire(import.meta.url);
  const installed = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');

  const plain = await t.app.inject({ method: 'GET', url: src! });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(plain.headers['x-content-type-options'], 'nosniff');
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body, installed);

  const gzipped = await t.app.inject({ method: 'GET', url: src!, headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(gzipped.headers['content-encoding'], 'gzip');
  assert.equal(gzipped.headers['vary'], 'Accept-Encoding');
  assert.ok(gzipped.rawPayload.length < installed.length / 2);
  assert.equal(gunzipSync(gzipped.rawPayload).toString('utf8'), installed);

  const revalidated = await t.app.inject({ method: 'GET', url: src!, headers: { 'if-none-match': String(plain.headers.etag) } });
  assert.equal(revalidated.statusCode, 304);
  assert.equal(revalidated.rawPayload.length, 0);
});

test('an unknown asset under the reference path answers 404, not the bundle', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/assets/api-reference/redoc-0.0.0.standalone.js' });
  assert.equal(res.statusCode, 404);
});

test('the console home links to each API’s reference page', async () => {
  const person = await createPerson(t.ctx.db.orm, { email: 'reader@example.com', password: 'correct horse battery staple', name: 'Ray Reader' });
  const res = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: await sessionCookieFor(t, person) } });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, new RegExp(`<a href="${PAGE}">API reference</a>`));
});
