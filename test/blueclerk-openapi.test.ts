import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteOptions } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { blueClerk } from '../src/apis/blueclerk/index.ts';
import { BLUECLERK_SCOPES } from '../src/apis/blueclerk/oauth.ts';
import { apis } from '../src/apis/index.ts';

const BASE = '/blueclerk/api/v1';

/** Every route the API registers under its base path, seen as fastify adds it (hidden ones included). */
const registered: { method: string; url: string }[] = [];
const instrumented = {
  ...blueClerk,
  async register(app: Parameters<typeof blueClerk.register>[0], ctx: Parameters<typeof blueClerk.register>[1]) {
    app.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url.startsWith(BASE)) registered.push({ method, url: route.url });
    });
    return blueClerk.register(app, ctx);
  },
};

let t: TestApp;
let document: Record<string, any>;

before(async () => {
  t = await startTestApp({ apis: apis.map((api) => (api.name === 'blueclerk' ? instrumented : api)) });
  const res = await t.app.inject({ method: 'GET', url: '/blueclerk/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  document = res.json();
});
after(() => t.close());

/** `/tickets/:id` as OpenAPI writes it: `/tickets/{id}`. */
const openApiPath = (url: string) => url.slice(BASE.length).replace(/:([A-Za-z_]+)/g, '{$1}');

test('every route registered under /blueclerk/api/v1 is in the OpenAPI document', () => {
  assert.ok(registered.length >= 16, `saw ${registered.length} routes`);
  const missing = registered.filter((r) => !document.paths?.[openApiPath(r.url)]?.[r.method.toLowerCase()]);
  assert.deepEqual(missing, []);
});

test('the seed’s endpoints are all documented, at their documented paths', () => {
  const expected = [
    'get /me',
    'post /leads',
    'get /tickets', 'post /tickets', 'get /tickets/{id}', 'patch /tickets/{id}',
    'get /jobs', 'get /jobs/{id}',
    'get /properties', 'get /properties/{id}',
    'get /estimates', 'get /estimates/{id}',
    'get /invoices', 'get /invoices/{id}',
    'get /contacts', 'get /contacts/{id}',
  ];
  const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => `${method} ${path}`));
  for (const operation of expected) assert.ok(documented.includes(operation), `${operation} is documented`);
});

test('the document validates as OpenAPI 3.1', async () => {
  assert.equal(document.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(document);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
});

test('each data operation names its scope in its OAuth 2.0 security requirement, and the scheme lists every scope', () => {
  const scopeOf: Record<string, string> = {
    'post /leads': 'leads:write',
    'get /tickets': 'tickets:read', 'get /tickets/{id}': 'tickets:read', 'post /tickets': 'tickets:write', 'patch /tickets/{id}': 'tickets:write',
    'get /jobs': 'jobs:read', 'get /jobs/{id}': 'jobs:read',
    'get /properties': 'properties:read', 'get /properties/{id}': 'properties:read',
    'get /estimates': 'estimates:read', 'get /estimates/{id}': 'estimates:read',
    'get /invoices': 'invoices:read', 'get /invoices/{id}': 'invoices:read',
    'get /contacts': 'contacts:read', 'get /contacts/{id}': 'contacts:read',
  };
  for (const [operation, scope] of Object.entries(scopeOf)) {
    const [method, path] = operation.split(' ') as [string, string];
    assert.deepEqual(document.paths[path][method].security, [{ oauth2: [scope] }], operation);
  }
  const flow = document.components.securitySchemes.oauth2.flows.authorizationCode;
  assert.deepEqual(Object.keys(flow.scopes).sort(), Object.keys(BLUECLERK_SCOPES).sort());
  assert.match(flow.authorizationUrl, /\/blueclerk\/oauth\/authorize$/);
  assert.match(flow.tokenUrl, /\/blueclerk\/oauth\/token$/);
});

test('record schemas are named components, from the schemas the routes validate and serialise with', () => {
  const schemas = document.components.schemas;
  for (const name of ['Ticket', 'Job', 'Property', 'Estimate', 'Invoice', 'Contact']) assert.ok(schemas[name], `components.schemas.${name}`);
  assert.deepEqual(Object.keys(schemas.Job.properties).sort(), ['completedAt', 'createdAt', 'id', 'propertyId', 'scheduledAt', 'status', 'ticketId', 'title', 'updatedAt']);
  assert.deepEqual(schemas.Job.properties.status.enum, ['SCHEDULED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CANCELLED']);
  assert.ok(!Object.keys(schemas).some((name) => /^def-\d+$/.test(name)), 'no anonymous def-N components');
  const list = document.paths['/jobs'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(list.required, ['data', 'nextCursor', 'hasMore']);
  assert.deepEqual(list.properties.data.items, { $ref: '#/components/schemas/Job' });
  assert.deepEqual(document.paths['/jobs/{id}'].get.responses['200'].content['application/json'].schema.properties, schemas.Job.properties);
  const lead = document.paths['/leads'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(Object.keys(lead.properties).sort(), ['address', 'businessName', 'contactName', 'email', 'notes', 'phone', 'source']);
  const tooMany = document.paths['/jobs'].get.responses['429'].content['application/json'].schema;
  assert.deepEqual(Object.keys(tooMany.properties), ['error', 'scope', 'limit', 'remaining', 'resetAt']);
});

test('list operations document cursor, limit and updatedSince; mutations document Idempotency-Key', () => {
  const parameters = (path: string, method: string) => (document.paths[path][method].parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`);
  for (const path of ['/tickets', '/jobs', '/properties', '/estimates', '/invoices', '/contacts']) {
    assert.deepEqual(parameters(path, 'get').sort(), ['query:cursor', 'query:limit', 'query:updatedSince']);
  }
  for (const [path, method] of [['/leads', 'post'], ['/tickets', 'post'], ['/tickets/{id}', 'patch']] as const) {
    assert.ok(parameters(path, method).includes('header:idempotency-key'), `${method} ${path}`);
  }
});

test('the rate-limit headers are documented on every response except 401, Retry-After on 429', () => {
  assert.deepEqual(Object.keys(document.components.headers).sort(), ['Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-RateLimit-Scope']);
  const list = document.paths['/jobs'].get.responses;
  assert.deepEqual(Object.keys(list['200'].headers).sort(), ['RateLimit', 'RateLimit-Policy', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-RateLimit-Scope']);
  assert.ok(list['429'].headers['Retry-After']);
  assert.equal(list['401'].headers, undefined);
  assert.ok(document.paths['/leads'].post.responses['201'].headers['Idempotent-Replayed']);
  assert.match(document.info.description, /X-RateLimit-Remaining/);
});
