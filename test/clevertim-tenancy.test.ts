import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { issueApiToken } from '../src/platform/credentials/api-tokens.ts';
import { addMembership } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * Tenant isolation: a token of company A never reads, lists, changes or deletes company B's records.
 * B's ids are answered 404 by A, exactly like ids that exist nowhere; A cannot link to them either; and
 * after every attempt B's records are as they were.
 */
let t: TestApp;
let world: ClevertimWorld;
let ours: string;
let theirs: string;
const their: Record<string, Record<string, any>> = {};
let theirUserId: number;
before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  ours = world.people.owner.token;
  theirs = world.people.globexOwner.token;
  their.customfield = await created(t, theirs, 'customfield', { name: 'Secret field', elemType: 'input', modelType: ['customers', 'companies', 'cases', 'opportunities'] });
  their.company = await created(t, theirs, 'company', { cn: 'Globex Supplies', cf: { [their.customfield.id]: 'theirs' } });
  their.contact = await created(t, theirs, 'contact', { fn: 'Hank', ln: 'Scorpio', companyId: their.company.id });
  their.case = await created(t, theirs, 'case', { name: 'Doomsday device', cust: their.contact.id });
  their.opportunity = await created(t, theirs, 'opportunity', { name: 'Volcano lair', cust: their.company.id, value: '1000000' });
  their.task = await created(t, theirs, 'task', { name: 'Hammock district', cust: their.contact.id, case: their.case.id });
  their.note = await created(t, theirs, 'note', { desc: 'Their note', cust: [their.contact.id, their.company.id] });
  their.comment = await created(t, theirs, 'comment', { comment: 'Their comment', nid: their.note.id });
  theirUserId = (await ct(t, 'GET', '/user', { token: theirs })).json().content[0].id;
});
after(() => t.close());

const RESOURCES = ['customfield', 'company', 'contact', 'case', 'opportunity', 'task', 'note', 'comment'] as const;

async function theirRecordsNow() {
  const now: Record<string, unknown> = {};
  for (const resource of RESOURCES) now[resource] = (await ct(t, 'GET', `/${resource}/${their[resource]!.id}`, { token: theirs })).json();
  return now;
}

test('company A reads none of company B’s records: every id of B is 404 and no list of A shows one', async () => {
  for (const resource of RESOURCES) {
    for (const path of [`/${resource}/${their[resource]!.id}`, `/clevertim/${resource}/${their[resource]!.id}`]) {
      const res = await ct(t, 'GET', path, { token: ours });
      assert.equal(res.statusCode, 404, `GET ${path}`);
      assert.equal(res.json().status, 'ERROR');
    }
    const listed = (await ct(t, 'GET', `/${resource}`, { token: ours })).json().content as { id: number }[];
    assert.ok(!listed.some((record) => record.id === their[resource]!.id), `${resource} list`);
  }
  assert.equal((await ct(t, 'GET', `/user/${theirUserId}`, { token: ours })).statusCode, 404);
  assert.ok(!(await ct(t, 'GET', '/user', { token: ours })).json().content.some((u: { id: number }) => u.id === theirUserId));
});

test('company A changes and deletes none of company B’s records (404), even with an owner’s token and a whole record as the body', async () => {
  const before = await theirRecordsNow();
  for (const resource of RESOURCES) {
    const id = their[resource]!.id;
    const body = { ...their[resource], name: 'Hijacked', fn: 'Hijacked', cn: 'Hijacked', desc: 'Hijacked', comment: 'Hijacked' };
    for (const path of [`/${resource}/${id}`, `/clevertim/${resource}/${id}`]) {
      const put = await ct(t, 'PUT', path, { token: ours, body });
      assert.ok(put.statusCode === 404 || (resource === 'comment' && put.statusCode === 501), `PUT ${path}: ${put.statusCode}`);
      const del = await ct(t, 'DELETE', path, { token: ours });
      assert.equal(del.statusCode, 404, `DELETE ${path}`);
    }
  }
  assert.deepEqual(await theirRecordsNow(), before, 'B’s records are as they were');
});

test('company A cannot link its records to company B’s (400): contacts, companies, cases, opportunities, notes, tasks, users, custom fields', async () => {
  const attempts: [string, Record<string, unknown>, RegExp][] = [
    ['contact', { fn: 'x', companyId: their.company.id }, /^companyId: there is no company/],
    ['case', { name: 'x', cust: their.contact.id }, /^cust: there is no contact or company/],
    ['case', { name: 'x', leadUser: theirUserId }, /^leadUser: there is no user/],
    ['opportunity', { name: 'x', cust: their.company.id }, /^cust: there is no contact or company/],
    ['task', { name: 'x', case: their.case.id }, /^case: there is no case/],
    ['task', { name: 'x', opp: [their.opportunity.id] }, /^opp: there is no opportunity/],
    ['task', { name: 'x', aUserId: theirUserId }, /^aUserId: there is no user/],
    ['note', { desc: 'x', cust: [their.contact.id] }, /^cust: there is no contact or company/],
    ['note', { desc: 'x', opportunity: their.opportunity.id }, /^opportunity: there is no opportunity/],
    ['comment', { comment: 'x', nid: their.note.id }, /^nid: there is no note/],
    ['comment', { comment: 'x', tid: their.task.id }, /^tid: there is no task/],
    ['contact', { fn: 'x', cf: { [their.customfield.id]: 'mine now' } }, /^cf: there is no custom field/],
    ['contact', { fn: 'x', is_private: true, puser: theirUserId }, /^puser: there is no user/],
  ];
  const before = await theirRecordsNow();
  for (const [resource, body, message] of attempts) {
    const res = await ct(t, 'POST', `/${resource}`, { token: ours, body });
    assert.equal(res.statusCode, 400, `${resource} ${JSON.stringify(body)}: ${res.body}`);
    assert.match(res.json().error, message);
  }
  assert.deepEqual(await theirRecordsNow(), before, 'B’s back-references gained nothing');
});

test('ids are one sequence for everyone, so B’s ids are never A’s; A’s records in turn are invisible to B', async () => {
  const mine = await created(t, ours, 'contact', { fn: 'Ours' });
  assert.ok(!RESOURCES.some((resource) => their[resource]!.id === mine.id));
  assert.equal((await ct(t, 'GET', `/contact/${mine.id}`, { token: theirs })).statusCode, 404);
  assert.equal((await ct(t, 'DELETE', `/contact/${mine.id}`, { token: theirs })).statusCode, 404);
  assert.equal((await ct(t, 'GET', `/contact/${mine.id}`, { token: ours })).statusCode, 200);
});

test('the same person in both companies holds one token per company, and each reaches only its own company', async () => {
  const person = world.people.member.person;
  await addMembership(t.ctx.db.orm, { companyId: world.globex.id, personId: person.id, role: 'member' });
  const inGlobex = await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: world.globex.id, personId: person.id });
  assert.equal((await ct(t, 'GET', `/contact/${their.contact.id}`, { token: inGlobex.token })).statusCode, 200);
  assert.equal((await ct(t, 'GET', `/contact/${their.contact.id}`, { token: world.people.member.token })).statusCode, 404);
  const made = await created(t, inGlobex.token, 'contact', { fn: 'Made in Globex' });
  assert.equal((await ct(t, 'GET', `/contact/${made.id}`, { token: world.people.member.token })).statusCode, 404);
});
