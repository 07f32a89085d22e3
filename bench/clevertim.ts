import crypto from 'node:crypto';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { contactResource, recordStore } from '../src/apis/clevertim/records/resources.ts';
import { ensureUserId } from '../src/apis/clevertim/records/users.ts';
import type { Orm } from '../src/platform/db/database.ts';
import { BENCH_PERSON, runOpsbaseCommand } from './credentials.ts';
import { benchCompanyId, bigCompanyRows, datasetPresent, markDataset, type DatasetPart, type DatasetOutcome } from './dataset.ts';
import type { LoadRequest } from './load.ts';
import type { DatasetSize } from './profile.ts';
import { ProgressBar, step } from './progress.ts';

/**
 * Scenario d, `GET /clevertim/api/contact/:id` with a Basic token. It runs once the Clevertim API is
 * mounted: whether it is, is read at run time from the list of mounted APIs (src/apis/index.ts), so the
 * bench reports "not mounted yet" until then.
 */
export interface ClevertimStatus {
  mounted: boolean;
  detail: string;
}

export async function clevertimStatus(): Promise<ClevertimStatus> {
  let names: string[];
  try {
    const { apis } = await import('../src/apis/index.ts');
    names = apis.map((api) => api.name);
  } catch (error) {
    return { mounted: false, detail: `not run: src/apis/index.ts did not load (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!names.includes('clevertim')) return { mounted: false, detail: `not mounted yet (src/apis/index.ts mounts ${names.join(', ')})` };
  return { mounted: true, detail: 'mounted' };
}

// ---- dataset -------------------------------------------------------------------------------------

export const CLEVERTIM_DATASET_VERSION = 'clevertim-v1';
const CHUNK_ROWS = 25_000;

function clevertimPart(size: DatasetSize): DatasetPart {
  return { part: 'clevertim', version: CLEVERTIM_DATASET_VERSION, size: { companies: size.companies, contacts: size.clevertimContacts, bigCompanyShare: size.bigCompanyShare } };
}

/**
 * Clevertim contacts (people) of the bench companies, set-based like the BlueClerk rows: contact n
 * belongs to the first company when n <= big. Ids come from Clevertim's own sequence (`ct_id_seq`, the
 * column default), so the bench reads them back instead of computing them.
 */
function contactsChunkSql(size: DatasetSize, from: number, to: number): string {
  const big = bigCompanyRows(size.clevertimContacts, size);
  const owner = `'c' || substr(md5('opsbase-bench-company-' || (CASE WHEN n <= ${big} THEN 1 ELSE 2 + (n - ${big} - 1) % ${size.companies - 1} END)), 1, 24)`;
  return `INSERT INTO ct_contacts (company_id, attrs, created_at, updated_at, is_company)
    SELECT ${owner},
      jsonb_build_object(
        'fn', (ARRAY['Mike','Anna','Joe','Priya','Tom','Lena'])[1 + n % 6],
        'ln', 'Customer ' || n,
        'title', (ARRAY['Owner','Office manager','Site lead'])[1 + n % 3],
        'email', jsonb_build_array('contact' || n || '@example.com'),
        'phones', jsonb_build_array(jsonb_build_object('type', 'Work', 'no', '+1512555' || lpad((n % 10000)::text, 4, '0'))),
        'address', (100 + n % 9000) || ' Main St',
        'city', 'Austin',
        'region', 'US-TX',
        'country', 'US',
        'ctype', (ARRAY['C','P','L'])[1 + n % 3],
        'tags', jsonb_build_array('bench')),
      timestamptz '2024-01-01T00:00:00Z' + n * interval '20 seconds',
      timestamptz '2024-01-01T00:00:00Z' + n * interval '20 seconds' + (n % 5) * interval '1 hour',
      false
    FROM generate_series(${from}, ${to}) AS n`;
}

export async function ensureClevertimDataset(pool: pg.Pool, size: DatasetSize, where: string): Promise<DatasetOutcome> {
  const part = clevertimPart(size);
  let present = false;
  try {
    present = await datasetPresent(pool, part);
  } catch {
    present = false; // another version or size: made again below
  }
  if (present) {
    step(`Clevertim contacts (${size.clevertimContacts.toLocaleString('en-US')}) found in ${where}: reused`);
    return { reused: true, seconds: 0 };
  }
  const started = Date.now();
  step(`generating ${size.clevertimContacts.toLocaleString('en-US')} Clevertim contacts in ${where}`);
  const ids = Array.from({ length: size.companies }, (_, i) => benchCompanyId(i + 1));
  await pool.query('DELETE FROM ct_contacts WHERE company_id = ANY($1::text[])', [ids]);
  const bar = new ProgressBar('contacts', size.clevertimContacts);
  for (let from = 1; from <= size.clevertimContacts; from += CHUNK_ROWS) {
    const to = Math.min(size.clevertimContacts, from + CHUNK_ROWS - 1);
    await pool.query(contactsChunkSql(size, from, to));
    bar.advance(to - from + 1);
  }
  bar.finish();
  await pool.query('ANALYZE ct_contacts');
  const seconds = (Date.now() - started) / 1000;
  await markDataset(pool, part, seconds);
  return { reused: false, seconds };
}

// ---- the scenario ----------------------------------------------------------------------------------

export interface ContactFixture {
  contactIds: number[];
  token: string;
  /** The SQL Opsbase's record store sends for one contact (auth aside), for baseline (i). */
  queries: CapturedQuery[];
}

export interface CapturedQuery {
  sql: string;
  /** Parameters; the string `$ID` stands for the requested contact's id. */
  params: unknown[];
}

/**
 * A Basic token of the bench person for the company, from the real `opsbase token create --api
 * clevertim --user EMAIL --company ID --json` (a new one each run: the command prints it once and
 * stores only its hash).
 */
function clevertimToken(companyId: string, env: NodeJS.ProcessEnv): string {
  const output = runOpsbaseCommand(['token', 'create', '--api', 'clevertim', '--user', BENCH_PERSON.email, '--company', companyId, '--json'], env);
  const token = (JSON.parse(output) as { token?: string }).token;
  if (!token) throw new Error(`opsbase token create printed no token: ${output.slice(0, 200)}`);
  return token;
}

/**
 * The statements `recordStore.get` sends for one contact, recorded through a logging drizzle on the
 * bench's own pool (the row, its back-references, the custom-field definitions), so baseline (i) runs
 * the same SQL whatever the Clevertim module does today.
 */
async function captureContactQueries(pool: pg.Pool, orm: Orm, companyId: string, personId: string, contactId: number): Promise<CapturedQuery[]> {
  const queries: CapturedQuery[] = [];
  const logging = drizzle(pool, { logger: { logQuery: (sql, params) => queries.push({ sql, params: [...params] }) } }) as unknown as Orm;
  const userId = await ensureUserId(orm, companyId, personId);
  const record = await recordStore.get(logging, contactResource, { companyId, companyName: 'bench', personId, role: 'owner', userId }, contactId);
  if (!record) throw new Error(`contact ${contactId} was not found by the record store`);
  return queries.map((q) => ({ sql: q.sql, params: q.params.map((p) => (p === contactId ? '$ID' : p)) }));
}

export async function contactFixture(pool: pg.Pool, orm: Orm, companyId: string, env: NodeJS.ProcessEnv): Promise<ContactFixture> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM ct_contacts WHERE company_id = $1 AND NOT is_company ORDER BY random() LIMIT 10000', [companyId]);
  if (rows.length === 0) throw new Error('the reads company has no Clevertim contacts');
  const contactIds = rows.map((r) => Number(r.id));
  const [person] = (await pool.query<{ id: string }>('SELECT id FROM people WHERE lower(email) = $1', [BENCH_PERSON.email])).rows;
  if (!person) throw new Error('the bench person does not exist yet');
  const queries = await captureContactQueries(pool, orm, companyId, person.id, contactIds[0]!);
  return { contactIds, token: clevertimToken(companyId, env), queries };
}

export function getContact(fixture: ContactFixture): LoadRequest {
  const basic = Buffer.from(`${fixture.token}:X`).toString('base64');
  const pick = () => fixture.contactIds[crypto.randomInt(fixture.contactIds.length)]!;
  return { method: 'GET', path: () => `/clevertim/api/contact/${pick()}`, headers: { authorization: `Basic ${basic}` }, expectStatus: 200 };
}
