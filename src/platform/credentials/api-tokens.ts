import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { sha256 } from '../ids.ts';
import { callerColumns } from '../tenancy/caller-columns.ts';
import { companies, memberships, people, type Plan, type Role } from '../tenancy/schema.ts';
import { apiTokens } from './schema.ts';

/**
 * Personal API tokens, for APIs whose callers authenticate as themselves with a long-lived token (not
 * OAuth): Clevertim's HTTP Basic token, BlueRequests' bearer token. A token belongs to one person in one
 * company for one API; the person's role in that company is read on every request, so a changed role or
 * a removed membership takes effect at once. API-agnostic: each API passes its own name (and prefix).
 */

/** Who a valid token speaks for, as of this request. */
export interface ApiTokenHolder {
  api: string;
  companyId: string;
  companyName: string;
  companyPlan: Plan;
  personId: string;
  personName: string;
  personEmail: string;
  role: Role;
}

export interface IssuedApiToken {
  /** The token itself: shown once, never stored. */
  token: string;
  hint: string;
  createdAt: Date;
}

export interface ApiTokenStatus {
  hint: string;
  createdAt: Date;
}

interface Holder {
  api: string;
  companyId: string;
  personId: string;
}

/** The person is not a member of the company (or either does not exist); the message is safe to show. */
export class ApiTokenInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiTokenInputError';
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 40 characters of 62: about 238 bits, letters and digits only (Clevertim's tokens look like `AKJHjjsd...123`). */
const TOKEN_LENGTH = 40;
const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 200;

/** Letters and digits drawn without modulo bias (bytes of 248 and above are drawn again). */
export function newApiTokenBody(length = TOKEN_LENGTH): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** A cheap check before hashing: anything else is nobody's token. */
export function looksLikeApiToken(token: string): boolean {
  return token.length >= MIN_TOKEN_LENGTH && token.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+$/.test(token);
}

/**
 * Issues the person's token for the API in the company, replacing the one they had: the old token stops
 * working in the same statement (its hash is overwritten). The new token is returned once.
 */
export async function issueApiToken(orm: Orm, holder: Holder & { prefix?: string }): Promise<IssuedApiToken> {
  const [member] = await orm
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.companyId, holder.companyId), eq(memberships.personId, holder.personId)));
  if (!member) throw new ApiTokenInputError('company', 'The person is not a member of that company');
  const token = `${holder.prefix ?? ''}${newApiTokenBody()}`;
  const hint = token.slice(-4);
  try {
    const [row] = await orm
      .insert(apiTokens)
      .values({ tokenHash: sha256(token), api: holder.api, companyId: holder.companyId, personId: holder.personId, hint })
      .onConflictDoUpdate({
        target: [apiTokens.api, apiTokens.companyId, apiTokens.personId],
        set: { tokenHash: sql`excluded.token_hash`, hint: sql`excluded.hint`, createdAt: sql`now()` },
      })
      .returning({ createdAt: apiTokens.createdAt });
    return { token, hint, createdAt: row!.createdAt };
  } catch (error) {
    // The membership ended between the check and the insert.
    if ((error as { cause?: { code?: string } }).cause?.code === '23503' || (error as { code?: string }).code === '23503') {
      throw new ApiTokenInputError('company', 'The person is not a member of that company');
    }
    throw error;
  }
}

/** Whether the person has a token (and which: its last characters and when it was made); never the token. */
export async function apiTokenStatus(orm: Orm, holder: Holder): Promise<ApiTokenStatus | null> {
  const [row] = await orm
    .select({ hint: apiTokens.hint, createdAt: apiTokens.createdAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.api, holder.api), eq(apiTokens.companyId, holder.companyId), eq(apiTokens.personId, holder.personId)));
  return row ?? null;
}

export async function revokeApiToken(orm: Orm, holder: Holder): Promise<boolean> {
  const deleted = await orm
    .delete(apiTokens)
    .where(and(eq(apiTokens.api, holder.api), eq(apiTokens.companyId, holder.companyId), eq(apiTokens.personId, holder.personId)));
  return (deleted.rowCount ?? 0) > 0;
}

/** The lookup behind every request with a personal API token, built once (see prepared.ts). */
function apiTokenLookup(orm: Orm) {
  return prepared(orm, 'api_token_lookup', (db) =>
    db
      .select({
        api: apiTokens.api,
        ...callerColumns(),
        role: memberships.role,
      })
      .from(apiTokens)
      .innerJoin(memberships, and(eq(memberships.companyId, apiTokens.companyId), eq(memberships.personId, apiTokens.personId)))
      .innerJoin(companies, eq(companies.id, apiTokens.companyId))
      .innerJoin(people, eq(people.id, apiTokens.personId))
      .where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash'))),
  );
}

/**
 * The holder of a presented token, or null. One primary-key lookup on the token's SHA-256 (the secret
 * itself is never compared, so there is no timing to learn from), joined to the live membership.
 */
export async function verifyApiToken(orm: Orm, api: string, token: string): Promise<ApiTokenHolder | null> {
  if (!looksLikeApiToken(token)) return null;
  const [row] = await apiTokenLookup(orm).execute({ tokenHash: sha256(token) });
  if (!row || row.api !== api) return null;
  return row;
}
