import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * Folders (spec 4.11, R-15): created with the Python client's body `{"name", "parentId", "is_dir": true}`,
 * renamed and moved with `name` and `parentId`, deleted with their sub-folders; numeric ids, digit strings
 * in paths; never moved under themselves; scoped to the company like every record.
 */
let t: TestApp;
let world: ClevertimWorld;
let owner: string;
before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  owner = world.people.owner.token;
});
after(() => t.close());

const folder = (id: number, token = owner) => ct(t, 'GET', `/folder/${id}`, { token });
const move = (id: number, body: unknown, token = owner) => ct(t, 'PUT', `/folder/${id}`, { token, body });

test('a folder is made at the root or inside another, and read back whole with is_dir', async () => {
  const root = await created(t, owner, 'folder', { name: 'Contracts', parentId: null, is_dir: true });
  assert.deepEqual(root, { id: root.id, name: 'Contracts', parentId: null, is_dir: true });
  assert.equal(typeof root.id, 'number');
  const child = await created(t, owner, 'folder', { name: '2026', parentId: root.id, is_dir: true });
  assert.equal(child.parentId, root.id);
  const list = (await ct(t, 'GET', '/folder', { token: world.people.viewer.token })).json().content as { id: number }[];
  assert.deepEqual(list.map((f) => f.id).filter((id) => id === root.id || id === child.id), [root.id, child.id], 'by ascending id, readable by a viewer');
  assert.deepEqual((await folder(child.id)).json().content, [child]);
});

test('a folder needs a name; its parent must be a folder of the company', async () => {
  for (const [body, message] of [
    [{ is_dir: true }, /^name: a folder needs a name/],
    [{ name: 'x', parentId: 987654321 }, /^parentId: there is no folder with id 987654321/],
    [{ name: 'x', parentId: 'f1001' }, /parentId/],
  ] as const) {
    const res = await ct(t, 'POST', '/folder', { token: owner, body });
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.match(res.json().error, message);
  }
  const contact = await created(t, owner, 'contact', { fn: 'Not a folder' });
  assert.equal((await ct(t, 'POST', '/folder', { token: owner, body: { name: 'x', parentId: contact.id } })).statusCode, 400);
  const theirs = await created(t, world.people.globexOwner.token, 'folder', { name: 'Theirs' });
  assert.equal((await ct(t, 'POST', '/folder', { token: owner, body: { name: 'x', parentId: theirs.id } })).statusCode, 400);
  assert.equal((await folder(theirs.id)).statusCode, 404, 'another company’s folder is not found');
  assert.equal((await move(theirs.id, { name: 'Mine' })).statusCode, 404);
  assert.equal((await ct(t, 'DELETE', `/folder/${theirs.id}`, { token: owner })).statusCode, 404);
  assert.equal((await folder(theirs.id, world.people.globexOwner.token)).json().content[0].name, 'Theirs');
});

test('rename and move with name and parentId; the whole cached object can be sent back', async () => {
  const a = await created(t, owner, 'folder', { name: 'A' });
  const b = await created(t, owner, 'folder', { name: 'B' });
  const renamed = (await move(a.id, { ...a, name: 'A renamed' })).json().content[0];
  assert.deepEqual(renamed, { ...a, name: 'A renamed' });
  const moved = (await move(a.id, { parentId: b.id })).json().content[0];
  assert.deepEqual([moved.name, moved.parentId], ['A renamed', b.id]);
  const back = (await move(a.id, { parentId: null })).json().content[0];
  assert.equal(back.parentId, null);
  assert.equal((await ct(t, 'GET', `/folder/0${a.id}`, { token: owner })).statusCode, 200, 'a digit string names the folder');
  assert.equal((await ct(t, 'GET', '/folder/f1001', { token: owner })).statusCode, 404);
});

test('a folder is never moved into itself or one of its sub-folders, and stays where it was', async () => {
  const top = await created(t, owner, 'folder', { name: 'Top' });
  const middle = await created(t, owner, 'folder', { name: 'Middle', parentId: top.id });
  const bottom = await created(t, owner, 'folder', { name: 'Bottom', parentId: middle.id });
  for (const target of [top.id, middle.id, bottom.id]) {
    const res = await move(top.id, { parentId: target });
    assert.equal(res.statusCode, 400, `under ${target}`);
    assert.match(res.json().error, new RegExp(`^parentId ${target}: a folder cannot be moved into itself or one of its sub-folders`));
  }
  assert.equal((await folder(top.id)).json().content[0].parentId, null);
  assert.equal((await move(bottom.id, { parentId: top.id })).statusCode, 200, 'moving up the tree is fine');
});

test('deleting a folder deletes its sub-folders; viewers may neither add, change nor delete', async () => {
  const viewer = world.people.viewer.token;
  const top = await created(t, owner, 'folder', { name: 'To go' });
  const inner = await created(t, owner, 'folder', { name: 'Inner', parentId: top.id });
  const deepest = await created(t, owner, 'folder', { name: 'Deepest', parentId: inner.id });
  assert.equal((await ct(t, 'POST', '/folder', { token: viewer, body: { name: 'x' } })).statusCode, 403);
  assert.equal((await move(top.id, { name: 'x' }, viewer)).statusCode, 403);
  assert.equal((await ct(t, 'DELETE', `/folder/${top.id}`, { token: viewer })).statusCode, 403);
  const res = await ct(t, 'DELETE', `/folder/${top.id}`, { token: world.people.member.token });
  assert.deepEqual(res.json(), { status: 'OK' });
  for (const id of [top.id, inner.id, deepest.id]) assert.equal((await folder(id)).statusCode, 404);
});

test('files and linked files still cannot be added: POST answers 501, the folder endpoints work without /api too', async () => {
  assert.equal((await ct(t, 'POST', '/file', { token: owner, body: { name: 'a.pdf' } })).statusCode, 501);
  assert.equal((await ct(t, 'POST', '/linkedfile', { token: owner, body: { name: 'a', sys: 'D' } })).statusCode, 501);
  const res = await ct(t, 'POST', '/clevertim/folder', { token: owner, body: { name: 'Without api', is_dir: true } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().content[0].name, 'Without api');
});
