import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { apis } from '../src/apis/index.ts';
import { groups as groupsTable } from '../src/platform/tenancy/schema.ts';
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember, renameGroup, type GroupDeletedHook } from '../src/platform/tenancy/groups.ts';
import { TenancyInputError } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';
import { hiddenFields, mergeCookies, sessionCookieFor } from './support/oauth-fixtures.ts';

/**
 * Groups of a company's people (platform tenancy groups) and Clevertim's R-5 on them: GET /group lists the
 * company's groups with their `gid` bit and members; a record with `gid` ≠ 0 is seen only by members of a
 * group whose bit is set (and by its `puser`, owners and admins); a `gid` naming no group is a 400; a
 * deleted group's bit leaves every record. The console page Groups is for owners and admins only.
 */
let t: TestApp;
let world: ClevertimWorld;
let userIds: Record<string, number>;
const hooks: GroupDeletedHook[] = apis.flatMap((api) => (api.groupDeleted ? [api.groupDeleted] : []));

before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  const users = (await ct(t, 'GET', '/user', { token: world.people.owner.token })).json().content as { id: number; email: string }[];
  userIds = Object.fromEntries(Object.entries(world.people).map(([role, p]) => [role, users.find((u) => u.email === p.person.email)?.id ?? -1]));
});
after(() => t.close());

const orm = () => t.ctx.db.orm;
const get = async (resource: string, id: number, token: string) => {
  const res = await ct(t, 'GET', `/${resource}/${id}`, { token });
  return res.statusCode === 200 ? res.json().content[0] : res.statusCode;
};
const listed = async (resource: string, token: string) => ((await ct(t, 'GET', `/${resource}`, { token })).json().content as { id: number }[]).map((r) => r.id);

describe('platform groups', () => {
  test('each group of a company gets the lowest free bit; names are unique per company, case-insensitively', async () => {
    const company = world.globex.id;
    const a = await createGroup(orm(), company, { name: 'Alpha' });
    const b = await createGroup(orm(), company, { name: 'Beta' });
    assert.deepEqual([a.bit, b.bit], [0, 1]);
    await assert.rejects(createGroup(orm(), company, { name: ' alpha ' }), (e: unknown) => e instanceof TenancyInputError && /already has a group named "alpha"/.test(e.message));
    await assert.rejects(createGroup(orm(), company, { name: '  ' }), TenancyInputError);
    // Another company has its own names and bits.
    const elsewhere = await createGroup(orm(), world.acme.id, { name: 'Alpha' });
    assert.equal(elsewhere.bit, 0);
    await deleteGroup(orm(), company, a.id, hooks);
    assert.equal((await createGroup(orm(), company, { name: 'Gamma' })).bit, 0, 'a deleted group’s bit is free again');
    await deleteGroup(orm(), world.acme.id, elsewhere.id, hooks);
  });

  test('only members of the company can be in its groups; a group of another company is not found through this one', async () => {
    const group = await createGroup(orm(), world.acme.id, { name: 'Members only' });
    await assert.rejects(addGroupMember(orm(), world.acme.id, group.id, world.people.globexOwner.person.id), /Only members of the company/);
    assert.equal(await addGroupMember(orm(), world.globex.id, group.id, world.people.globexOwner.person.id), null);
    assert.equal(await renameGroup(orm(), world.globex.id, group.id, 'Stolen'), null);
    assert.equal(await deleteGroup(orm(), world.globex.id, group.id, hooks), null);
    await addGroupMember(orm(), world.acme.id, group.id, world.people.member.person.id);
    await addGroupMember(orm(), world.acme.id, group.id, world.people.member.person.id);
    assert.deepEqual((await listGroups(orm(), world.acme.id, [group.id]))[0]!.members.map((m) => m.email), [world.people.member.person.email]);
    assert.equal(await removeGroupMember(orm(), world.acme.id, group.id, world.people.member.person.id), true);
    assert.equal(await removeGroupMember(orm(), world.acme.id, group.id, world.people.member.person.id), false);
    await deleteGroup(orm(), world.acme.id, group.id, hooks);
  });
});

describe('Clevertim groups and R-5', () => {
  test('GET /group lists the company’s groups with numeric ids, their gid and their members’ user ids; writes are 501', async () => {
    const crew = await createGroup(orm(), world.acme.id, { name: 'Crew' });
    await addGroupMember(orm(), world.acme.id, crew.id, world.people.member.person.id);
    const token = world.people.viewer.token;
    const groups = (await ct(t, 'GET', '/group', { token })).json().content as { id: number; name: string; gid: number; users: number[] }[];
    const mine = groups.find((g) => g.name === 'Crew')!;
    assert.deepEqual(mine, { id: mine.id, name: 'Crew', gid: 2 ** crew.bit, users: [userIds.member] });
    assert.equal(typeof mine.id, 'number');
    assert.deepEqual((await ct(t, 'GET', `/group/${mine.id}`, { token })).json().content, [mine]);
    assert.equal((await ct(t, 'GET', `/group/${mine.id}`, { token: world.people.globexOwner.token })).statusCode, 404, 'another company’s group is not there');
    assert.ok(!((await ct(t, 'GET', '/group', { token: world.people.globexOwner.token })).json().content as { name: string }[]).some((g) => g.name === 'Crew'));
    for (const [method, path] of [['POST', '/group'], ['PUT', `/group/${mine.id}`], ['DELETE', `/group/${mine.id}`]] as const) {
      const res = await ct(t, method, path, { token: world.people.owner.token, body: { name: 'x' } });
      assert.equal(res.statusCode, 501, `${method} ${path}`);
      assert.match(res.json().error, /console page Groups/);
    }
    await deleteGroup(orm(), world.acme.id, crew.id, hooks);
  });

  test('a group-restricted record is seen by its group’s members, its puser, owners and admins; to anyone else it is 404 and absent from lists and back-references', async () => {
    const crew = await createGroup(orm(), world.acme.id, { name: 'Night crew' });
    const gid = 2 ** crew.bit;
    await addGroupMember(orm(), world.acme.id, crew.id, world.people.viewer.person.id);
    const customer = await created(t, world.people.owner.token, 'company', { cn: 'Restricted Customer Ltd' });
    const kase = await created(t, world.people.owner.token, 'case', { name: 'Night work', gid, cust: customer.id });
    assert.equal(kase.gid, gid);
    assert.equal((await get('case', kase.id, world.people.viewer.token)).name, 'Night work', 'a member of the group');
    assert.equal((await get('case', kase.id, world.people.admin.token)).name, 'Night work', 'an admin');
    assert.equal(await get('case', kase.id, world.people.member.token), 404, 'not in the group');
    assert.ok(!(await listed('case', world.people.member.token)).includes(kase.id));
    assert.ok((await listed('case', world.people.viewer.token)).includes(kase.id));
    assert.deepEqual((await get('company', customer.id, world.people.member.token)).cases, [], 'left out of back-references');
    assert.deepEqual((await get('company', customer.id, world.people.viewer.token)).cases, [kase.id]);
    const change = await ct(t, 'PUT', `/case/${kase.id}`, { token: world.people.member.token, body: { name: 'Mine now' } });
    assert.equal(change.statusCode, 404, 'what one cannot see one cannot change');
    assert.equal((await ct(t, 'DELETE', `/case/${kase.id}`, { token: world.people.member.token })).statusCode, 404);
    // Given to the member by name, they see it without being in the group.
    await ct(t, 'PUT', `/case/${kase.id}`, { token: world.people.owner.token, body: { puser: userIds.member } });
    assert.equal((await get('case', kase.id, world.people.member.token)).name, 'Night work');
    // Leaving the group ends the viewer's sight of it.
    await removeGroupMember(orm(), world.acme.id, crew.id, world.people.viewer.person.id);
    assert.equal(await get('case', kase.id, world.people.viewer.token), 404);
    await deleteGroup(orm(), world.acme.id, crew.id, hooks);
  });

  test('a gid with bits of groups that do not exist (or of another company’s) is a 400, and nothing is written', async () => {
    const mine = await createGroup(orm(), world.acme.id, { name: 'Bit check' });
    const theirs = await createGroup(orm(), world.globex.id, { name: 'Theirs' });
    const token = world.people.owner.token;
    const before = (await listed('task', token)).length;
    const free = [...Array(31).keys()].find((bit) => bit !== mine.bit && bit !== theirs.bit)!;
    for (const gid of [2 ** free, 2 ** mine.bit + 2 ** free]) {
      const res = await ct(t, 'POST', '/task', { token, body: { name: 'x', gid } });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error, new RegExp(`^gid ${gid}: ${2 ** free} is not the gid of a group of Acme Plumbing`));
    }
    if (theirs.bit !== mine.bit) assert.equal((await ct(t, 'POST', '/task', { token, body: { name: 'x', gid: 2 ** theirs.bit } })).statusCode, 400);
    for (const gid of [1.5, '1', 2 ** 31, -2]) assert.equal((await ct(t, 'POST', '/task', { token, body: { name: 'x', gid } })).statusCode, 400, `gid ${gid}`);
    assert.equal((await listed('task', token)).length, before);
    const task = await created(t, token, 'task', { name: 'For the group', gid: 2 ** mine.bit });
    const cleared = await ct(t, 'PUT', `/task/${task.id}`, { token, body: { ...task, gid: 0 } });
    assert.equal(cleared.json().content[0].gid, 0, 'the whole cached object with gid 0 opens it to everyone');
    await deleteGroup(orm(), world.acme.id, mine.id, hooks);
    await deleteGroup(orm(), world.globex.id, theirs.id, hooks);
  });

  test('deleting a group takes its bit out of every record; a record only it could see becomes private to its creator, so a new group with the bit sees nothing', async () => {
    const first = await createGroup(orm(), world.acme.id, { name: 'Short-lived' });
    const other = await createGroup(orm(), world.acme.id, { name: 'Stays' });
    await addGroupMember(orm(), world.acme.id, first.id, world.people.viewer.person.id);
    const gid = 2 ** first.bit;
    const only = await created(t, world.people.owner.token, 'opportunity', { name: 'Only the short-lived group', gid });
    const both = await created(t, world.people.owner.token, 'contact', { fn: 'Both groups', gid: gid + 2 ** other.bit });
    await deleteGroup(orm(), world.acme.id, first.id, hooks);

    const onlyNow = await get('opportunity', only.id, world.people.owner.token);
    assert.deepEqual([onlyNow.gid, onlyNow.is_private, onlyNow.puser], [0, true, userIds.owner]);
    assert.equal((await get('contact', both.id, world.people.owner.token)).gid, 2 ** other.bit);

    const successor = await createGroup(orm(), world.acme.id, { name: 'Successor' });
    assert.equal(successor.bit, first.bit, 'the bit is given again');
    await addGroupMember(orm(), world.acme.id, successor.id, world.people.member.person.id);
    assert.equal(await get('opportunity', only.id, world.people.member.token), 404);
    assert.equal(await get('contact', both.id, world.people.member.token), 404);
    assert.equal(await get('opportunity', only.id, world.people.viewer.token), 404);
    await deleteGroup(orm(), world.acme.id, successor.id, hooks);
    await deleteGroup(orm(), world.acme.id, other.id, hooks);
  });
});

describe('the console page Groups', () => {
  const pagePath = (companyId: string) => `/companies/${companyId}/groups`;

  async function open(cookie: string, companyId = world.acme.id) {
    const res = await t.app.inject({ url: pagePath(companyId), headers: { cookie } });
    return { res, cookie: mergeCookies(cookie, res.headers['set-cookie']), csrf: hiddenFields(res.body)._csrf ?? '' };
  }
  const post = (page: { cookie: string; csrf: string }, path: string, fields: Record<string, string>, companyId = world.acme.id) =>
    t.app.inject({
      method: 'POST',
      url: `${pagePath(companyId)}${path}`,
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: page.csrf, ...fields }).toString(),
    });
  const groupNamed = async (name: string) => (await orm().select().from(groupsTable).where(eq(groupsTable.companyId, world.acme.id))).find((g) => g.name === name);

  test('an admin creates, renames, fills, empties and deletes a group', async () => {
    const page = await open(await sessionCookieFor(t, world.people.admin.person));
    assert.equal(page.res.statusCode, 200);
    let res = await post(page, '', { name: 'Plumbers' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${pagePath(world.acme.id)}?notice=created`);
    const group = (await groupNamed('Plumbers'))!;
    res = await post(page, `/${group.id}/rename`, { name: 'Senior plumbers' });
    assert.equal(res.statusCode, 303);
    assert.equal((await groupNamed('Senior plumbers'))?.id, group.id);
    res = await post(page, `/${group.id}/members`, { personId: world.people.member.person.id });
    assert.equal(res.statusCode, 303);
    const shown = await open(page.cookie);
    assert.match(shown.res.body, new RegExp(`data-member="${world.people.member.person.email.replace(/\./g, '\\.')}"`));
    assert.match(shown.res.body, new RegExp(`<code data-field="gid">${2 ** group.bit}</code>`));
    res = await post(page, `/${group.id}/members/${world.people.member.person.id}/remove`, {});
    assert.equal(res.statusCode, 303);
    assert.deepEqual((await listGroups(orm(), world.acme.id, [group.id]))[0]!.members, []);
    res = await post(page, `/${group.id}/delete`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(await groupNamed('Senior plumbers'), undefined);
  });

  test('bad input shows the page again with the problem; an outsider cannot be added; an unknown group is 404', async () => {
    const page = await open(await sessionCookieFor(t, world.people.owner.person));
    await post(page, '', { name: 'Taken' });
    let res = await post(page, '', { name: 'TAKEN' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /already has a group named &quot;TAKEN&quot;|already has a group named "TAKEN"/);
    res = await post(page, '', { name: '' });
    assert.equal(res.statusCode, 400);
    const group = (await groupNamed('Taken'))!;
    res = await post(page, `/${group.id}/members`, { personId: world.people.globexOwner.person.id });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Only members of the company can be in its groups/);
    assert.equal((await post(page, '/nosuchgroup/delete', {})).statusCode, 404);
    await deleteGroup(orm(), world.acme.id, group.id, hooks);
  });

  test('members and viewers have no such page, and their forms change nothing; nor does a form without its CSRF token', async () => {
    const owner = await open(await sessionCookieFor(t, world.people.owner.person));
    await post(owner, '', { name: 'Guarded' });
    const group = (await groupNamed('Guarded'))!;
    for (const role of ['member', 'viewer'] as const) {
      const cookie = await sessionCookieFor(t, world.people[role].person);
      const page = await open(cookie);
      assert.equal(page.res.statusCode, 404, role);
      // A valid CSRF token of their own session (from the console home's sign-out form): the role is what stops them.
      const home = await t.app.inject({ url: '/', headers: { cookie: page.cookie } });
      const withTheirSession = { cookie: mergeCookies(page.cookie, home.headers['set-cookie']), csrf: hiddenFields(home.body)._csrf! };
      for (const [path, fields] of [['', { name: 'Sneaky' }], [`/${group.id}/delete`, {}], [`/${group.id}/rename`, { name: 'Sneaky' }], [`/${group.id}/members`, { personId: world.people[role].person.id }]] as const) {
        const res = await post(withTheirSession, path, fields);
        assert.equal(res.statusCode, 404, `${role} ${path}`);
      }
      assert.ok(!home.body.includes(pagePath(world.acme.id)), `${role}: no link to the page on the console home`);
    }
    assert.equal((await post({ cookie: owner.cookie, csrf: 'forged' }, `/${group.id}/delete`, {})).statusCode, 403);
    const after = (await listGroups(orm(), world.acme.id, [group.id]))[0]!;
    assert.deepEqual([after.name, after.members], ['Guarded', []]);
    assert.equal(await groupNamed('Sneaky'), undefined);
    const home = await t.app.inject({ url: '/', headers: { cookie: owner.cookie } });
    assert.ok(home.body.includes(`href="${pagePath(world.acme.id)}"`), 'the owner’s console home links the page');
    assert.equal((await open(owner.cookie, world.globex.id)).res.statusCode, 404, 'not for a company one does not belong to');
    await deleteGroup(orm(), world.acme.id, group.id, hooks);
  });
});
