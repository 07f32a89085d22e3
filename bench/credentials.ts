import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Orm } from '../src/platform/db/database.ts';
import { blueClerkOAuth } from '../src/apis/blueclerk/oauth.ts';
import { newId } from '../src/platform/ids.ts';
import { registerClient } from '../src/platform/oauth/clients.ts';
import { oauthClients, oauthGrants } from '../src/platform/oauth/schema.ts';
import { issueTokenPair } from '../src/platform/oauth/tokens.ts';
import { UNLIMITED_STORED } from '../src/platform/rate-limit/limits.ts';
import { companies } from '../src/platform/tenancy/schema.ts';
import { addMembership, createPerson, findPersonByEmail } from '../src/platform/tenancy/tenancy.ts';

/**
 * What the scenarios authenticate with, made as a partner would get it but without a browser: a person
 * who owns the bench companies, a registered app with every BlueClerk scope, one authorization (grant)
 * per company, and a fresh access token per run from the platform's own issueTokenPair (as the demo's
 * banner token is made). Rate limiting stays on; the companies that take load get unlimited custom
 * limits through the real `opsbase company set-limits` command.
 */
export const BENCH_PERSON = { email: 'bench-runner@example.com', name: 'Bench Runner', password: 'bench-runner-password-not-secret' };
const CLIENT_NAME = 'Opsbase bench';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function benchPersonId(orm: Orm): Promise<string> {
  const found = await findPersonByEmail(orm, BENCH_PERSON.email);
  if (found) return found.id;
  return (await createPerson(orm, BENCH_PERSON)).id;
}

async function benchClientRowId(orm: Orm, personId: string): Promise<string> {
  const [found] = await orm
    .select({ id: oauthClients.id })
    .from(oauthClients)
    .where(and(eq(oauthClients.ownerPersonId, personId), eq(oauthClients.name, CLIENT_NAME), eq(oauthClients.api, blueClerkOAuth.api)));
  if (found) return found.id;
  const { client } = await registerClient(orm, blueClerkOAuth, personId, {
    name: CLIENT_NAME,
    description: 'Load generator of npm run bench',
    redirectUris: ['https://bench.example/callback'],
    scopes: Object.keys(blueClerkOAuth.scopes),
    contactEmail: BENCH_PERSON.email,
  });
  return client.id;
}

/** A live grant of the bench app for each company (made once, found again on later runs). */
async function grantsFor(orm: Orm, personId: string, clientRowId: string, companyIds: string[]): Promise<Map<string, { id: string; scopes: string[] }>> {
  const grants = new Map<string, { id: string; scopes: string[] }>();
  const rows = await orm
    .select({ id: oauthGrants.id, companyId: oauthGrants.companyId, scopes: oauthGrants.scopes })
    .from(oauthGrants)
    .where(and(eq(oauthGrants.clientRowId, clientRowId), inArray(oauthGrants.companyId, companyIds), isNull(oauthGrants.revokedAt)));
  for (const row of rows) grants.set(row.companyId, { id: row.id, scopes: row.scopes });
  for (const companyId of companyIds) {
    if (grants.has(companyId)) continue;
    await addMembership(orm, { companyId, personId, role: 'owner' });
    const grant = { id: newId(), scopes: Object.keys(blueClerkOAuth.scopes) };
    await orm.insert(oauthGrants).values({ id: grant.id, api: blueClerkOAuth.api, clientRowId, companyId, personId, scopes: grant.scopes });
    grants.set(companyId, grant);
  }
  return grants;
}

/** A fresh BlueClerk access token (all scopes, valid an hour) for each company. */
export async function mintAccessTokens(orm: Orm, companyIds: string[]): Promise<Map<string, string>> {
  const personId = await benchPersonId(orm);
  const clientRowId = await benchClientRowId(orm, personId);
  const grants = await grantsFor(orm, personId, clientRowId, companyIds);
  const tokens = new Map<string, string>();
  for (const companyId of companyIds) {
    const issued = await orm.transaction((tx) => issueTokenPair(tx, blueClerkOAuth, grants.get(companyId)!));
    tokens.set(companyId, issued.access_token);
  }
  return tokens;
}

/** Runs the real `opsbase` command (bin/opsbase.js) with the given database settings. */
export function runOpsbaseCommand(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin/opsbase.js'), ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`opsbase ${args.join(' ')} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** The companies whose rate limits are not yet lifted (all three windows unlimited). */
export async function companiesWithLimits(orm: Orm, companyIds: string[]): Promise<string[]> {
  const rows = await orm
    .select({ id: companies.id, minute: companies.limitPerMinute, day: companies.limitPerDay, month: companies.limitPerMonth })
    .from(companies)
    .where(inArray(companies.id, companyIds));
  return rows.filter((row) => !(row.minute === UNLIMITED_STORED && row.day === UNLIMITED_STORED && row.month === UNLIMITED_STORED)).map((row) => row.id);
}

/**
 * Lifts the rate limits of the companies that take load with the real `opsbase company set-limits ID
 * --per-minute unlimited --per-day unlimited --per-month unlimited` (the setting lives in the reused
 * dataset; a server reads it at start and every 30 s). Run it while no other process owns an embedded
 * data directory, or while a server does (the command then borrows its socket).
 */
export function liftRateLimits(companyIds: string[], env: NodeJS.ProcessEnv): void {
  for (const id of companyIds) {
    runOpsbaseCommand(['company', 'set-limits', id, '--per-minute', 'unlimited', '--per-day', 'unlimited', '--per-month', 'unlimited'], env);
  }
}
