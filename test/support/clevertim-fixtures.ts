import type { Role } from '../../src/platform/tenancy/schema.ts';
import { addMembership, createCompany, createPerson, type Company, type Person } from '../../src/platform/tenancy/tenancy.ts';
import { issueApiToken } from '../../src/platform/credentials/api-tokens.ts';
import type { TestApp } from './test-app.ts';

/**
 * Clevertim callers for tests: two companies, people in each role, and each person's API token, called
 * the way the seed shows (`curl -u TOKEN:X`), i.e. `Authorization: Basic base64("TOKEN:X")`.
 */
export interface ClevertimWorld {
  acme: Company;
  globex: Company;
  people: Record<'owner' | 'admin' | 'member' | 'viewer' | 'globexOwner', { person: Person; token: string }>;
}

let counter = 0;

async function personWithToken(t: TestApp, company: Company, role: Role, name: string) {
  const person = await createPerson(t.ctx.db.orm, { email: `${name.toLowerCase().replace(/\W+/g, '.')}.${++counter}.${Date.now()}@clevertim.test`, password: 'correct horse battery staple', name });
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: person.id, role });
  const { token } = await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: company.id, personId: person.id });
  return { person, token };
}

export async function clevertimWorld(t: TestApp): Promise<ClevertimWorld> {
  const acme = await createCompany(t.ctx.db.orm, { name: 'Acme Plumbing', plan: 'starter' });
  const globex = await createCompany(t.ctx.db.orm, { name: 'Globex Heating', plan: 'pro' });
  return {
    acme,
    globex,
    people: {
      owner: await personWithToken(t, acme, 'owner', 'Olivia Owner'),
      admin: await personWithToken(t, acme, 'admin', 'Adam Admin'),
      member: await personWithToken(t, acme, 'member', 'Mia Member'),
      viewer: await personWithToken(t, acme, 'viewer', 'Victor Viewer'),
      globexOwner: await personWithToken(t, globex, 'owner', 'Gary Globex'),
    },
  };
}

/** `curl -u TOKEN:X`: HTTP Basic with the token as user name and X as password. */
export function basic(token: string, password = 'X'): string {
  return `Basic ${Buffer.from(`${token}:${password}`).toString('base64')}`;
}

export interface Call {
  token?: string | null;
  body?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

/** One request to the Clevertim API, as JSON with the token's Basic header. */
export function ct(t: TestApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, call: Call = {}) {
  const headers: Record<string, string> = { ...(call.token ? { authorization: basic(call.token) } : {}) };
  const payload = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method, url: path.startsWith('/clevertim') ? path : `/clevertim/api${path}`, headers: { ...headers, ...call.headers }, ...(payload === undefined ? {} : { payload }) });
}

/** Creates a record and returns it (fails loudly otherwise). */
export async function created(t: TestApp, token: string, resource: string, body: unknown): Promise<Record<string, any>> {
  const res = await ct(t, 'POST', `/${resource}`, { token, body });
  if (res.statusCode !== 200) throw new Error(`POST /${resource} answered ${res.statusCode}: ${res.body}`);
  return res.json().content[0];
}
