import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { issueApiToken } from '../src/platform/credentials/api-tokens.ts';
import { ctContacts } from '../src/apis/clevertim/schema.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { basic, clevertimWorld, created, ct, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * The Clevertim API's foundation as the seed and spec sections 2, 5 and 8 state it: HTTP Basic with
 * the API token, the success and error envelopes with their statuses, the user's permissions, and
 * contacts and companies sharing one id space.
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

async function contactCount(companyId: string): Promise<number> {
  return (await t.ctx.db.orm.select({ id: ctContacts.id }).from(ctContacts).where(eq(ctContacts.companyId, companyId))).length;
}

describe('authentication: HTTP Basic with the API token as user name (seed, R-2, R-3)', () => {
  test('the token as user name with X as password reads the data', async () => {
    const res = await ct(t, 'GET', '/contact', { token: owner });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'OK', content: [] });
  });

  test('the password is not checked: any, empty, or none at all', async () => {
    for (const authorization of [basic(owner, 'anything'), basic(owner, ''), `Basic ${Buffer.from(owner).toString('base64')}`]) {
      const res = await ct(t, 'GET', '/contact', { headers: { authorization } });
      assert.equal(res.statusCode, 200, `${authorization}: ${res.body}`);
    }
  });

  test('the scheme is case-insensitive and the Python 3 client’s b\'...\' and b"..." wrappers are accepted', async () => {
    const encoded = Buffer.from(`${owner}:X`).toString('base64');
    for (const authorization of [`basic ${encoded}`, `BASIC ${encoded}`, `Basic b'${encoded}'`, `Basic b"${encoded}"`]) {
      const res = await ct(t, 'GET', '/contact', { headers: { authorization } });
      assert.equal(res.statusCode, 200, `${authorization}: ${res.body}`);
    }
  });

  test('no header, another scheme, undecodable credentials or an unknown token: 401, the error envelope and the Basic challenge', async () => {
    const encoded = Buffer.from(`${owner}:X`).toString('base64');
    const attempts: (string | undefined)[] = [
      undefined,
      `Bearer ${owner}`,
      'Basic !!!not-base64!!!',
      `Basic ${Buffer.from('NoSuchTokenAtAll1234567890:X').toString('base64')}`,
      `Basic ${Buffer.from(':X').toString('base64')}`,
      `Basic b'${encoded}`,
      'Basic',
    ];
    for (const authorization of attempts) {
      const res = await ct(t, 'GET', '/contact', { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(res.statusCode, 401, `${authorization}: ${res.body}`);
      assert.deepEqual(res.json(), { status: 'ERROR', error: 'Authentication failed' });
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Clevertim API"');
    }
  });

  test('regenerating a token ends the old one at once', async () => {
    const { person } = world.people.member;
    const first = await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: world.acme.id, personId: person.id });
    assert.equal((await ct(t, 'GET', '/contact', { token: first.token })).statusCode, 200);
    const second = await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: world.acme.id, personId: person.id });
    assert.equal((await ct(t, 'GET', '/contact', { token: first.token })).statusCode, 401);
    assert.equal((await ct(t, 'GET', '/contact', { token: second.token })).statusCode, 200);
    world.people.member.token = second.token;
  });

  test('authentication comes before everything else: an unknown resource, a 501 and bad JSON all answer 401 without a token', async () => {
    for (const [method, path, raw] of [['GET', '/nothing'], ['PUT', '/comment/1'], ['POST', '/contact', '{bad']] as const) {
      const res = await ct(t, method, path, raw ? { raw } : {});
      assert.equal(res.statusCode, 401, `${method} ${path}`);
    }
  });
});

describe('the envelope (seed "Reading data", spec 5.1)', () => {
  test('a list is {"status":"OK","content":[...]}, by ascending id', async () => {
    const a = await created(t, owner, 'contact', { fn: 'Ada' });
    const b = await created(t, owner, 'contact', { fn: 'Bob' });
    const res = await ct(t, 'GET', '/contact', { token: owner });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['status', 'content']);
    assert.equal(body.status, 'OK');
    const ids = body.content.map((c: { id: number }) => c.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id));
    assert.deepEqual(ids, [...ids].sort((x: number, y: number) => x - y));
  });

  test('one record, a new record and a changed record all come as a one-element content list with a numeric id', async () => {
    const post = await ct(t, 'POST', '/contact', { token: owner, body: { fn: 'Cy' } });
    assert.equal(post.statusCode, 200, 'a create answers 200, not 201 (spec 7.3)');
    const [record] = post.json().content;
    assert.equal(post.json().content.length, 1);
    assert.equal(typeof record.id, 'number');
    const get = await ct(t, 'GET', `/contact/${record.id}`, { token: owner });
    assert.equal(get.json().content.length, 1);
    assert.equal(get.json().content[0].id, record.id);
    const put = await ct(t, 'PUT', `/contact/${record.id}`, { token: owner, body: { ln: 'Young' } });
    assert.equal(put.statusCode, 200);
    assert.equal(put.json().content.length, 1);
    assert.equal(put.json().content[0].ln, 'Young');
  });

  test('a delete answers {"status":"OK"} with no content', async () => {
    const record = await created(t, owner, 'contact', { fn: 'Dee' });
    const res = await ct(t, 'DELETE', `/contact/${record.id}`, { token: owner });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'OK' });
  });

  test('query strings are ignored (R-20)', async () => {
    const plain = (await ct(t, 'GET', '/contact', { token: owner })).json();
    const queried = (await ct(t, 'GET', '/contact?limit=1&sort=desc&fn=Ada', { token: owner })).json();
    assert.deepEqual(queried, plain);
  });
});

describe('errors (seed "Failures and errors", spec 5.2)', () => {
  test('400 with an error message naming what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [{ title: 'CEO' }, /fn or ln/],
      [{ fn: 42 }, /^fn must be text/],
      [{ fn: 'Al', phones: [{ type: 'Satellite', no: '1' }] }, /^phones .*Work, Home, Mobile, Fax, Pager/],
      [{ fn: 'Al', ctype: 'Z' }, /^ctype must be one of C, P/],
      [{ fn: 'Al', companyId: 'acme' }, /^companyId must be the id/],
      [{ fn: 'Al', companyId: 999999999 }, /^companyId: there is no company with id 999999999/],
      [[{ fn: 'Al' }], /JSON object/],
      ['just text', /JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await ct(t, 'POST', '/contact', { token: owner, body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().status, 'ERROR');
      assert.match(res.json().error, message);
    }
  });

  test('a write that fails writes nothing', async () => {
    const before = await contactCount(world.acme.id);
    await ct(t, 'POST', '/contact', { token: owner, body: { fn: 'Al', companyId: 999999999 } });
    await ct(t, 'POST', '/note', { token: owner, body: { desc: 'about nobody', cust: [999999998] } });
    assert.equal(await contactCount(world.acme.id), before);
  });

  test('404 for an id that does not exist or is not a number, on read, change and delete', async () => {
    for (const path of ['/contact/987654321', '/contact/abc', '/contact/-1', '/contact/1.5', '/contact/99999999999999999999']) {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const res = await ct(t, method, path, { token: owner, ...(method === 'PUT' ? { body: { fn: 'X' } } : {}) });
        assert.equal(res.statusCode, 404, `${method} ${path}`);
        assert.equal(res.json().status, 'ERROR');
        assert.equal(typeof res.json().error, 'string');
      }
    }
  });

  test('an unknown resource is 404', async () => {
    const res = await ct(t, 'GET', '/contacts', { token: owner });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().status, 'ERROR');
  });

  test('500 when the body is not JSON, whatever its Content-Type says', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await ct(t, 'POST', '/contact', { token: owner, raw: '{"fn": "Al",', headers });
      assert.equal(res.statusCode, 500, JSON.stringify(headers));
      assert.deepEqual(res.json(), { status: 'ERROR', error: 'Your JSON cannot be parsed. Use a JSON syntax validator.' });
    }
  });

  test('an empty body with Content-Type: application/json is no body, never a parse error (R-6)', async () => {
    const record = await created(t, owner, 'contact', { fn: 'Empty' });
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    assert.equal((await ct(t, 'GET', '/contact', { token: owner, raw: '', headers })).statusCode, 200);
    assert.equal((await ct(t, 'DELETE', `/contact/${record.id}`, { token: owner, raw: '', headers })).statusCode, 200);
    const post = await ct(t, 'POST', '/contact', { token: owner, raw: '', headers });
    assert.equal(post.statusCode, 400, 'a create without a body is a bad request, not unparsable JSON');
  });

  test('a JSON body sent with DELETE is tolerated (the seed’s own example sends one, as form data)', async () => {
    const record = await created(t, owner, 'case', { name: 'New case' });
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/clevertim/case/${record.id}`,
      headers: { authorization: basic(owner), 'content-type': 'application/x-www-form-urlencoded' },
      payload: '{"name":"New case 2"}',
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('501 for an operation a known resource does not support (R-14)', async () => {
    const contact = await created(t, owner, 'contact', { fn: 'Ann' });
    const note = await created(t, owner, 'note', { desc: 'Call back', cust: contact.id });
    const comment = await created(t, owner, 'comment', { comment: 'Done', nid: note.id });
    const unsupported: [string, string][] = [
      ['PUT', `/comment/${comment.id}`],
      ['POST', `/contact/${contact.id}`],
      ['PUT', '/contact'],
      ['DELETE', '/contact'],
      ['PATCH', `/contact/${contact.id}`],
      ['POST', '/user'],
      ['PUT', '/user/1'],
      ['DELETE', '/group/1'],
    ];
    for (const [method, path] of unsupported) {
      const res = await ct(t, method as 'GET', path, { token: owner, body: { comment: 'x', fn: 'x' } });
      assert.equal(res.statusCode, 501, `${method} ${path}: ${res.body}`);
      assert.equal(res.json().status, 'ERROR');
      assert.match(res.json().error, /not supported/i);
    }
  });
});

describe('write paths without /api (R-1)', () => {
  test('POST, PUT, GET and DELETE at /clevertim/<resource> behave as under /clevertim/api', async () => {
    const post = await ct(t, 'POST', '/clevertim/case', { token: owner, body: { name: 'New case' } });
    assert.equal(post.statusCode, 200, post.body);
    const id = post.json().content[0].id;
    const put = await ct(t, 'PUT', `/clevertim/case/${id}`, { token: owner, body: { name: 'New case 2' } });
    assert.equal(put.json().content[0].name, 'New case 2');
    assert.equal((await ct(t, 'GET', `/case/${id}`, { token: owner })).json().content[0].name, 'New case 2');
    assert.equal((await ct(t, 'GET', `/clevertim/case/${id}`, { token: owner })).statusCode, 200);
    assert.equal((await ct(t, 'DELETE', `/clevertim/case/${id}`, { token: owner })).statusCode, 200);
    assert.equal((await ct(t, 'GET', `/case/${id}`, { token: owner })).statusCode, 404);
  });
});

describe('permissions: the user’s entitlements apply (seed "Authorization", R-4)', () => {
  test('a viewer reads everything', async () => {
    const res = await ct(t, 'GET', '/contact', { token: world.people.viewer.token });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().content.length > 0);
  });

  test('a viewer’s POST, PUT and DELETE fail with 403 and a clear error, and nothing is written', async () => {
    const viewer = world.people.viewer.token;
    const target = await created(t, owner, 'contact', { fn: 'Untouched' });
    const before = await contactCount(world.acme.id);
    const attempts: [string, string, unknown][] = [
      ['POST', '/contact', { fn: 'Sneaky' }],
      ['POST', '/clevertim/contact', { fn: 'Sneaky' }],
      ['PUT', `/contact/${target.id}`, { fn: 'Changed' }],
      ['DELETE', `/contact/${target.id}`, undefined],
      ['POST', '/customfield', { name: 'x', elemType: 'input', modelType: ['customers'] }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await ct(t, method as 'GET', path, { token: viewer, body });
      assert.equal(res.statusCode, 403, `${method} ${path}`);
      assert.equal(res.json().status, 'ERROR');
      assert.match(res.json().error, /read-only/);
    }
    assert.equal(await contactCount(world.acme.id), before);
    assert.equal((await ct(t, 'GET', `/contact/${target.id}`, { token: owner })).json().content[0].fn, 'Untouched');
  });

  test('a viewer’s write is refused before its body is checked: an invalid body from a viewer is 403 too', async () => {
    const res = await ct(t, 'POST', '/contact', { token: world.people.viewer.token, body: { title: 'no name' } });
    assert.equal(res.statusCode, 403);
  });

  test('members and admins add, change and delete', async () => {
    for (const who of ['member', 'admin'] as const) {
      const token = world.people[who].token;
      const record = await created(t, token, 'contact', { fn: who });
      assert.equal((await ct(t, 'PUT', `/contact/${record.id}`, { token, body: { ln: 'Changed' } })).statusCode, 200);
      assert.equal((await ct(t, 'DELETE', `/contact/${record.id}`, { token })).statusCode, 200);
    }
  });

  test('GET /user lists the company’s people with the permissions their roles give', async () => {
    const users = (await ct(t, 'GET', '/user', { token: owner })).json().content as { id: number; email: string; is_owner: boolean; is_admin: boolean; permissions: string[]; pending: boolean }[];
    const byEmail = (email: string) => users.find((u) => u.email === email)!;
    assert.deepEqual(users.map((u) => u.email).sort(), Object.entries(world.people).filter(([k]) => k !== 'globexOwner').map(([, p]) => p.person.email).sort());
    assert.equal(byEmail(world.people.owner.person.email).is_owner, true);
    assert.equal(byEmail(world.people.admin.person.email).is_admin, true);
    assert.deepEqual(byEmail(world.people.member.person.email).permissions, ['canexport', 'canedit', 'candelete']);
    assert.deepEqual(byEmail(world.people.viewer.person.email).permissions, ['canexport']);
    assert.ok(users.every((u) => typeof u.id === 'number' && u.pending === false));
    const one = await ct(t, 'GET', `/user/${users[0]!.id}`, { token: owner });
    assert.deepEqual(one.json().content, [users[0]]);
  });
});

describe('contacts (spec 4.2)', () => {
  test('a contact is made with every documented field and comes back with them, the read-only ones computed', async () => {
    const company = await created(t, owner, 'company', { cn: 'Widgets Ltd' });
    const body = {
      fn: 'PRAVEEN',
      ln: 'BELLUR',
      title: 'Business Development IT Sales',
      description: 'Met at the trade fair',
      companyId: company.id,
      email: ['praveen.bellur@gmail.com'],
      phones: [{ type: 'Work', no: '008745849854' }],
      website: ['https://example.com'],
      address: '1 High Street',
      city: 'London',
      postcode: 'SW19 7BH',
      region: 'GB-LND',
      country: 'United Kingdom',
      smids: [{ type: 'Github', smid: 'praveen' }],
      ctype: 'C',
      tags: ['Europe'],
    };
    const contact = await created(t, owner, 'contact', body);
    for (const [field, value] of Object.entries(body)) assert.deepEqual(contact[field], value, field);
    assert.equal(contact.is_company, false);
    for (const field of ['notes', 'opportunities', 'tasks', 'cases', 'files', 'lfiles']) assert.deepEqual(contact[field], [], field);
    assert.deepEqual(contact.cf, {});
    assert.equal(contact.is_private, false);
    assert.equal(contact.gid, 0);
    assert.match(contact.ao, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(contact.lm, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const users = (await ct(t, 'GET', '/user', { token: owner })).json().content as { id: number; email: string }[];
    assert.equal(contact.userId, users.find((u) => u.email === world.people.owner.person.email)!.id, 'userId is the creator');
  });

  test('ctype is absent until set, and "" clears it', async () => {
    const contact = await created(t, owner, 'contact', { fn: 'Nobody' });
    assert.ok(!('ctype' in contact));
    const set = (await ct(t, 'PUT', `/contact/${contact.id}`, { token: owner, body: { ctype: 'L' } })).json().content[0];
    assert.equal(set.ctype, 'L');
    const cleared = (await ct(t, 'PUT', `/contact/${contact.id}`, { token: owner, body: { ctype: '' } })).json().content[0];
    assert.ok(!('ctype' in cleared));
  });

  test('PUT replaces the fields sent (lists as a whole) and keeps the rest (R-11)', async () => {
    const contact = await created(t, owner, 'contact', { fn: 'Mike', ln: 'Doodley', email: ['a@x.test', 'b@x.test'], city: 'London' });
    const res = await ct(t, 'PUT', `/contact/${contact.id}`, { token: owner, body: { email: ['c@x.test'], city: null } });
    const updated = res.json().content[0];
    assert.deepEqual(updated.email, ['c@x.test']);
    assert.equal(updated.city, '', 'null clears a text field');
    assert.equal(updated.fn, 'Mike');
    assert.equal(updated.ln, 'Doodley');
  });

  test('a PUT may not leave a contact without a name', async () => {
    const contact = await created(t, owner, 'contact', { fn: 'Mike' });
    const res = await ct(t, 'PUT', `/contact/${contact.id}`, { token: owner, body: { fn: '' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error, /fn or ln/);
    assert.equal((await ct(t, 'GET', `/contact/${contact.id}`, { token: owner })).json().content[0].fn, 'Mike');
  });

  test('companyId must name a company, not a person', async () => {
    const person = await created(t, owner, 'contact', { fn: 'Pat' });
    const res = await ct(t, 'POST', '/contact', { token: owner, body: { fn: 'Sam', companyId: person.id } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error, new RegExp(`companyId: there is no company with id ${person.id}`));
  });
});

describe('one id space for contacts and companies (spec 7.7, R-9)', () => {
  test('ids never repeat across the two, and each endpoint answers only its own kind', async () => {
    const company = await created(t, owner, 'company', { cn: 'Initech' });
    const person = await created(t, owner, 'contact', { fn: 'Peter', companyId: company.id });
    assert.notEqual(company.id, person.id);
    assert.equal((await ct(t, 'GET', `/contact/${company.id}`, { token: owner })).statusCode, 404);
    assert.equal((await ct(t, 'GET', `/company/${person.id}`, { token: owner })).statusCode, 404);
    assert.equal((await ct(t, 'GET', `/company/${company.id}`, { token: owner })).json().content[0].is_company, true);
    assert.equal((await ct(t, 'PUT', `/contact/${company.id}`, { token: owner, body: { fn: 'x' } })).statusCode, 404);
    assert.equal((await ct(t, 'DELETE', `/company/${person.id}`, { token: owner })).statusCode, 404);
    const contacts = (await ct(t, 'GET', '/contact', { token: owner })).json().content as { id: number; is_company: boolean }[];
    const companies = (await ct(t, 'GET', '/company', { token: owner })).json().content as { id: number; is_company: boolean }[];
    assert.ok(contacts.every((c) => !c.is_company) && companies.every((c) => c.is_company));
    const contactIds = new Set(contacts.map((c) => c.id));
    assert.ok(companies.every((c) => !contactIds.has(c.id)));
  });

  test('a company is made with cn and the shared fields; a company needs cn', async () => {
    const company = await created(t, owner, 'company', { cn: 'Umbrella', city: 'Raccoon City', phones: [{ type: 'Fax', no: '555' }], is_company: false });
    assert.equal(company.cn, 'Umbrella');
    assert.equal(company.is_company, true, 'is_company is read-only');
    assert.ok(!('fn' in company) && !('companyId' in company));
    const res = await ct(t, 'POST', '/company', { token: owner, body: { city: 'Nowhere' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error, /^cn:/);
  });

  test('deleting a company leaves its people in place without it', async () => {
    const company = await created(t, owner, 'company', { cn: 'Soon Gone' });
    const person = await created(t, owner, 'contact', { fn: 'Left', companyId: company.id });
    assert.equal((await ct(t, 'DELETE', `/company/${company.id}`, { token: owner })).statusCode, 200);
    const after = (await ct(t, 'GET', `/contact/${person.id}`, { token: owner })).json().content[0];
    assert.equal(after.companyId, null);
    const [row] = await t.ctx.db.orm.select().from(ctContacts).where(and(eq(ctContacts.companyId, world.acme.id), eq(ctContacts.id, company.id)));
    assert.equal(row, undefined);
  });
});
