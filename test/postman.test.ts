import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { apis } from '../src/apis/index.ts';
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
    const properties = Object.keys((operation.requestBody!.content!['application/json']!.schema as { properties?: object }).properties ?? {});
    assert.deepEqual(Object.keys(example), properties, `${method} ${pathName}: every field of the schema`);
    assert.ok(item.request.header.some((h) => h.key === 'Content-Type' && h.value === 'application/json'));
  }
  const lead = requests().find(({ item }) => documentPath(item) === '/leads')!.item;
  const body = JSON.parse(lead.request.body!.raw);
  assert.equal(body.phone, '+15125551234', 'the example in the field’s description');
  const idempotencyKey = lead.request.header.find((h) => h.key === 'Idempotency-Key');
  assert.equal(idempotencyKey?.value, '{{$guid}}');
  assert.notEqual(idempotencyKey?.disabled, true, 'sent by default: a new key per send is always safe');
});

test('OAuth 2.0 with PKCE at collection level names the document’s authorize and token URLs and every scope', () => {
  const flow = (document.components!.securitySchemes!.oauth2 as unknown as { flows: { authorizationCode: { authorizationUrl: string; tokenUrl: string; scopes: Record<string, string> } } }).flows
    .authorizationCode;
  assert.equal(collection.auth?.type, 'oauth2');
  const settings = Object.fromEntries(collection.auth!.oauth2.map(({ key, value }) => [key, value]));
  assert.equal(settings.grant_type, 'authorization_code_with_pkce');
  assert.equal(settings.authUrl, flow.authorizationUrl);
  assert.equal(settings.accessTokenUrl, flow.tokenUrl);
  assert.equal(settings.authUrl, `${COLLECTION_PUBLIC_URL}/blueclerk/oauth/authorize`);
  assert.deepEqual(String(settings.scope).split(' ').sort(), Object.keys(flow.scopes).sort());
  assert.ok(Object.keys(flow.scopes).includes('jobs:read'));
  assert.equal(settings.clientId, '{{clientId}}');
  for (const { item } of requests()) assert.equal(item.request.auth, undefined, `${item.name} inherits the collection’s auth`);
});

test('the committed docs/postman files are what `npm run postman` writes for the current routes', async () => {
  const files = await postmanCollectionFiles(t.app, apis);
  assert.deepEqual(files.map((f) => f.file), ['docs/postman/blueclerk.postman_collection.json']);
  for (const { file, json } of files) {
    const committed = fs.readFileSync(path.join(root, file), 'utf8');
    assert.ok(committed === json, `${file} is out of date: run \`npm run postman\` and commit it`);
  }
});
