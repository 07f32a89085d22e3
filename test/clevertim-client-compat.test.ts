import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { clevertimWorld, type ClevertimWorld } from './support/clevertim-fixtures.ts';

/**
 * Conformance with the real client the spec names (section 7): `clevertimapi`, the Python client
 * (ciprianmiclaus/clevertim-api-py). `PythonSession` below replays its `Session.make_request` byte for
 * byte where it matters: the `Basic b'...'` header Python 3 produces, Content-Type and Accept on every
 * call (bodiless GET and DELETE included), bodies from `json.dumps(payload, separators=(',', ':'))`
 * (ASCII-escaped), only 200 counting as success, `content[0]` after POST/PUT, and GET-one picking the
 * element whose `id` equals the integer key. The bodies are the ones its endpoint classes build
 * (DEFAULTS, list-valued task `case`/`opp` and comment `nid`/`tid`, whole cached objects on PUT).
 */
class SessionError extends Error {}

class PythonSession {
  readonly requests: { method: string; url: string; headers: Record<string, string>; body: string | undefined }[] = [];
  constructor(
    private readonly t: TestApp,
    private readonly apiKey: string,
    private readonly endpointUrl = '/clevertim/api',
  ) {}

  /** `'Basic %s' % (base64.standard_b64encode((api_key + ':X').encode('ascii')),)` under Python 3. */
  private authorization(): string {
    return `Basic b'${Buffer.from(`${this.apiKey}:X`, 'ascii').toString('base64')}'`;
  }

  /** session.make_request(endpoint, resource_id, method, payload, load_all), minus the cache. */
  async makeRequest(endpoint: string, options: { resourceId?: number; method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; payload?: unknown; loadAll?: boolean } = {}): Promise<any> {
    const method = options.method ?? 'GET';
    let url = this.endpointUrl.replace(/\/+$/, '') + (endpoint.startsWith('/') ? '' : '/') + endpoint.replace(/\/+$/, '');
    if (options.resourceId && !options.loadAll) url += `/${options.resourceId}`;
    const headers = { authorization: this.authorization(), 'content-type': 'application/json', accept: 'application/json' };
    const body = method === 'POST' || method === 'PUT' ? pythonJsonDumps(options.payload) : undefined;
    this.requests.push({ method, url, headers, body });
    const res = await this.t.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) });
    if (res.statusCode !== 200) throw new SessionError(`HTTP ${res.statusCode} - ${res.body}`);
    const result = res.body ? JSON.parse(res.body) : null;
    if (result === null || method === 'DELETE') return result;
    const content = result.content as Record<string, unknown>[];
    // _update_cache: every element is cached under its id.
    for (const element of content) assert.ok('id' in element, `every content element carries an id: ${JSON.stringify(element).slice(0, 200)}`);
    if (method !== 'GET') return content[0];
    if (options.resourceId !== undefined) {
      const found = content.filter((element) => element.id === options.resourceId);
      if (found.length === 0) throw new SessionError('Not found.');
      return found[0];
    }
    return content;
  }

  /** Endpoint.save(): PUT with the whole content when it has a key, else POST; then content.update(ret). */
  async save(endpoint: string, content: Record<string, unknown>): Promise<Record<string, unknown>> {
    const key = content.id as number | undefined;
    const ret = await this.makeRequest(endpoint, { resourceId: key, method: key ? 'PUT' : 'POST', payload: content });
    Object.assign(content, ret);
    return content;
  }

  /** company.create_contact_or_company: a bare cust id is tried as a contact, then as a company. */
  async contactOrCompany(key: number): Promise<{ kind: 'contact' | 'company'; content: Record<string, unknown> }> {
    try {
      return { kind: 'contact', content: await this.makeRequest('/contact', { resourceId: key }) };
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
    }
    return { kind: 'company', content: await this.makeRequest('/company', { resourceId: key }) };
  }
}

/** Python's json.dumps with ensure_ascii (the default): compact separators, non-ASCII as \uXXXX. */
function pythonJsonDumps(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The checks CustomFieldValueCollection and CustomFieldValue make on every `cf` entry it reads (spec 7.11). */
function assertClientAcceptsCf(cf: Record<string, unknown>, scope: string, fields: Record<string, any>[]): void {
  for (const [key, value] of Object.entries(cf)) {
    const field = fields.find((f) => f.id === Number(key));
    assert.ok(field, `cf key ${key} is a custom field the client can load`);
    assert.ok(field.modelType.includes(scope), `custom field ${key} applies to ${scope}`);
    const values = field.multiple ? value : [value];
    assert.ok(Array.isArray(values), `multi-value field ${key} holds a list`);
    for (const one of values as unknown[]) {
      assert.equal(typeof one, 'string', `value of ${key} is text`);
      if (field.elemType === 'select') assert.ok(field.values.includes(one), `select value ${one} is allowed`);
      if (field.elemType === 'date') assert.match(one as string, /^\d{4}-\d{2}-\d{2}$/);
    }
  }
}

const PHONE_TYPES = ['Work', 'Home', 'Mobile', 'Fax', 'Pager'];
const TASK_TYPES = ['Appointment', 'Email', 'Meeting', 'Call', 'Follow up', 'TO DO', 'Not set'];
const NOTE_TYPES = ['N', 'E', 'S', 'M'];
const ELEM_TYPES = ['input', 'select', 'date', 'user', 'country', 'state', 'region', 'contact', 'company', 'case', 'opportunity', 'currency'];
const FIELD_SCOPES = ['customers', 'companies', 'cases', 'opportunities'];

let t: TestApp;
let world: ClevertimWorld;
let session: PythonSession;
before(async () => {
  t = await startTestApp();
  world = await clevertimWorld(t);
  session = new PythonSession(t, world.people.owner.token);
});
after(() => t.close());

describe('the Python client clevertimapi against this server (spec section 7)', () => {
  const made: Record<string, number> = {};

  test('custom fields: CustomField.save() POSTs its content; the list is read whole (GET /customfield) and picked by id', async () => {
    const select = await session.save('/customfield', { name: 'Custom Field', elemType: 'select', modelType: ['customers'], values: ['cf_val1', 'cf_val2', 'cf_val3'] });
    assert.equal(typeof select.id, 'number');
    made.select = select.id as number;
    made.date = (await session.save('/customfield', { name: 'Date Custom Field', elemType: 'date', modelType: ['customers', 'cases'], multiple: false })).id as number;
    made.user = (await session.save('/customfield', { name: 'User Custom Field', elemType: 'user', modelType: ['customers'] })).id as number;
    made.multi = (await session.save('/customfield', { name: 'Multi', elemType: 'input', modelType: ['companies', 'opportunities'], multiple: true })).id as number;
    // CustomField(session, key=k) with LOAD_ALL: GET /customfield without the id, then the element with id k.
    const loaded = await session.makeRequest('/customfield', { resourceId: made.select, loadAll: true });
    assert.deepEqual(loaded, { id: made.select, name: 'Custom Field', fullname: 'Custom Field', elemType: 'select', modelType: ['customers'], values: ['cf_val1', 'cf_val2', 'cf_val3'], multiple: false, app: null });
    assert.equal(session.requests.at(-1)!.url, '/clevertim/api/customfield');
    const all = (await session.makeRequest('/customfield')) as Record<string, any>[];
    for (const field of all) {
      assert.ok(ELEM_TYPES.includes(field.elemType));
      assert.ok(field.modelType.length > 0 && field.modelType.every((m: string) => FIELD_SCOPES.includes(m)));
    }
  });

  test('a company: POST with the client defaults {"is_company":true,"cf":{}}', async () => {
    const company = await session.save('/company', { is_company: true, cf: {}, cn: 'Zoë’s Widgets', city: 'London', phones: [{ no: '+4407979463643', type: 'Fax' }] });
    assert.equal(company.cn, 'Zoë’s Widgets', 'non-ASCII escaped as \\uXXXX by Python arrives intact');
    assert.equal(company.is_company, true);
    made.company = company.id as number;
    made.company2 = (await session.save('/company', { is_company: true, cf: { [made.multi!]: ['North', 'South'] }, cn: 'Second Co' })).id as number;
  });

  test('a contact: POST with the defaults and every field the client sets, read-only lists included; the answer is content[0] with a numeric id', async () => {
    const users = (await session.makeRequest('/user')) as { id: number }[];
    const contact = {
      is_company: false,
      cf: { [made.select!]: 'cf_val2', [made.date!]: '2017-05-22', [made.user!]: String(users[0]!.id) },
      fn: 'Mike',
      ln: 'Doodley',
      title: 'Engineer',
      address: '199 Maverick Road',
      city: 'London',
      postcode: 'SW19 7BH',
      region: 'US-FL',
      country: 'US',
      description: 'Mike is a great, likeable guy. He always returns my calls.',
      email: ['mike.doodley@gmail.com', 'mike.doodley@yahoo.com'],
      website: ['http://www.google.com', 'http://www.mikedoodley.com'],
      phones: [{ no: '07979463643', type: 'Work' }, { no: '07979363643', type: 'Home' }, { no: '07979163643', type: 'Mobile' }],
      smids: [{ smid: 'mikesp40', type: 'Google+' }, { smid: 'ciprianmiclaus', type: 'Github' }, { smid: 'cippy', type: 'Skype' }],
      tags: ['tag1', 'tag2', 'tag3'],
      companyId: made.company,
      // Set by the client although the server keeps them: read-only, ignored.
      tasks: [1, 2],
      opportunities: [100, 101, 211],
      cases: [55, 57],
      files: [22, 34],
      lfiles: [120, 330, 454],
    };
    const request = pythonJsonDumps(contact);
    assert.ok(request.startsWith('{"is_company":false,"cf":{"'), `compact separators: ${request.slice(0, 40)}`);
    const saved = await session.save('/contact', structuredClone(contact));
    assert.equal(typeof saved.id, 'number');
    assert.equal(session.requests.at(-1)!.url, '/clevertim/api/contact');
    assert.equal(session.requests.at(-1)!.method, 'POST');
    for (const field of ['fn', 'ln', 'title', 'address', 'city', 'postcode', 'region', 'country', 'description', 'email', 'website', 'tags', 'companyId']) {
      assert.deepEqual(saved[field], contact[field as keyof typeof contact], field);
    }
    assert.deepEqual(saved.phones, [{ type: 'Work', no: '07979463643' }, { type: 'Home', no: '07979363643' }, { type: 'Mobile', no: '07979163643' }]);
    assert.deepEqual([saved.tasks, saved.opportunities, saved.cases, saved.files, saved.lfiles], [[], [], [], [], []]);
    made.contact = saved.id as number;
  });

  test('Contact(session, key=k): GET /contact/k and the element whose id equals k; its cf passes the client’s checks', async () => {
    const loaded = await session.makeRequest('/contact', { resourceId: made.contact });
    assert.equal(loaded.id, made.contact);
    assert.equal(session.requests.at(-1)!.url, `/clevertim/api/contact/${made.contact}`);
    assert.equal(session.requests.at(-1)!.body, undefined, 'GET has no body but still says Content-Type: application/json');
    const fields = (await session.makeRequest('/customfield')) as Record<string, any>[];
    assert.ok(Object.keys(loaded.cf).length === 3);
    assertClientAcceptsCf(loaded.cf, 'customers', fields);
    assert.ok(loaded.phones.every((p: { type: string }) => PHONE_TYPES.includes(p.type)));
    const company = await session.makeRequest('/company', { resourceId: made.company2 });
    assertClientAcceptsCf(company.cf, 'companies', fields);
    // Contact.contact_photo needs cphoto; none here, so the client makes no photo URL.
    assert.equal(loaded.cphoto, null);
  });

  test('save() of a loaded contact PUTs the whole cached object, read-only fields and all; the answer is the complete record', async () => {
    const cached = await session.makeRequest('/contact', { resourceId: made.contact });
    cached.fn = 'John';
    cached.ln = 'Rowdy';
    cached.tags = ['othertag1'];
    cached.phones = [{ no: '+4407979463643', type: 'Fax' }];
    const before = { ...cached };
    const saved = await session.save('/contact', cached);
    const put = session.requests.at(-1)!;
    assert.equal(put.method, 'PUT');
    assert.equal(put.url, `/clevertim/api/contact/${made.contact}`);
    const sent = JSON.parse(put.body!);
    for (const field of ['id', 'notes', 'tasks', 'cases', 'opportunities', 'lc', 'cphoto', 'ao', 'lm', 'userId', 'is_company']) assert.ok(field in sent, `the PUT carried ${field}`);
    assert.deepEqual([saved.fn, saved.ln, saved.tags], ['John', 'Rowdy', ['othertag1']]);
    assert.deepEqual(Object.keys(saved).sort(), Object.keys(before).sort(), 'the answer has every field, so the client’s cache stays whole');
    const reread = await session.makeRequest('/contact', { resourceId: made.contact });
    assert.deepEqual(reread, saved);
  });

  test('a bare cust id: GET /contact/{id} first, and on 404 GET /company/{id}', async () => {
    const asCompany = await session.contactOrCompany(made.company!);
    assert.equal(asCompany.kind, 'company');
    assert.equal(asCompany.content.id, made.company);
    const statuses = session.requests.slice(-2).map((r) => r.url);
    assert.deepEqual(statuses, [`/clevertim/api/contact/${made.company}`, `/clevertim/api/company/${made.company}`]);
    const asContact = await session.contactOrCompany(made.contact!);
    assert.equal(asContact.kind, 'contact');
  });

  test('a case and an opportunity: POST with {"cf":{}} and leadUser/cust as the client writes them', async () => {
    const users = (await session.makeRequest('/user')) as { id: number; permissions: string[] }[];
    assert.ok(users.every((u) => Array.isArray(u.permissions)));
    const kase = await session.save('/case', { cf: { [made.date!]: '2017-05-22' }, name: 'Case 1', description: 'Clevertim is a great company. They do software.', tags: ['tag1'], leadUser: users[0]!.id, cust: made.company, tasks: [1, 2], files: [22, 34], lfiles: [120] });
    assert.equal(kase.cust, made.company);
    assert.deepEqual(kase.tasks, []);
    made.case = kase.id as number;
    const opp = await session.save('/opportunity', { cf: { [made.multi!]: ['a'] }, name: 'Opportunity 1', currency: 'USD', value: '4500', status: 'Open', cust: made.contact });
    assert.equal(opp.value, '4500');
    made.opportunity = opp.id as number;
  });

  test('a task: startDate built from a date and then a time, case and opp as one-element lists (the client declares them as lists)', async () => {
    const task = await session.save('/task', {
      name: 'Clean up the dishes',
      atype: 'Email',
      location: 'Bromley',
      cust: made.contact,
      case: [made.case],
      opp: [made.opportunity],
      startDate: { y: 2017, mo: 5, d: 10, h: 9, mi: 0 },
      endDate: { y: 2017, mo: 5, d: 10, h: 10, mi: 0 },
      is_completed: false,
      rec: 'N',
      recevery: 1,
      recopts: {},
    });
    assert.ok(TASK_TYPES.includes(task.atype as string));
    assert.deepEqual([task.case, task.opp], [made.case, made.opportunity]);
    made.task = task.id as number;
    task.is_completed = true;
    const completed = await session.save('/task', task);
    assert.equal(completed.is_completed, true);
  });

  test('a note: cust is a list ([33, 43, 53] in the client’s fixtures); back-references appear on the contact', async () => {
    const note = await session.save('/note', { desc: 'This is a simple note in the system', type: 'S', cust: [made.contact, made.company], case: made.case, opportunity: made.opportunity });
    assert.deepEqual(note.cust, [made.contact, made.company]);
    assert.ok(NOTE_TYPES.includes(note.type as string));
    made.note = note.id as number;
    const contact = await session.makeRequest('/contact', { resourceId: made.contact });
    assert.deepEqual([contact.notes, contact.tasks, contact.opportunities], [[made.note], [made.task], [made.opportunity]]);
    const company = await session.makeRequest('/company', { resourceId: made.company });
    assert.deepEqual([company.notes, company.cases], [[made.note], [made.case]]);
  });

  test('a comment: nid as the client’s one-element list', async () => {
    const comment = await session.save('/comment', { comment: 'Looks good', nid: [made.note] });
    assert.equal(comment.nid, made.note);
    const note = await session.makeRequest('/note', { resourceId: made.note });
    assert.deepEqual(note.comments, [comment.id]);
  });

  test('users and groups are read whole (LOAD_ALL); every element carries an id', async () => {
    const users = (await session.makeRequest('/user')) as Record<string, unknown>[];
    for (const user of users) for (const field of ['id', 'user', 'email', 'is_owner', 'is_admin', 'permissions', 'pending']) assert.ok(field in user, field);
    assert.deepEqual(await session.makeRequest('/group'), []);
  });

  test('delete(): DELETE without a body (Content-Type: application/json all the same); 200 and {"status":"OK"}', async () => {
    const result = await session.makeRequest('/task', { resourceId: made.task, method: 'DELETE' });
    assert.deepEqual(result, { status: 'OK' });
    assert.equal(session.requests.at(-1)!.headers['content-type'], 'application/json');
    await assert.rejects(session.makeRequest('/task', { resourceId: made.task }), /HTTP 404/);
  });

  test('every answer the client counted as a success was HTTP 200, never 201 or 204', async () => {
    assert.ok(session.requests.length > 20);
    const created = await t.app.inject({ method: 'POST', url: '/clevertim/api/contact', headers: { authorization: `Basic b'${Buffer.from(`${world.people.owner.token}:X`).toString('base64')}'`, 'content-type': 'application/json', accept: 'application/json' }, payload: '{"is_company":false,"cf":{},"fn":"Mike"}' });
    assert.equal(created.statusCode, 200);
    assert.match(String(created.headers['content-type']), /^application\/json/);
  });

  test('a photo URL is built at the site root (/getcphoto/{id}/{cphoto}); without a photo it is 404, behind the same token', async () => {
    const headers = { authorization: `Basic b'${Buffer.from(`${world.people.owner.token}:X`).toString('base64')}'` };
    assert.equal((await t.app.inject({ url: `/clevertim/getcphoto/${made.contact}/pic.jpg`, headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/clevertim/getcphoto/${made.contact}/pic.jpg` })).statusCode, 401);
  });

  test('an error is a non-200 whose body the client shows as is: HTTP <status> - <body>', async () => {
    await assert.rejects(session.save('/contact', { is_company: false, cf: {} }), (error: Error) => /^HTTP 400 - \{"status":"ERROR","error":"fn or ln/.test(error.message));
    const viewer = new PythonSession(t, world.people.viewer.token);
    await assert.rejects(viewer.save('/contact', { is_company: false, cf: {}, fn: 'Nope' }), (error: Error) => /^HTTP 403 - .*read-only/.test(error.message));
  });
});
