import type { TestApp } from './test-app.ts';
import { authorizationCode, createWorld, exchangeCode, pkcePair, type OAuthWorld } from './oauth-fixtures.ts';
import { BLUECLERK_SCOPES } from '../../src/apis/blueclerk/oauth.ts';
import { setCompanyLimits } from '../../src/platform/rate-limit/index.ts';
import type { Tx } from '../../src/platform/idempotency/idempotency.ts';

/** Every BlueClerk scope, space-separated as a token request names them. */
export const ALL_SCOPES = Object.keys(BLUECLERK_SCOPES);

/** An access token of `world.app` for `companyId` with exactly these scopes. */
export async function accessToken(t: TestApp, world: OAuthWorld, companyId: string, scopes: string[]): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(t, world, companyId, challenge, { scope: scopes.join(' ') });
  const res = await exchangeCode(t, world, code, verifier);
  if (res.statusCode !== 200) throw new Error(`token exchange answered ${res.statusCode}: ${res.body}`);
  return res.json().access_token;
}

export interface ApiWorld extends OAuthWorld {
  /** All scopes, for world.paid. */
  token: string;
  /** All scopes, for world.otherPaid (another company). */
  otherToken: string;
}

/**
 * A world whose app may ask for every scope, with all-scope tokens for two companies. Their rate
 * limits are lifted (tests of other rules make more than a Starter plan's 30 requests a minute);
 * rate-limit tests set their own.
 */
export async function apiWorld(t: TestApp): Promise<ApiWorld> {
  const world = await createWorld(t, ALL_SCOPES);
  for (const company of [world.paid, world.otherPaid]) {
    await setCompanyLimits(t.ctx.db.orm, company.id, { perMinute: 'unlimited', perDay: 'unlimited', perMonth: 'unlimited' });
  }
  // The stranger owns otherPaid; authorize as them for that company.
  const token = await accessToken(t, world, world.paid.id, ALL_SCOPES);
  const otherToken = await accessToken(t, { ...world, owner: world.stranger }, world.otherPaid.id, ALL_SCOPES);
  return { ...world, token, otherToken };
}

/** Runs record functions as the contractor's side does: one transaction. */
export function asContractor<T>(t: TestApp, work: (tx: Tx) => Promise<T>): Promise<T> {
  return t.ctx.db.orm.transaction(work);
}

export interface CallOptions {
  token: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request to `/blueclerk/api/v1<path>` with a bearer token. */
export function api(t: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: CallOptions) {
  return t.app.inject({
    method,
    url: `/blueclerk/api/v1${path}`,
    headers: { authorization: `Bearer ${options.token}`, ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
}
