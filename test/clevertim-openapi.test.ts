import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * The Clevertim OpenAPI 3.1 document at /clevertim/api/openapi.json (and its reference page): every
 * documented operation of the spec at its path, HTTP Basic as the security scheme, the record schemas
 * as components, and the answers the server actually gives valid against them.
 */
let t: TestApp;
let world: ClevertimWorld;
let document: Record<string, any>;
before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  const res = await t.app.inject({ method: 'GET', url: '/clevertim/api/openapi.json' });
  assert.equal(res.statusCode, 200, 'the document is public: no token needed');
  document = res.json();
});
after(() => t.close());

const RESOURCES = ['contact', 'company', 'case', 'opportunity', 'task', 'note', 'comment', 'customfield', 'folder'];

test('the document validates as OpenAPI 3.1 and names the server’s base URL', async () => {
  assert.equal(document.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(document);
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
  assert.equal(document.servers[0].url, `${t.ctx.config.publicUrl}/clevertim/api`);
});

test('every resource and method of the spec is documented at its path, and only the supported ones', () => {
  const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => `${method} ${path}`)).sort();
  const expected = [
    ...RESOURCES.flatMap((r) => [`get /${r}`, `post /${r}`, `get /${r}/{id}`, `delete /${r}/{id}`, ...(r === 'comment' ? [] : [`put /${r}/{id}`])]),
    'get /user', 'get /user/{id}', 'get /group', 'get /group/{id}',
    // files and linked files cannot be added (POST answers 501, undocumented); the rest is served.
    ...['file', 'linkedfile'].flatMap((r) => [`get /${r}`, `get /${r}/{id}`, `put /${r}/{id}`, `delete /${r}/{id}`]),
  ].sort();
  assert.deepEqual(documented, expected);
});

test('every operation asks for HTTP Basic, the scheme says the token is the user name', () => {
  assert.deepEqual(Object.keys(document.components.securitySchemes), ['basicAuth']);
  assert.equal(document.components.securitySchemes.basicAuth.type, 'http');
  assert.equal(document.components.securitySchemes.basicAuth.scheme, 'basic');
  assert.match(document.components.securitySchemes.basicAuth.description, /API token as the user name/);
  for (const [path, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, any>)) {
      assert.deepEqual(op.security, [{ basicAuth: [] }], `${method} ${path}`);
      assert.ok(op.responses['200'] && op.responses['401'], `${method} ${path} documents 200 and 401`);
      if (method === 'post' || method === 'put') assert.ok(op.responses['400'] && op.responses['403'], `${method} ${path} documents 400 and 403`);
    }
  }
});

test('record schemas are components; every error answer is the {"status":"ERROR","error"} envelope', () => {
  for (const name of ['ClevertimContact', 'ClevertimCompany', 'ClevertimCase', 'ClevertimOpportunity', 'ClevertimTask', 'ClevertimNote', 'ClevertimComment', 'ClevertimCustomField', 'ClevertimUser', 'ClevertimGroup']) {
    assert.ok(document.components.schemas[name], `${name} is a component`);
  }
  for (const [path, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, any>)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (status === '200') continue;
        const schema = response.content['application/json'].schema;
        assert.deepEqual([schema.required.sort(), schema.properties.status.enum], [['error', 'status'], ['ERROR']], `${method} ${path} ${status}`);
      }
    }
  }
});

test('the answers the server gives are valid against the documented response schemas', async () => {
  const token = world.people.owner.token;
  const company = await created(t, token, 'company', { cn: 'Schema Co', ctype: 'C' });
  const person = await created(t, token, 'contact', { fn: 'Schema', companyId: company.id, phones: [{ type: 'Work', no: '1' }] });
  const kase = await created(t, token, 'case', { name: 'Schema case', cust: person.id });
  const opp = await created(t, token, 'opportunity', { name: 'Schema deal', value: 12 });
  const task = await created(t, token, 'task', { name: 'Schema task', case: kase.id, opp: opp.id, startDate: { y: 2026, mo: 1, d: 2 } });
  await created(t, token, 'note', { desc: 'Schema note', cust: [person.id, company.id] });
  await created(t, token, 'comment', { comment: 'Schema comment', tid: task.id });
  await created(t, token, 'customfield', { name: 'Schema field', elemType: 'select', values: ['a'], modelType: ['customers'] });

  const ajv = new Ajv({ strict: false });
  addFormats.default(ajv);
  for (const [name, schema] of Object.entries(document.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  const check = (path: string, method: string, status: string, body: unknown) => {
    const schema = document.paths[path][method].responses[status].content['application/json'].schema;
    const validate = ajv.compile(schema);
    assert.ok(validate(body), `${method} ${path} ${status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  };
  for (const resource of [...RESOURCES, 'user', 'group', 'file', 'linkedfile']) {
    const list = await ct(t, 'GET', `/${resource}`, { token });
    check(`/${resource}`, 'get', '200', list.json());
    const first = list.json().content[0];
    if (first) check(`/${resource}/{id}`, 'get', '200', (await ct(t, 'GET', `/${resource}/${first.id}`, { token })).json());
  }
  check('/contact/{id}', 'get', '404', (await ct(t, 'GET', '/contact/987654321', { token })).json());
  check('/contact', 'post', '400', (await ct(t, 'POST', '/contact', { token, body: {} })).json());
  check('/contact/{id}', 'delete', '200', (await ct(t, 'DELETE', `/contact/${person.id}`, { token })).json());
});

test('the reference page is served beside the document and names it', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/clevertim/api/docs' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<redoc spec-url="\/clevertim\/api\/openapi\.json"/);
});
