import crypto from 'node:crypto';
import type pg from 'pg';
import { encodeCursor } from '../src/platform/pagination/keyset.ts';
import { benchJobId, bigCompanyRows } from './dataset.ts';
import type { LoadRequest } from './load.ts';
import type { DatasetSize } from './profile.ts';

/**
 * The HTTP scenarios of issue 7 as requests (bench/README.md lists them). Every target gets the same
 * paths and headers (baselines simply ignore the bearer token), so a ratio compares the servers and
 * nothing else.
 */

/** How deep the deep page is: this share of the company's list lies before it. */
export const DEEP_PAGE_SHARE = 0.9;

const API = '/blueclerk/api/v1';
const RANDOM_IDS = 10_000;

export interface ReadFixture {
  /** Ids of the reads company's jobs, picked at random per request. */
  jobIds: string[];
  /** `nextCursor` of the page before the deep one. */
  deepCursor: string;
  /** Rows before the deep page. */
  deepOffset: number;
}

/**
 * Job ids are computed from row numbers (dataset.ts); the deep cursor is read from the database: the
 * row DEEP_PAGE_SHARE of the way down the company's "newest first" list, encoded as Opsbase encodes the
 * `nextCursor` it hands out (so the deep page is what a client reaches by following cursors).
 */
export async function readFixture(pool: pg.Pool, size: DatasetSize, companyId: string): Promise<ReadFixture> {
  const rows = bigCompanyRows(size.jobs, size);
  const jobIds = Array.from({ length: Math.min(RANDOM_IDS, rows) }, () => benchJobId(1 + crypto.randomInt(rows)));
  const deepOffset = Math.floor(rows * DEEP_PAGE_SHARE);
  const { rows: found } = await pool.query<{ created_at: Date; id: string }>(
    'SELECT created_at, id FROM bc_jobs WHERE company_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1',
    [companyId, deepOffset - 1],
  );
  const last = found[0];
  if (!last) throw new Error(`the reads company has fewer than ${deepOffset} jobs; the dataset is not what this run expects`);
  return { jobIds, deepCursor: encodeCursor({ order: 'browse', at: new Date(last.created_at).toISOString(), id: last.id }), deepOffset };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)]!;

export function getJob(token: string, fixture: ReadFixture): LoadRequest {
  return { method: 'GET', path: () => `${API}/jobs/${pick(fixture.jobIds)}`, headers: bearer(token), expectStatus: 200 };
}

export function firstPage(token: string): LoadRequest {
  return { method: 'GET', path: `${API}/jobs?limit=25`, headers: bearer(token), expectStatus: 200 };
}

export function deepPage(token: string, fixture: ReadFixture): LoadRequest {
  return { method: 'GET', path: `${API}/jobs?limit=25&cursor=${fixture.deepCursor}`, headers: bearer(token), expectStatus: 200 };
}

/** A lead as a partner such as leads2jobs sends it; `source: bench` marks what the bench made. */
export const LEAD_BODY = JSON.stringify({
  businessName: 'Smith Plumbing',
  contactName: 'Joe Smith',
  email: 'joe.smith@example.com',
  phone: '+15125551234',
  address: '123 Main St, Austin, TX 78701',
  notes: 'Kitchen tap leaks; prefers mornings',
  source: 'bench',
});

/** Every request a new lead: a fresh Idempotency-Key made in autocannon's request setup. */
export function freshLead(token: string): LoadRequest {
  return { method: 'POST', path: `${API}/leads`, headers: bearer(token), body: LEAD_BODY, perRequestHeaders: () => ({ 'idempotency-key': crypto.randomUUID() }), expectStatus: 201 };
}

/**
 * Replays: each connection sends one key again and again (its first request creates the lead, every
 * later one is a replay). One key per connection rather than one for all: Opsbase answers a duplicate
 * that arrives while the same key is being handled on the same node with 409 (in progress), even when
 * the key is already done, so 50 connections sharing one key measure mostly that refusal
 * (see `singleKeyReplays`).
 */
export function replayedLead(token: string): LoadRequest {
  return { method: 'POST', path: `${API}/leads`, headers: bearer(token), body: LEAD_BODY, perConnectionHeaders: () => ({ 'idempotency-key': `bench-replay-${crypto.randomUUID()}` }), expectStatus: 201 };
}

/** All connections replaying one key: the case the 409 above is about, measured for the record. */
export function singleKeyReplays(token: string): LoadRequest {
  return { method: 'POST', path: `${API}/leads`, headers: { ...bearer(token), 'idempotency-key': `bench-replay-one-${crypto.randomUUID()}` }, body: LEAD_BODY, expectStatus: 201 };
}
