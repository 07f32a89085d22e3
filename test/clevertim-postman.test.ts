import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { apis } from '../src/apis/index.ts';
import { issueApiToken } from '../src/platform/credentials/api-tokens.ts';
import { ensureDemo } from '../src/platform/demo/demo.ts';
import { COLLECTION_PUBLIC_URL, type PostmanCollection, type PostmanFolder, type PostmanRequestItem } from '../src/platform/openapi/postman.ts';

/**
 * docs/postman/clevertim.postman_collection.json (written by `npm run postman`, kept current by
 * test/postman.test.ts) as a person uses it: HTTP Basic at collection level with their token as
 * {{username}}, every request sent as it is in the file against the demo workspace. Each must succeed,
 * except where the file cannot know what the demo holds and the API says why: a comment needs the id of
 * its note or task (400 naming nid/tid), and no file or linked file exists to read, rename or delete (404).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const collection = JSON.parse(fs.readFileSync(path.join(root, 'docs/postman/clevertim.postman_collection.json'), 'utf8')) as PostmanCollection & {
  auth: { type: string; basic: { key: string; value: string }[] };
};

let t: TestApp;
let token: string;
before(async () => {
  t = await startTestApp({ env: { PUBLIC_URL: COLLECTION_PUBLIC_URL } });
  const { demo } = await ensureDemo(t.ctx, apis);
  token = (await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: demo.company.id, personId: demo.owner.id })).token;
});
after(() => t.close());

function requests(items: (PostmanFolder | PostmanRequestItem)[] = collection.item): PostmanRequestItem[] {
  return items.flatMap((entry) => ('request' in entry ? [entry] : requests(entry.item)));
}

const variables = () => Object.fromEntries((collection as unknown as { variable: { key: string; value: string }[] }).variable.map((v) => [v.key, v.value]));

/** Basic auth as Postman builds it from the collection's auth block and variables ({{username}} is the token). */
function authorization(): string {
  const fill = (value: string) => value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (name === 'username' ? token : variables()[name] ?? ''));
  const field = (key: string) => fill(collection.auth.basic.find((entry) => entry.key === key)?.value ?? '');
  return `Basic ${Buffer.from(`${field('username')}:${field('password')}`).toString('base64')}`;
}

function send(item: PostmanRequestItem, pathVariables: Record<string, string>) {
  const { request } = item;
  const base = new URL(variables().baseUrl!).pathname;
  const pathName = request.url.path.map((segment) => (segment.startsWith(':') ? pathVariables[segment.slice(1)]! : segment)).join('/');
  const headers: Record<string, string> = { authorization: authorization() };
  for (const header of request.header.filter((h) => !h.disabled)) headers[header.key] = header.value;
  return t.app.inject({ method: request.method as 'GET', url: `${base}/${pathName}`, headers, ...(request.body ? { payload: request.body.raw } : {}) });
}

test('the collection authenticates with HTTP Basic: the token as {{username}}, X as the password', () => {
  assert.equal(collection.auth.type, 'basic');
  assert.deepEqual(collection.auth.basic.map((entry) => [entry.key, entry.value]).sort(), [['password', '{{password}}'], ['username', '{{username}}']]);
  assert.equal(variables().password, 'X');
  assert.equal(variables().baseUrl, `${COLLECTION_PUBLIC_URL}/clevertim/api`);
});

test('every request in the Clevertim collection, sent as is with a demo token, is answered as documented against the demo data', async () => {
  // Creations first, then reads and changes, then deletions in reverse (a comment before its note).
  const inOrder = requests();
  const phase = (method: string) => ['POST', 'GET', 'PUT', 'DELETE'].indexOf(method);
  const all = [...inOrder].sort((a, b) => phase(a.request.method) - phase(b.request.method) || (a.request.method === 'DELETE' ? inOrder.indexOf(b) - inOrder.indexOf(a) : 0));
  assert.ok(all.length >= 50, `a request per operation (${all.length})`);
  const base = new URL(variables().baseUrl!).pathname;
  const byId = new Set<string>();
  for (const item of all) {
    const label = `${item.request.method} ${item.request.url.raw}`;
    const resource = item.request.url.path[0]!;
    const variablesForPath: Record<string, string> = {};
    if (item.request.url.path.includes(':id')) {
      const list = await t.app.inject({ method: 'GET', url: `${base}/${resource}`, headers: { authorization: authorization() } });
      assert.equal(list.statusCode, 200, list.body);
      const first = (list.json() as { content: { id: number }[] }).content[0];
      if (resource === 'file' || resource === 'linkedfile') assert.equal(first, undefined, `${resource}: none can exist`);
      else assert.ok(first, `the demo has a ${resource} for ${label}`);
      variablesForPath.id = String(first?.id ?? 1);
      byId.add(resource);
    }
    const res = await send(item, variablesForPath);
    if ((resource === 'file' || resource === 'linkedfile') && variablesForPath.id) {
      assert.equal(res.statusCode, 404, `${label}: ${res.body}`);
      continue;
    }
    if (label === 'POST {{baseUrl}}/comment') {
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error, /^nid or tid: a comment is on exactly one note \(nid\) or one task \(tid\)/);
      continue;
    }
    assert.equal(res.statusCode, 200, `${label} answered ${res.statusCode}: ${res.body}`);
    assert.equal(res.json().status, 'OK', label);
  }
  assert.deepEqual([...byId].sort(), ['case', 'comment', 'company', 'contact', 'customfield', 'file', 'folder', 'group', 'linkedfile', 'note', 'opportunity', 'task', 'user']);
});
