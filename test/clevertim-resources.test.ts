import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * Every Clevertim resource beyond the contact (spec sections 3 and 4): cases, opportunities, tasks,
 * notes, comments, custom fields and their values, users and groups; the read-only back-references
 * kept from the children's links; visibility; and what deleting a record does to what linked to it.
 */
let t: TestApp;
let world: ClevertimWorld;
let owner: string;
let userIds: Record<string, number>;
before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  owner = world.people.owner.token;
  const users = (await ct(t, 'GET', '/user', { token: owner })).json().content as { id: number; email: string }[];
  userIds = Object.fromEntries(Object.entries(world.people).map(([role, p]) => [role, users.find((u) => u.email === p.person.email)?.id ?? -1]));
});
after(() => t.close());

const get = async (resource: string, id: number, token = owner) => {
  const res = await ct(t, 'GET', `/${resource}/${id}`, { token });
  return res.statusCode === 200 ? (res.json().content[0] as Record<string, any>) : null;
};
const put = async (resource: string, id: number, body: unknown, token = owner) => ct(t, 'PUT', `/${resource}/${id}`, { token, body });
const refused = async (method: 'POST' | 'PUT', path: string, body: unknown, message: RegExp) => {
  const res = await ct(t, method, path, { token: owner, body });
  assert.equal(res.statusCode, 400, `${method} ${path} ${JSON.stringify(body)}: ${res.body}`);
  assert.match(res.json().error, message);
};

describe('cases (spec 4.4)', () => {
  test('a case needs a name; it links a contact or company and a lead user', async () => {
    await refused('POST', '/case', { description: 'no name' }, /^name: a case needs a name/);
    const company = await created(t, owner, 'company', { cn: 'Case Co' });
    const kase = await created(t, owner, 'case', { name: 'Leaking boiler', cust: company.id, leadUser: userIds.member, tags: ['urgent'], description: 'Since Monday' });
    assert.deepEqual([kase.name, kase.cust, kase.leadUser, kase.tags, kase.description], ['Leaking boiler', company.id, userIds.member, ['urgent'], 'Since Monday']);
    assert.deepEqual([kase.tasks, kase.notes, kase.files, kase.lfiles], [[], [], [], []]);
    assert.deepEqual(kase.cf, {});
    await refused('POST', '/case', { name: 'x', leadUser: 987654 }, /^leadUser: there is no user with id 987654/);
    await refused('POST', '/case', { name: 'x', cust: 987654 }, /^cust: there is no contact or company with id 987654/);
  });
});

describe('opportunities (spec 4.5)', () => {
  test('value is decimal text; a number is accepted and stored as text (R-23); status defaults to Open (R-18)', async () => {
    const opp = await created(t, owner, 'opportunity', { name: 'Kitchen refit', value: '4500', currency: 'EUR' });
    assert.deepEqual([opp.value, opp.currency, opp.status], ['4500', 'EUR', 'Open']);
    const changed = (await put('opportunity', opp.id, { value: 1000.5, status: 'Won' })).json().content[0];
    assert.deepEqual([changed.value, changed.status], ['1000.5', 'Won']);
    await refused('PUT', `/opportunity/${opp.id}`, { value: 'lots' }, /^value must be a decimal amount/);
    await refused('PUT', `/opportunity/${opp.id}`, { value: -5 }, /^value must be a decimal amount/);
    await refused('POST', '/opportunity', { value: '10' }, /^name: an opportunity needs a name/);
  });
});

describe('tasks (spec 4.6)', () => {
  test('a task keeps its dates, type and recurrence; atypet mirrors atype; defaults are Not set, N and 1', async () => {
    const plain = await created(t, owner, 'task', { name: 'Plain' });
    assert.deepEqual([plain.atype, plain.atypet, plain.rec, plain.recevery, plain.recopts, plain.startDate, plain.is_completed, plain.is_deleted], ['Not set', 'Not set', 'N', 1, {}, null, false, false]);
    const task = await created(t, owner, 'task', {
      name: 'Clean up the dishes',
      atype: 'Email',
      location: 'Bromley',
      startDate: { y: 2017, mo: 5, d: 10, h: 9, mi: 0 },
      endDate: { y: 2017, mo: 5, d: 10, h: 10, mi: 0 },
      rec: 'W',
      recevery: 2,
      recopts: { type: 'weekday' },
      aUserId: userIds.admin,
    });
    assert.deepEqual(task.startDate, { y: 2017, mo: 5, d: 10, h: 9, mi: 0 });
    assert.deepEqual([task.atype, task.atypet, task.rec, task.recevery, task.recopts, task.aUserId], ['Email', 'Email', 'W', 2, { type: 'weekday' }, userIds.admin]);
    const timeOnly = await created(t, owner, 'task', { name: 'Time only', startDate: { h: 9, mi: 30 } });
    assert.deepEqual(timeOnly.startDate, { h: 9, mi: 30 });
    await refused('POST', '/task', { name: 'x', startDate: { y: 2017, mo: 2, d: 30 } }, /^startDate: 2017-2-30 is not a date/);
    await refused('POST', '/task', { name: 'x', startDate: { y: 2017, mo: 13, d: 1 } }, /^startDate must be/);
    await refused('POST', '/task', { name: 'x', atype: 'Party' }, /^atype must be one of Email, TO DO, Meeting, Not set, Call, Follow up, Appointment/);
    await refused('POST', '/task', { name: 'x', rec: 'Q' }, /^rec must be one of N, D, W, M, Y/);
    await refused('POST', '/task', { location: 'x' }, /^name: a task needs a name/);
  });

  test('case and opp are ids; a one-element list is accepted for them (R-22)', async () => {
    const kase = await created(t, owner, 'case', { name: 'For tasks' });
    const opp = await created(t, owner, 'opportunity', { name: 'For tasks' });
    const task = await created(t, owner, 'task', { name: 'Linked', case: [kase.id], opp: [opp.id] });
    assert.deepEqual([task.case, task.opp], [kase.id, opp.id]);
    await refused('POST', '/task', { name: 'x', case: [kase.id, kase.id + 1] }, /^case must be the id/);
    await refused('POST', '/task', { name: 'x', opp: kase.id }, new RegExp(`^opp: there is no opportunity with id ${kase.id}`));
  });

  test('completing is a PUT with is_completed; is_deleted keeps the task readable and listed; DELETE removes it (R-19)', async () => {
    const task = await created(t, owner, 'task', { name: 'To finish' });
    assert.equal((await put('task', task.id, { is_completed: true })).json().content[0].is_completed, true);
    assert.equal((await put('task', task.id, { is_deleted: true })).json().content[0].is_deleted, true);
    assert.equal((await get('task', task.id))?.is_deleted, true);
    assert.ok((await ct(t, 'GET', '/task', { token: owner })).json().content.some((x: { id: number }) => x.id === task.id));
    assert.equal((await ct(t, 'DELETE', `/task/${task.id}`, { token: owner })).statusCode, 200);
    assert.equal(await get('task', task.id), null);
  });
});

describe('notes (spec 4.7, R-8)', () => {
  test('cust is returned as a list, and accepted as one id or a list', async () => {
    const a = await created(t, owner, 'contact', { fn: 'Note', ln: 'Subject' });
    const b = await created(t, owner, 'company', { cn: 'Note Co' });
    const one = await created(t, owner, 'note', { desc: 'Called them', cust: a.id });
    assert.deepEqual(one.cust, [a.id]);
    const many = await created(t, owner, 'note', { desc: 'Met both', cust: [b.id, a.id] });
    assert.deepEqual(many.cust, [b.id, a.id], 'in the order given');
    const none = await created(t, owner, 'note', { desc: 'About no one' });
    assert.deepEqual(none.cust, []);
    const moved = (await put('note', many.id, { cust: [b.id] })).json().content[0];
    assert.deepEqual(moved.cust, [b.id]);
    await refused('POST', '/note', { desc: 'x', cust: [a.id, 'b'] }, /^cust must be the id/);
    await refused('POST', '/note', { desc: 'x', cust: [a.id, 987654] }, /^cust: there is no contact or company with id 987654/);
  });

  test('a note needs text; its type is N, S or M (E is the server’s); the headline is its first line', async () => {
    await refused('POST', '/note', { type: 'N' }, /^desc: a note needs text/);
    await refused('POST', '/note', { desc: 'x', type: 'E' }, /^type must be one of N, S, M/);
    const note = await created(t, owner, 'note', { desc: 'First line\nand more', type: 'S' });
    assert.deepEqual([note.type, note.fmt, note.hl, note.delvry], ['S', 'T', 'First line', 'N']);
  });
});

describe('back-references are read-only and kept from the children’s links (spec 4, R-10)', () => {
  test('a contact lists the notes, opportunities, tasks and cases that name it; a company too', async () => {
    const company = await created(t, owner, 'company', { cn: 'Backref Co' });
    const person = await created(t, owner, 'contact', { fn: 'Backref', companyId: company.id });
    const note = await created(t, owner, 'note', { desc: 'Both', cust: [person.id, company.id] });
    const opp = await created(t, owner, 'opportunity', { name: 'Deal', cust: person.id });
    const task = await created(t, owner, 'task', { name: 'Call', cust: person.id });
    const kase = await created(t, owner, 'case', { name: 'Issue', cust: company.id });
    const personNow = (await get('contact', person.id))!;
    assert.deepEqual([personNow.notes, personNow.opportunities, personNow.tasks, personNow.cases], [[note.id], [opp.id], [task.id], []]);
    const companyNow = (await get('company', company.id))!;
    assert.deepEqual([companyNow.notes, companyNow.opportunities, companyNow.tasks, companyNow.cases], [[note.id], [], [], [kase.id]]);
    const listed = (await ct(t, 'GET', '/contact', { token: owner })).json().content.find((c: { id: number }) => c.id === person.id);
    assert.deepEqual(listed.tasks, [task.id], 'lists carry the same back-references');

    // Moving the child moves the back-reference.
    await put('task', task.id, { cust: company.id });
    assert.deepEqual((await get('contact', person.id))!.tasks, []);
    assert.deepEqual((await get('company', company.id))!.tasks, [task.id]);
  });

  test('back-references sent in a body are ignored, never written', async () => {
    const person = await created(t, owner, 'contact', { fn: 'Ignored', notes: [1, 2], tasks: [3], cases: [4], opportunities: [5] });
    assert.deepEqual([person.notes, person.tasks, person.cases, person.opportunities], [[], [], [], []]);
    const res = await put('contact', person.id, { ...person, notes: [9], id: 123456, ao: '2001-01-01T00:00:00Z', userId: 99, is_company: true, lc: 'x', cphoto: 'y.jpg' });
    assert.equal(res.statusCode, 200);
    const after = res.json().content[0];
    assert.deepEqual([after.id, after.notes, after.is_company, after.lc, after.cphoto, after.userId], [person.id, [], false, null, null, person.userId]);
    assert.equal(after.ao, person.ao);
  });

  test('a case and an opportunity list their tasks and notes; a note and a task their comments', async () => {
    const kase = await created(t, owner, 'case', { name: 'Parent case' });
    const opp = await created(t, owner, 'opportunity', { name: 'Parent deal' });
    const task = await created(t, owner, 'task', { name: 'Child task', case: kase.id, opp: opp.id });
    const note = await created(t, owner, 'note', { desc: 'Child note', case: kase.id, opportunity: opp.id });
    assert.deepEqual([(await get('case', kase.id))!.tasks, (await get('case', kase.id))!.notes], [[task.id], [note.id]]);
    assert.deepEqual([(await get('opportunity', opp.id))!.tasks, (await get('opportunity', opp.id))!.notes], [[task.id], [note.id]]);
    const onNote = await created(t, owner, 'comment', { comment: 'On the note', nid: note.id });
    const onTask = await created(t, owner, 'comment', { comment: 'On the task', tid: task.id });
    assert.deepEqual((await get('note', note.id))!.comments, [onNote.id]);
    assert.deepEqual((await get('task', task.id))!.comments, [onTask.id]);
  });
});

describe('comments (spec 4.8, R-13)', () => {
  test('a comment is on exactly one note or task; "name" is accepted for "comment" on create; it cannot be changed', async () => {
    const note = await created(t, owner, 'note', { desc: 'Commented' });
    const task = await created(t, owner, 'task', { name: 'Commented' });
    const comment = await created(t, owner, 'comment', { name: 'Typo field', nid: [note.id] });
    assert.deepEqual([comment.comment, comment.nid, comment.tid], ['Typo field', note.id, null]);
    assert.equal(typeof comment.userId, 'number');
    assert.match(comment.ao, /Z$/);
    assert.ok(!('lm' in comment));
    await refused('POST', '/comment', { comment: 'both', nid: note.id, tid: task.id }, /^nid or tid: a comment is on exactly one/);
    await refused('POST', '/comment', { comment: 'neither' }, /^nid or tid/);
    await refused('POST', '/comment', { nid: note.id }, /^comment: a comment needs text/);
    const put501 = await put('comment', comment.id, { comment: 'edited' });
    assert.equal(put501.statusCode, 501);
    assert.equal((await get('comment', comment.id))!.comment, 'Typo field');
  });

  test('comments go with their note or task', async () => {
    const note = await created(t, owner, 'note', { desc: 'Goes' });
    const comment = await created(t, owner, 'comment', { comment: 'Goes too', nid: note.id });
    assert.equal((await ct(t, 'DELETE', `/note/${note.id}`, { token: owner })).statusCode, 200);
    assert.equal(await get('comment', comment.id), null);
  });
});

describe('deleting a record keeps what linked to it, without the link (spec 9)', () => {
  test('cases, opportunities and tasks lose their cust; notes drop the contact from cust', async () => {
    const person = await created(t, owner, 'contact', { fn: 'Leaving' });
    const other = await created(t, owner, 'contact', { fn: 'Staying' });
    const kase = await created(t, owner, 'case', { name: 'Orphan case', cust: person.id });
    const opp = await created(t, owner, 'opportunity', { name: 'Orphan deal', cust: person.id });
    const task = await created(t, owner, 'task', { name: 'Orphan task', cust: person.id, case: kase.id });
    const note = await created(t, owner, 'note', { desc: 'Orphan note', cust: [person.id, other.id], case: kase.id });
    assert.equal((await ct(t, 'DELETE', `/contact/${person.id}`, { token: owner })).statusCode, 200);
    assert.equal((await get('case', kase.id))!.cust, null);
    assert.equal((await get('opportunity', opp.id))!.cust, null);
    assert.equal((await get('task', task.id))!.cust, null);
    assert.deepEqual((await get('note', note.id))!.cust, [other.id]);

    assert.equal((await ct(t, 'DELETE', `/case/${kase.id}`, { token: owner })).statusCode, 200);
    assert.equal((await get('task', task.id))!.case, null);
    assert.equal((await get('note', note.id))!.case, null);
  });
});

describe('custom fields (spec 4.9, 4.10, R-7)', () => {
  test('a definition needs a name, a known elemType, a non-empty modelType, and values when it is a select', async () => {
    await refused('POST', '/customfield', { elemType: 'input', modelType: ['customers'] }, /^name: a custom field needs a name/);
    await refused('POST', '/customfield', { name: 'x', modelType: ['customers'] }, /^elemType: a custom field needs a type/);
    await refused('POST', '/customfield', { name: 'x', elemType: 'colour', modelType: ['customers'] }, /^elemType must be one of input, select, date/);
    await refused('POST', '/customfield', { name: 'x', elemType: 'input' }, /^modelType: a custom field needs the models/);
    await refused('POST', '/customfield', { name: 'x', elemType: 'input', modelType: [] }, /^modelType must be a non-empty list/);
    await refused('POST', '/customfield', { name: 'x', elemType: 'input', modelType: ['people'] }, /^modelType must be a non-empty list/);
    await refused('POST', '/customfield', { name: 'x', elemType: 'select', modelType: ['cases'] }, /^values: a select field needs its list of allowed values/);
    for (const elemType of ['input', 'select', 'date', 'user', 'state', 'country', 'region', 'contact', 'company', 'case', 'opportunity', 'currency']) {
      const field = await created(t, owner, 'customfield', { name: `A ${elemType}`, elemType, modelType: ['customers'], values: elemType === 'select' ? ['a'] : [] });
      assert.deepEqual([field.elemType, field.fullname, field.app, field.multiple], [elemType, `A ${elemType}`, null, false]);
    }
  });

  test('values on contacts, companies, cases and opportunities, in the encodings of the spec', async () => {
    const field = async (body: Record<string, unknown>) => (await created(t, owner, 'customfield', body)).id as number;
    const source = await field({ name: 'Lead source', elemType: 'select', modelType: ['customers', 'companies'], values: ['Web', 'Referral'] });
    const since = await field({ name: 'Customer since', elemType: 'date', modelType: ['customers', 'cases', 'opportunities'] });
    const manager = await field({ name: 'Account manager', elemType: 'user', modelType: ['customers'] });
    const areas = await field({ name: 'Areas', elemType: 'input', modelType: ['companies'], multiple: true });
    const rating = await field({ name: 'Rating', elemType: 'select', modelType: ['opportunities', 'cases'], values: ['Hot', 'Cold'], multiple: true });

    const person = await created(t, owner, 'contact', { fn: 'Custom', cf: { [source]: 'Web', [since]: '2017-05-22', [manager]: String(userIds.member) } });
    assert.deepEqual(person.cf, { [source]: 'Web', [since]: '2017-05-22', [manager]: String(userIds.member) });
    const company = await created(t, owner, 'company', { cn: 'Custom Co', cf: { [source]: 'Referral', [areas]: ['North', 'South'] } });
    assert.deepEqual(company.cf, { [source]: 'Referral', [areas]: ['North', 'South'] });
    const kase = await created(t, owner, 'case', { name: 'Custom case', cf: { [since]: '2020-02-29', [rating]: ['Hot'] } });
    assert.deepEqual(kase.cf, { [since]: '2020-02-29', [rating]: ['Hot'] });
    const opp = await created(t, owner, 'opportunity', { name: 'Custom deal', cf: { [rating]: ['Hot', 'Cold'] } });
    assert.deepEqual(opp.cf, { [rating]: ['Hot', 'Cold'] });

    // PUT replaces cf as a whole; a null value leaves the field out.
    const replaced = (await put('contact', person.id, { cf: { [source]: 'Referral', [since]: null } })).json().content[0];
    assert.deepEqual(replaced.cf, { [source]: 'Referral' });

    await refused('PUT', `/contact/${person.id}`, { cf: { 99999999: 'x' } }, /^cf: there is no custom field with id "99999999"/);
    await refused('PUT', `/contact/${person.id}`, { cf: { abc: 'x' } }, /^cf: there is no custom field with id "abc"/);
    await refused('PUT', `/contact/${person.id}`, { cf: { [areas]: ['x'] } }, /does not apply to customers/);
    await refused('PUT', `/contact/${person.id}`, { cf: { [source]: 'Billboard' } }, /must be one of "Web", "Referral"/);
    await refused('PUT', `/contact/${person.id}`, { cf: { [since]: '22/05/2017' } }, /must be a date written YYYY-MM-DD/);
    await refused('PUT', `/contact/${person.id}`, { cf: { [since]: '2017-02-30' } }, /must be a date written YYYY-MM-DD/);
    await refused('PUT', `/contact/${person.id}`, { cf: { [manager]: 'Bob' } }, /must be the id of a user as text/);
    await refused('PUT', `/company/${company.id}`, { cf: { [areas]: 'North' } }, /holds several values: send a list/);
    await refused('PUT', `/company/${company.id}`, { cf: { [source]: ['Web'] } }, /holds one value, not a list/);
    await refused('PUT', `/contact/${person.id}`, { cf: ['x'] }, /^cf must be an object/);
    assert.deepEqual((await get('contact', person.id))!.cf, { [source]: 'Referral' }, 'refused writes changed nothing');
  });

  test('a value of a user, contact, company, case or opportunity field must name one the caller may see in their company: otherwise 400, nothing written', async () => {
    const field = async (elemType: string, multiple = false) => (await created(t, owner, 'customfield', { name: `Points at a ${elemType}${multiple ? 's' : ''}`, elemType, modelType: ['customers', 'cases'], multiple })).id as number;
    const [userField, contactField, companyField, caseField, oppField, contactsField] = [await field('user'), await field('contact'), await field('company'), await field('case'), await field('opportunity'), await field('contact', true)];
    const person = await created(t, owner, 'contact', { fn: 'Referrer' });
    const firm = await created(t, owner, 'company', { cn: 'Referring Firm' });
    const kase = await created(t, owner, 'case', { name: 'Referenced case' });
    const deal = await created(t, owner, 'opportunity', { name: 'Referenced deal' });
    const ok = await created(t, owner, 'contact', {
      fn: 'Pointing',
      cf: { [userField]: String(userIds.member), [contactField]: String(person.id), [companyField]: firm.id, [caseField]: String(kase.id), [oppField]: String(deal.id), [contactsField]: [String(person.id)] },
    });
    assert.deepEqual(ok.cf[companyField], String(firm.id), 'stored in the text form');

    const theirs = await created(t, world.people.globexOwner.token, 'contact', { fn: 'Globex person' });
    const secret = await created(t, owner, 'case', { name: 'The owner’s own', is_private: true });
    const globexUser = (await ct(t, 'GET', '/user', { token: world.people.globexOwner.token })).json().content[0].id as number;
    for (const [key, value, message] of [
      [userField, String(globexUser), `cf.${userField}: there is no user with id ${globexUser}`],
      [contactField, String(firm.id), `cf.${contactField}: there is no contact with id ${firm.id}`],
      [companyField, String(person.id), `cf.${companyField}: there is no company with id ${person.id}`],
      [contactField, String(theirs.id), `cf.${contactField}: there is no contact with id ${theirs.id}`],
      [caseField, '987654321', `cf.${caseField}: there is no case with id 987654321`],
      [oppField, String(kase.id), `cf.${oppField}: there is no opportunity with id ${kase.id}`],
      [contactsField, [String(person.id), String(theirs.id)], `cf.${contactsField}: there is no contact with id ${theirs.id}`],
    ] as const) {
      await refused('PUT', `/contact/${ok.id}`, { cf: { [key]: value } }, new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    // A private case of the owner is no case to the member (R-5: it does not exist for them); admins see it.
    const forMember = await ct(t, 'POST', '/contact', { token: world.people.member.token, body: { fn: 'x', cf: { [caseField]: String(secret.id) } } });
    assert.equal(forMember.statusCode, 400);
    assert.match(forMember.json().error, new RegExp(`^cf.${caseField}: there is no case with id ${secret.id}`));
    assert.equal((await ct(t, 'POST', '/case', { token: world.people.admin.token, body: { name: 'x', cf: { [caseField]: String(secret.id) } } })).statusCode, 200);
    assert.deepEqual((await get('contact', ok.id))!.cf[contactField], String(person.id), 'refused writes changed nothing');
  });

  test('a changed definition never makes the API return a value that no longer fits; a deleted one takes its values with it', async () => {
    const field = await created(t, owner, 'customfield', { name: 'Size', elemType: 'select', modelType: ['customers'], values: ['S', 'M', 'L'] });
    const person = await created(t, owner, 'contact', { fn: 'Sized', cf: { [field.id]: 'M' } });
    const narrowed = await put('customfield', field.id, { values: ['S', 'L'] });
    assert.equal(narrowed.statusCode, 200);
    assert.deepEqual((await get('contact', person.id))!.cf, {}, 'M is no longer a value of the field');
    await put('customfield', field.id, { values: ['S', 'M', 'L'] });
    assert.deepEqual((await get('contact', person.id))!.cf, { [field.id]: 'M' }, 'kept until edited');
    assert.equal((await ct(t, 'DELETE', `/customfield/${field.id}`, { token: owner })).statusCode, 200);
    assert.deepEqual((await get('contact', person.id))!.cf, {});
    await refused('PUT', `/contact/${person.id}`, { cf: { [field.id]: 'M' } }, /there is no custom field/);
  });

  test('the whole list is readable, as clients read it (spec 7.10)', async () => {
    const list = (await ct(t, 'GET', '/customfield', { token: world.people.viewer.token })).json().content as { id: number; modelType: string[]; values: string[] }[];
    assert.ok(list.length > 0);
    assert.ok(list.every((f) => typeof f.id === 'number' && Array.isArray(f.modelType) && Array.isArray(f.values)));
  });
});

describe('visibility: private records (spec 4.1, R-5)', () => {
  test('a private record is seen by its user and by owners and admins; for everyone else it does not exist', async () => {
    const member = world.people.member.token;
    const secret = await created(t, member, 'contact', { fn: 'Secret', is_private: true });
    assert.equal(secret.puser, userIds.member, 'private to whoever made it private');
    const task = await created(t, member, 'task', { name: 'Secret task', is_private: true, cust: secret.id });
    assert.equal((await get('contact', secret.id, member))?.fn, 'Secret');
    assert.equal((await get('contact', secret.id, owner))?.fn, 'Secret');
    assert.equal((await get('contact', secret.id, world.people.admin.token))?.fn, 'Secret');
    const viewer = world.people.viewer.token;
    assert.equal(await get('contact', secret.id, viewer), null);
    assert.ok(!(await ct(t, 'GET', '/contact', { token: viewer })).json().content.some((c: { id: number }) => c.id === secret.id));
    assert.equal(await get('task', task.id, viewer), null);
    const shared = await created(t, owner, 'contact', { fn: 'Shared' });
    await put('task', task.id, { cust: shared.id }, member);
    assert.deepEqual((await get('contact', shared.id, viewer))!.tasks, [], 'a private task is left out of back-references too');
    assert.deepEqual((await get('contact', shared.id, member))!.tasks, [task.id]);
  });

  test('a private record can be given to another user; a gid must name groups of the company', async () => {
    const handed = await created(t, owner, 'case', { name: 'For the member', is_private: true, puser: userIds.member });
    assert.equal((await get('case', handed.id, world.people.member.token))?.name, 'For the member');
    assert.equal(await get('case', handed.id, world.people.viewer.token), null);
    await refused('POST', '/case', { name: 'x', gid: 4 }, /^gid 4: 4 is not the gid of a group of Acme Plumbing/);
    await refused('POST', '/case', { name: 'x', gid: -1 }, /gid/);
    await refused('POST', '/case', { name: 'x', puser: 987654 }, /^puser: there is no user with id 987654/);
    assert.equal((await created(t, owner, 'case', { name: 'Everyone', gid: 0 })).gid, 0);
  });
});

describe('users and groups (spec 4.11)', () => {
  test('a company without groups: an empty list, and no group by id', async () => {
    assert.deepEqual((await ct(t, 'GET', '/group', { token: owner })).json(), { status: 'OK', content: [] });
    assert.equal((await ct(t, 'GET', '/group/1', { token: owner })).statusCode, 404);
  });

  test('files and linked files: nothing can be added (501), so empty lists and 404 for every id, to read, rename or delete', async () => {
    for (const resource of ['file', 'linkedfile']) {
      assert.deepEqual((await ct(t, 'GET', `/${resource}`, { token: owner })).json(), { status: 'OK', content: [] });
      assert.equal((await ct(t, 'GET', `/${resource}/1`, { token: owner })).statusCode, 404);
      assert.equal((await ct(t, 'PUT', `/${resource}/1`, { token: owner, body: { name: 'x' } })).statusCode, 404);
      assert.equal((await ct(t, 'DELETE', `/${resource}/1`, { token: owner })).statusCode, 404);
      assert.equal((await ct(t, 'DELETE', `/${resource}/1`, { token: world.people.viewer.token })).statusCode, 403, 'permissions first');
      const post = await ct(t, 'POST', `/${resource}`, { token: owner, body: { name: 'Docs', parentId: null } });
      assert.equal(post.statusCode, 501);
      assert.match(post.json().error, /cannot be (uploaded|added)/);
    }
  });

  test('a user of another company is not a user here', async () => {
    const theirs = (await ct(t, 'GET', '/user', { token: world.people.globexOwner.token })).json().content[0].id as number;
    assert.equal((await ct(t, 'GET', `/user/${theirs}`, { token: owner })).statusCode, 404);
    await refused('POST', '/case', { name: 'x', leadUser: theirs }, new RegExp(`^leadUser: there is no user with id ${theirs}`));
  });
});
