import crypto from 'node:crypto';
import type pg from 'pg';
import { JOB_STATUSES, TICKET_STATUSES } from '../src/apis/blueclerk/schema.ts';
import type { DatasetSize } from './profile.ts';
import { ProgressBar, step } from './progress.ts';

/**
 * The bench's BlueClerk data: companies, tickets and jobs, made with set-based SQL (one
 * INSERT ... SELECT over generate_series per chunk of rows) so a million rows take a minute, not an
 * hour. Everything is derived from row numbers, so two generations of the same size are identical and
 * the bench can compute a job's id without asking the database (md5 of a fixed text, as the SQL does).
 *
 * Row n of a table belongs to the first company when n <= big (that company's list is the deep one the
 * reads walk), otherwise to one of the others in turn. Rows are a fixed 20 seconds apart, so a
 * company's "newest first" order is simply descending n.
 *
 * A marker row in `bench_dataset` records the version and size of what was made; a later run with the
 * same version and size reuses it. A run that died half-way left no marker, and its rows are removed
 * before generating again.
 */
export const DATASET_VERSION = 'blueclerk-v1';

const CHUNK_ROWS = 25_000;
const BASE_TIME = '2024-01-01T00:00:00Z';

const md5 = (text: string) => crypto.createHash('md5').update(text).digest('hex');

/** Id of the k-th bench company (1-based), as the SQL below computes it. */
export function benchCompanyId(k: number): string {
  return `c${md5(`opsbase-bench-company-${k}`).slice(0, 24)}`;
}

export function benchJobId(n: number): string {
  return `c${md5(`opsbase-bench-job-${n}`).slice(0, 24)}`;
}

export function benchTicketId(n: number): string {
  return `c${md5(`opsbase-bench-ticket-${n}`).slice(0, 24)}`;
}

/** How many of a table's rows belong to the first company (rows 1..big). */
export function bigCompanyRows(rows: number, size: DatasetSize): number {
  return Math.round(rows * size.bigCompanyShare);
}

/** The companies the scenarios use; all others only make the tables as big as a shared server's. */
export interface BenchCompanies {
  /** Reads (a, b, d): owns the deep lists. */
  reads: string;
  /** Writes (c): new leads land here. */
  writes: string;
  /** Webhooks (e): the only company with a subscription. */
  webhooks: string;
}

export function benchCompanies(): BenchCompanies {
  return { reads: benchCompanyId(1), writes: benchCompanyId(2), webhooks: benchCompanyId(3) };
}

/** SQL for the company that owns row `n`. */
function ownerSql(big: number, companies: number): string {
  return `'c' || substr(md5('opsbase-bench-company-' || (CASE WHEN n <= ${big} THEN 1 ELSE 2 + (n - ${big} - 1) % ${companies - 1} END)), 1, 24)`;
}

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

function ticketsChunkSql(size: DatasetSize, from: number, to: number): string {
  const big = bigCompanyRows(size.tickets, size);
  return `INSERT INTO bc_tickets (id, company_id, created_at, updated_at, title, status, description, source, business_name, contact_name, email, phone, address)
    SELECT 'c' || substr(md5('opsbase-bench-ticket-' || n), 1, 24),
      ${ownerSql(big, size.companies)},
      timestamptz '${BASE_TIME}' + n * interval '20 seconds',
      timestamptz '${BASE_TIME}' + n * interval '20 seconds' + (n % 7) * interval '1 hour',
      (ARRAY['Leaking tap','No hot water','Blocked drain','Boiler service','New bathroom quote'])[1 + n % 5] || ' #' || n,
      (${sqlArray(TICKET_STATUSES)})[1 + n % ${TICKET_STATUSES.length}],
      'Made by the Opsbase bench',
      (ARRAY['api','console','leads2jobs'])[1 + n % 3],
      CASE WHEN n % 3 = 0 THEN 'Builder ' || (n % 1000) END,
      'Customer ' || n,
      'customer' || n || '@example.com',
      '+1512555' || lpad((n % 10000)::text, 4, '0'),
      (100 + n % 9000) || ' Main St, Austin, TX 78701'
    FROM generate_series(${from}, ${to}) AS n`;
}

function jobsChunkSql(size: DatasetSize, from: number, to: number): string {
  const big = bigCompanyRows(size.jobs, size);
  // Job n comes from ticket n (every other job) only when both tables share one layout, so both rows belong to the same company.
  const linked = size.tickets === size.jobs ? `CASE WHEN n % 2 = 0 THEN 'c' || substr(md5('opsbase-bench-ticket-' || n), 1, 24) END` : 'NULL';
  const status = `(${sqlArray(JOB_STATUSES)})[1 + n % ${JOB_STATUSES.length}]`;
  return `INSERT INTO bc_jobs (id, company_id, created_at, updated_at, title, status, ticket_id, scheduled_at, completed_at)
    SELECT 'c' || substr(md5('opsbase-bench-job-' || n), 1, 24),
      ${ownerSql(big, size.companies)},
      timestamptz '${BASE_TIME}' + n * interval '20 seconds' + interval '7 seconds',
      timestamptz '${BASE_TIME}' + n * interval '20 seconds' + (n % 11) * interval '1 hour',
      (ARRAY['Replace tap','Install water heater','Clear drain','Service boiler','Refit bathroom'])[1 + n % 5] || ' #' || n,
      ${status},
      ${linked},
      timestamptz '${BASE_TIME}' + n * interval '20 seconds' + interval '2 days',
      CASE WHEN ${status} = 'COMPLETED' THEN timestamptz '${BASE_TIME}' + n * interval '20 seconds' + interval '3 days' END
    FROM generate_series(${from}, ${to}) AS n`;
}

const MARKER_TABLE = `CREATE TABLE IF NOT EXISTS bench_dataset (
  part text PRIMARY KEY,
  version text NOT NULL,
  size jsonb NOT NULL,
  seconds numeric NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

export class DatasetMismatchError extends Error {
  constructor(readonly found: { version: string; size: unknown }, wanted: { version: string; size: unknown }) {
    super(`the database holds bench dataset ${found.version} ${JSON.stringify(found.size)}, this run wants ${wanted.version} ${JSON.stringify(wanted.size)}`);
    this.name = 'DatasetMismatchError';
  }
}

export interface DatasetOutcome {
  reused: boolean;
  seconds: number;
}

/** What a part of the dataset must match to be reused. */
export interface DatasetPart {
  part: string;
  version: string;
  size: Record<string, number>;
}

/**
 * Returns true when the marker says this part is present as wanted, false when it is absent; throws
 * DatasetMismatchError when a different version or size is there.
 */
export async function datasetPresent(pool: pg.Pool, wanted: DatasetPart): Promise<boolean> {
  await pool.query(MARKER_TABLE);
  const { rows } = await pool.query<{ version: string; size: Record<string, number> }>('SELECT version, size FROM bench_dataset WHERE part = $1', [wanted.part]);
  const found = rows[0];
  if (!found) return false;
  // jsonb keeps its own key order: compare key by key.
  const sameSize = Object.keys(wanted.size).length === Object.keys(found.size).length && Object.entries(wanted.size).every(([key, value]) => found.size[key] === value);
  if (found.version === wanted.version && sameSize) return true;
  throw new DatasetMismatchError(found, wanted);
}

export async function markDataset(pool: pg.Pool, part: DatasetPart, seconds: number): Promise<void> {
  await pool.query(
    `INSERT INTO bench_dataset (part, version, size, seconds) VALUES ($1, $2, $3, $4)
     ON CONFLICT (part) DO UPDATE SET version = excluded.version, size = excluded.size, seconds = excluded.seconds, created_at = now()`,
    [part.part, part.version, JSON.stringify(part.size), seconds.toFixed(1)],
  );
}

export function blueClerkPart(size: DatasetSize): DatasetPart {
  return { part: 'blueclerk', version: DATASET_VERSION, size: { companies: size.companies, tickets: size.tickets, jobs: size.jobs, bigCompanyShare: size.bigCompanyShare } };
}

async function inChunks(pool: pg.Pool, label: string, total: number, chunkSql: (from: number, to: number) => string): Promise<void> {
  const bar = new ProgressBar(label, total);
  for (let from = 1; from <= total; from += CHUNK_ROWS) {
    const to = Math.min(total, from + CHUNK_ROWS - 1);
    await pool.query(chunkSql(from, to));
    bar.advance(to - from + 1);
  }
  bar.finish();
}

/** Makes the BlueClerk part of the dataset unless the marker says it is there. */
export async function ensureBlueClerkDataset(pool: pg.Pool, size: DatasetSize, where: string): Promise<DatasetOutcome> {
  const part = blueClerkPart(size);
  if (await datasetPresent(pool, part)) {
    step(`dataset ${part.version} (${size.companies} companies, ${(size.tickets + size.jobs).toLocaleString('en-US')} tickets and jobs) found in ${where}: reused`);
    return { reused: true, seconds: 0 };
  }
  const started = Date.now();
  step(`generating dataset ${part.version} in ${where}: ${size.companies} companies, ${size.tickets.toLocaleString('en-US')} tickets, ${size.jobs.toLocaleString('en-US')} jobs`);
  const ids = Array.from({ length: size.companies }, (_, i) => benchCompanyId(i + 1));
  // Leftovers of a generation that died before its marker: the companies' rows go with them (cascade).
  await pool.query('DELETE FROM companies WHERE id = ANY($1::text[])', [ids]);
  await pool.query(
    `INSERT INTO companies (id, name, plan)
     SELECT 'c' || substr(md5('opsbase-bench-company-' || k), 1, 24), 'Bench Contractor ' || lpad(k::text, 3, '0'),
            CASE WHEN k <= 3 THEN 'enterprise' ELSE 'pro' END
     FROM generate_series(1, ${size.companies}) AS k`,
  );
  await inChunks(pool, 'tickets', size.tickets, (from, to) => ticketsChunkSql(size, from, to));
  await inChunks(pool, 'jobs', size.jobs, (from, to) => jobsChunkSql(size, from, to));
  step('analyzing');
  await pool.query('ANALYZE companies, bc_tickets, bc_jobs');
  const seconds = (Date.now() - started) / 1000;
  await markDataset(pool, part, seconds);
  step(`dataset made in ${seconds.toFixed(1)} s`);
  return { reused: false, seconds };
}
