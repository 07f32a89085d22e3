import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { apis } from '../src/apis/index.ts';
import { blueClerkOAuth } from '../src/apis/blueclerk/oauth.ts';
import { ensureDemo } from '../src/platform/demo/demo.ts';
import { mintDemoAccessToken } from '../src/platform/oauth/demo-authorization.ts';
import { setCompanyLimits } from '../src/platform/rate-limit/index.ts';
import {
  COLLECTION_PUBLIC_URL,
  POSTMAN_SCHEMA,
  postmanCollectionFiles,
  toPostmanCollection,
  type OpenApiDocument,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanRequestItem,
} from '../src/platform/openapi/postman.ts';

/**
 * `npm run postman` turns each API's OpenAPI document into a Postman Collection v2.1: one request per
 * operation in a folder per tag, OAuth 2.0 at collection level. The committed files must be what the
 * generator writes for the routes as they are now.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let t: TestApp;
let document: OpenApiDocument;
let collection: PostmanCollection;

before(async () => {
  t = await startTestApp({ env: { PUBLIC_URL: COLLECTION_PUBLIC_URL } });
  document = (await t.app.inject({ method: 'GET', url: '/blueclerk/api/openapi.json' })).json();
  collection = toPostmanCollection(document);
});
after(() => t.close());

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations() {
  return Object.entries(document.paths).flatMap(([pathName, item]) =>
    Object.entries(item)
      .filter(([method]) => OPERATION_METHODS.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path: pathName, operation })),
  );
}

function requests(items: (PostmanFolder | PostmanRequestItem)[] = collection.item): { folder: string | null; item: PostmanRequestItem }[] {
  return items.flatMap((entry): { folder: string | null; item: PostmanRequestItem }[] =>
    'request' in entry ? [{ folder: null, item: entry }] : entry.item.map((item) => ({ folder: entry.name, item })),
  );
}

/** `/tickets/:id` back to the document's `/tickets/{id}`. */
const documentPath = (item: PostmanRequestItem) => `/${item.request.url.path.map((segment) => segment.replace(/^:(.+)$/, '{$1}')).join('/')}`;

test('the collection is Postman v2.1: info with the schema URL, folders of items, each request with a method and a {{baseUrl}} URL', () => {
  assert.equal(collection.info.schema, POSTMAN_SCHEMA);
  assert.equal(collection.info.name, document.info.title);
  assert.ok(Array.isArray(collection.item) && collection.item.length > 0);
  assert.deepEqual(collection.variable.find((v) => v.key === 'baseUrl')?.value, `${COLLECTION_PUBLIC_URL}/blueclerk/api/v1`);
  for (const { item } of requests()) {
    assert.equal(typeof item.name, 'string');
    assert.match(item.request.method, /^(GET|POST|PUT|PATCH|DELETE)$/);
    assert.deepEqual(item.request.url.host, ['{{baseUrl}}']);
    assert.ok(item.request.url.raw.startsWith(`{{baseUrl}}/${item.request.url.path.join('/')}`), item.request.url.raw);
    assert.ok(Array.isArray(item.request.header));
    assert.deepEqual(item.response, []);
  }
});

test('one request per operation, with the operation’s method and path, in the folder of its tag', () => {
  const expected = operations().map((op) => `${op.method} ${op.path} in ${op.operation.tags?.[0]}`).sort();
  const actual = requests().map(({ folder, item }) => `${item.request.method} ${documentPath(item)} in ${folder}`).sort();
  assert.deepEqual(actual, expected);
  assert.ok(expected.includes('GET /jobs in Jobs') && expected.includes('POST /leads in Leads'), 'the data routes are documented');
});

test('path parameters become Postman path variables and query parameters are listed, off unless required', () => {
  for (const { method, path: pathName, operation } of operations()) {
    const { item } = requests().find(({ item }) => item.request.method === method && documentPath(item) === pathName)!;
    const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
    assert.deepEqual((item.request.url.variable ?? []).map((v) => v.key).sort(), pathParams, `${method} ${pathName}`);
    for (const name of pathParams) assert.ok(item.request.url.path.includes(`:${name}`));
    const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
    assert.deepEqual((item.request.url.query ?? []).map((q) => [q.key, q.disabled]), queryParams.map((p) => [p.name, !p.required]), `${method} ${pathName}`);
  }
  const listJobs = requests().find(({ item }) => item.request.method === 'GET' && documentPath(item) === '/jobs')!.item;
  assert.deepEqual(listJobs.request.url.query?.map((q) => q.key), ['cursor', 'limit', 'updatedSince']);
  assert.equal(listJobs.request.url.raw, '{{baseUrl}}/jobs', 'switched-off parameters stay out of the URL');
});

test('requests with a JSON body carry an example built from the schema, and a fresh Idempotency-Key per send', () => {
  for (const { method, path: pathName, operation } of operations()) {
    const { item } = requests().find(({ item }) => item.request.method === method && documentPath(item) === pathName)!;
    const hasBody = Boolean(operation.requestBody?.content?.['application/json']);
    assert.equal(Boolean(item.request.body), hasBody, `${method} ${pathName}`);
    if (!hasBody) continue;
    assert.equal(item.request.body!.options.raw.language, 'json');
    const example = JSON.parse(item.request.body!.raw);
    const schema = operation.requestBody!.content!['application/json']!.schema as { properties?: object; required?: string[] };
    const properties = Object.keys(schema.properties ?? {});
    assert.ok(Object.keys(example).every((field) => properties.includes(field)), `${method} ${pathName}: only fields of the schema`);
    assert.ok((schema.required ?? []).every((field) => field in example), `${method} ${pathName}: every required field`);
    assert.ok(item.request.header.some((h) => h.key === 'Content-Type' && h.value === 'application/json'));
  }
  const lead = requests().find(({ item }) => documentPath(item) === '/leads')!.item;
  const body = JSON.parse(lead.request.body!.raw);
  assert.equal(body.phone, '+15125551234', 'the example in the field’s description');
  const ticket = JSON.parse(requests().find(({ item }) => item.request.method === 'POST' && documentPath(item) === '/tickets')!.item.request.body!.raw);
  assert.ok(!('contactId' in ticket), 'an optional id with no example is left out rather than made up');
  const idempotencyKey = lead.request.header.find((h) => h.key === 'Idempotency-Key');
  assert.equal(idempotencyKey?.value, '{{$guid}}');
  assert.notEqual(idempotencyKey?.disabled, true, 'sent by default: a new key per send is always safe');
});

test('OAuth 2.0 with PKCE at collection level names the document’s authorize and token URLs and every scope', () => {
  const flow = (document.components!.securitySchemes!.oauth2 as unknown as { flows: { authorizationCode: { authorizationUrl: string; tokenUrl: string; scopes: Record<string, string> } } }).flows
    .authorizationCode;
  const auth = collection.auth;
  assert.ok(auth?.type === 'oauth2');
  const settings = Object.fromEntries(auth.oauth2.map(({ key, value }) => [key, value]));
  assert.equal(settings.grant_type, 'authorization_code_with_pkce');
  const variables = Object.fromEntries(collection.variable.map(({ key, value }) => [key, value]));
  assert.equal(settings.authUrl, '{{authUrl}}');
  assert.equal(settings.accessTokenUrl, '{{tokenUrl}}');
  assert.equal(variables.authUrl, flow.authorizationUrl);
  assert.equal(variables.tokenUrl, flow.tokenUrl);
  assert.equal(variables.authUrl, `${COLLECTION_PUBLIC_URL}/blueclerk/oauth/authorize`);
  assert.deepEqual(String(settings.scope).split(' ').sort(), Object.keys(flow.scopes).sort());
  assert.ok(Object.keys(flow.scopes).includes('jobs:read'));
  assert.equal(settings.clientId, '{{clientId}}');
  for (const { item } of requests()) assert.equal(item.request.auth, undefined, `${item.name} inherits the collection’s auth`);
});

test('the committed docs/postman files are what `npm run postman` writes for the current routes', async () => {
  const files = await postmanCollectionFiles(t.app, apis);
  assert.deepEqual(files.map((f) => f.file), ['docs/postman/blueclerk.postman_collection.json', 'docs/postman/clevertim.postman_collection.json']);
  for (const { file, json } of files) {
    const committed = fs.readFileSync(path.join(root, file), 'utf8');
    assert.ok(committed === json, `${file} is out of date: run \`npm run postman\` and commit it`);
  }
});

/** Sends one collection request as Postman would: variables filled in, switched-off entries left out. */
function send(item: PostmanRequestItem, token: string, pathVariables: Record<string, string>) {
  const { request } = item;
  const query = (request.url.query ?? []).filter((q) => !q.disabled).map((q) => `${q.key}=${encodeURIComponent(q.value)}`);
  const pathName = request.url.path.map((segment) => (segment.startsWith(':') ? pathVariables[segment.slice(1)]! : segment)).join('/');
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  for (const header of request.header.filter((h) => !h.disabled)) headers[header.key] = header.value.replace('{{$guid}}', crypto.randomUUID());
  return t.app.inject({
    method: request.method as 'GET',
    url: `/blueclerk/api/v1/${pathName}${query.length ? `?${query.join('&')}` : ''}`,
    headers,
    ...(request.body ? { payload: request.body.raw } : {}),
  });
}

test('every request in the collection, sent as is with the demo company’s token, succeeds against the demo data', async () => {
  const { demo } = await ensureDemo(t.ctx, apis);
  await setCompanyLimits(t.ctx.db.orm, demo.company.id, { perMinute: 'unlimited', perDay: 'unlimited', perMonth: 'unlimited' });
  const token = await mintDemoAccessToken(t.ctx, blueClerkOAuth, demo);
  // Creations first (so a webhook exists for its deliveries), removals last.
  const order = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'];
  const all = requests().map(({ item }) => item).sort((a, b) => order.indexOf(a.request.method) - order.indexOf(b.request.method));

  let withIds = 0;
  for (const item of all) {
    const variables: Record<string, string> = {};
    const idAt = item.request.url.path.indexOf(':id');
    if (idAt >= 0) {
      // An id from the list one level up, e.g. GET /jobs for /jobs/:id.
      const list = await t.app.inject({ method: 'GET', url: `/blueclerk/api/v1/${item.request.url.path.slice(0, idAt).join('/')}`, headers: { authorization: `Bearer ${token}` } });
      assert.equal(list.statusCode, 200, list.body);
      const first = (list.json() as { data: { id: string }[] }).data[0];
      assert.ok(first, `the demo company has a record for ${item.request.method} ${item.request.url.raw}`);
      variables.id = first.id;
      withIds++;
    }
    const res = await send(item, token, variables);
    assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${item.request.method} ${item.request.url.raw} answered ${res.statusCode}: ${res.body}`);
  }
  assert.ok(withIds >= 6, 'every record kind was fetched by id');
});
