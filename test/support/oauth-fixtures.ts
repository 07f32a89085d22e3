import crypto from 'node:crypto';
import type { TestApp } from './test-app.ts';
import { newSecret, sha256 } from '../../src/platform/ids.ts';
import { webSessions } from '../../src/platform/console/schema.ts';
import { addMembership, createCompany, createPerson, type Company, type Person } from '../../src/platform/tenancy/tenancy.ts';
import { registerClient } from '../../src/platform/oauth/clients.ts';
import { blueClerkOAuth } from '../../src/apis/blueclerk/oauth.ts';

/** A small BlueClerk world for OAuth tests: companies, people, one registered app, and helpers to walk the flow. */
export const REDIRECT_URI = 'https://partner.example/callback';
export const PASSWORD = 'correct horse battery staple';

export interface OAuthWorld {
  paid: Company;
  otherPaid: Company;
  trial: Company;
  /** Owner of `paid` and `trial`. */
  owner: Person;
  /** Owner of `otherPaid` only. */
  stranger: Person;
  app: { id: string; clientId: string; clientSecret: string };
}

let counter = 0;
export async function createWorld(t: TestApp, scopes = ['leads:write', 'jobs:read']): Promise<OAuthWorld> {
  const n = ++counter;
  const orm = t.ctx.db.orm;
  const paid = await createCompany(orm, { name: `Smith Plumbing ${n}`, plan: 'starter' });
  const otherPaid = await createCompany(orm, { name: `Jones Electric ${n}`, plan: 'pro' });
  const trial = await createCompany(orm, { name: `Trial Roofing ${n}`, plan: 'trial' });
  const owner = await createPerson(orm, { email: `owner${n}-${crypto.randomUUID()}@example.com`, password: PASSWORD, name: 'Joe Smith' });
  const stranger = await createPerson(orm, { email: `stranger${n}-${crypto.randomUUID()}@example.com`, password: PASSWORD, name: 'Ann Jones' });
  await addMembership(orm, { companyId: paid.id, personId: owner.id, role: 'owner' });
  await addMembership(orm, { companyId: trial.id, personId: owner.id, role: 'owner' });
  await addMembership(orm, { companyId: otherPaid.id, personId: stranger.id, role: 'owner' });
  const registered = await registerClient(orm, blueClerkOAuth, owner.id, {
    name: 'leads2jobs',
    description: 'Sends leads',
    redirectUris: [REDIRECT_URI, 'http://127.0.0.1:9/cb'],
    scopes,
    contactEmail: 'dev@leads2jobs.example',
    logoUrl: 'https://leads2jobs.example/logo.png',
  });
  return { paid, otherPaid, trial, owner, stranger, app: { id: registered.client.id, clientId: registered.clientId, clientSecret: registered.clientSecret } };
}

/** A console session cookie for the person, as /login would set it. */
export async function sessionCookieFor(t: TestApp, person: Person): Promise<string> {
  const token = newSecret();
  await t.ctx.db.orm.insert(webSessions).values({ tokenHash: sha256(token), personId: person.id, expiresAt: new Date(Date.now() + 3600_000) });
  return `opsbase_session=${token}`;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeQuery(world: OAuthWorld, challenge: string, overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: world.app.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'leads:write jobs:read',
    state: 'xyz-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
  return search.toString();
}

/** Cookies from Set-Cookie headers, merged with the ones already sent. */
export function mergeCookies(sent: string, setCookie: string | string[] | undefined): string {
  const jar = new Map(sent.split('; ').filter(Boolean).map((c) => [c.split('=')[0]!, c] as const));
  for (const header of [setCookie ?? []].flat()) {
    const pair = header.split(';')[0]!;
    jar.set(pair.split('=')[0]!, pair);
  }
  return [...jar.values()].join('; ');
}

export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] = match[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  return fields;
}

export interface ConsentPage {
  status: number;
  html: string;
  cookie: string;
  fields: Record<string, string>;
  location?: string;
}

export async function openConsent(t: TestApp, cookie: string, query: string): Promise<ConsentPage> {
  const res = await t.app.inject({ method: 'GET', url: `/blueclerk/oauth/authorize?${query}`, headers: { cookie } });
  return { status: res.statusCode, html: res.body, cookie: mergeCookies(cookie, res.headers['set-cookie']), fields: hiddenFields(res.body), location: res.headers.location as string | undefined };
}

export async function submitConsent(t: TestApp, page: ConsentPage, decision: 'allow' | 'deny', companyId?: string) {
  const form = new URLSearchParams({ ...page.fields, decision, ...(companyId ? { company_id: companyId } : {}) });
  return t.app.inject({
    method: 'POST',
    url: '/blueclerk/oauth/authorize',
    headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
}

/** Signs in, consents for `companyId` and returns the code from the redirect. */
export async function authorizationCode(t: TestApp, world: OAuthWorld, companyId: string, challenge: string, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const cookie = await sessionCookieFor(t, world.owner);
  const page = await openConsent(t, cookie, authorizeQuery(world, challenge, overrides));
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${page.html.slice(0, 300)}`);
  const res = await submitConsent(t, page, 'allow', companyId);
  const code = new URL(String(res.headers.location)).searchParams.get('code');
  if (!code) throw new Error(`no code in ${res.headers.location} (${res.statusCode}) ${res.body.slice(0, 300)}`);
  return code;
}

export async function tokenRequest(t: TestApp, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/blueclerk/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

export async function exchangeCode(t: TestApp, world: OAuthWorld, code: string, verifier: string, overrides: Record<string, string> = {}) {
  return tokenRequest(t, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: world.app.clientId,
    client_secret: world.app.clientSecret,
    code_verifier: verifier,
    ...overrides,
  });
}

/** Runs the flow to the end: an access + refresh token pair for the company. */
export async function tokensFor(t: TestApp, world: OAuthWorld, companyId = world.paid.id): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, companyId, challenge);
  const res = await exchangeCode(t, world, code, verifier);
  if (res.statusCode !== 200) throw new Error(`token exchange answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

export async function refresh(t: TestApp, world: OAuthWorld, refreshToken: string) {
  return tokenRequest(t, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: world.app.clientId, client_secret: world.app.clientSecret });
}

export async function callMe(t: TestApp, accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/blueclerk/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
}
