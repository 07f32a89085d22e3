import crypto from 'node:crypto';
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { BENCH_PERSON, mintAccessTokens } from '../../bench/credentials.ts';
import { blueClerkWebhooks } from '../../src/apis/blueclerk/webhooks/settings.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { issueApiToken } from '../../src/platform/credentials/api-tokens.ts';
import { connectToServer, openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { UNLIMITED_STORED } from '../../src/platform/rate-limit/limits.ts';
import { companies } from '../../src/platform/tenancy/schema.ts';
import { createCompany, findPersonByEmail } from '../../src/platform/tenancy/tenancy.ts';
import { createSubscription } from '../../src/platform/webhooks/subscriptions.ts';
import { baseEnv, freePort, spawnOpsbase, tempDir } from './cli.ts';

/**
 * The real server as an operator runs it (`bin/opsbase.js start` in its own process) on a store that
 * outlives it: an embedded data directory, or a database of its own on the PostgreSQL server named by
 * DATABASE_URL. Used by the crash tests (kill it, start it again on the same data) and the soak (read
 * its memory from /proc, count its database connections).
 */
export interface LiveStore {
  kind: 'embedded' | 'server';
  dataDir: string;
  /** The store's own database (server kind only). */
  databaseUrl?: string;
  databaseName?: string;
  /** Drops the store's database (server kind); the data directory goes with the test's temp dirs. */
  drop(): Promise<void>;
}

export async function createLiveStore(serverUrl = process.env.DATABASE_URL): Promise<LiveStore> {
  const dataDir = tempDir('opsbase-live-');
  if (!serverUrl) return { kind: 'embedded', dataDir, drop: async () => {} };
  const name = `opsbase_live_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'server',
    dataDir,
    databaseUrl: url.toString(),
    databaseName: name,
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * Opens the store for the test's own reads and set-up: the embedded directory is owned for the moment
 * (no server running) or borrowed through the running server's socket; a server database gets a small
 * pool of its own, closed afterwards, so the server's connections are the only ones left to count.
 */
export async function withStore<T>(store: LiveStore, work: (db: Database) => Promise<T>): Promise<T> {
  const db = store.databaseUrl ? connectToServer(store.databaseUrl, 2) : await openDatabase({ dataDir: store.dataDir }, 'cli');
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** One company and the credentials a partner would hold for it, with a webhook to a local receiver. */
export interface LiveTenant {
  companyId: string;
  /** A BlueClerk OAuth access token with every scope (valid an hour). */
  bearer: string;
  /** A Clevertim personal API token (HTTP Basic user name). */
  clevertimToken: string;
  webhookId: string;
}

/**
 * Migrates the store and makes one enterprise company (webhook quota of 100,000 a day) with its rate
 * limits lifted, so load tests measure the server rather than the limiter. Run before the server starts.
 */
export async function prepareTenant(store: LiveStore, webhookUrl: string): Promise<LiveTenant> {
  return withStore(store, async (db) => {
    await migrate(db.pool);
    const company = await createCompany(db.orm, { name: `Live Co ${crypto.randomBytes(3).toString('hex')}`, plan: 'enterprise' });
    await db.orm
      .update(companies)
      .set({ limitPerMinute: UNLIMITED_STORED, limitPerDay: UNLIMITED_STORED, limitPerMonth: UNLIMITED_STORED })
      .where(eq(companies.id, company.id));
    const bearer = (await mintAccessTokens(db.orm, [company.id])).get(company.id)!;
    const person = (await findPersonByEmail(db.orm, BENCH_PERSON.email))!;
    const { token: clevertimToken } = await issueApiToken(db.orm, { api: 'clevertim', companyId: company.id, personId: person.id });
    const config = loadConfig({ WEBHOOK_ALLOW_PRIVATE: '1' });
    const subscription = await db.orm.transaction((tx) => createSubscription(tx, blueClerkWebhooks, config.webhooks, company.id, { url: webhookUrl, events: ['ticket.created'] }));
    return { companyId: company.id, bearer, clevertimToken, webhookId: subscription.id };
  });
}

const START_TIMEOUT_MS = 90_000;

export interface RunningServer {
  url: string;
  pid: number;
  /** What it printed so far (its JSON log lines, with LOG_LEVEL set). */
  output(): string;
  /** Resident set size of the server process, from /proc (Linux). */
  rssBytes(): number;
  /** SIGKILL: no shutdown hook runs, nothing is flushed by the server on its way out. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for a clean exit. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** `opsbase start` on the store; resolves once it prints its banner. */
export async function startServer(store: LiveStore, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const server = spawnOpsbase(
    ['start'],
    baseEnv({
      DATA_DIR: store.dataDir,
      PORT: String(port),
      OPSBASE_DEMO: '0',
      WEBHOOK_ALLOW_PRIVATE: '1',
      ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
      ...env,
    }),
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!server.stdout().includes('Opsbase is running at')) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`opsbase start exited (${server.child.exitCode ?? server.child.signalCode}): ${(await server.done).stderr}`);
    if (Date.now() > deadline) {
      server.child.kill('SIGKILL');
      throw new Error('opsbase start did not print its banner in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = server.child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    output: server.stdout,
    rssBytes() {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
      return Number(kb[1]) * 1024;
    },
    async kill() {
      server.child.kill('SIGKILL');
      const result = await server.done;
      if (result.signal !== 'SIGKILL') throw new Error(`the server ended before it was killed: ${result.code} ${result.stderr}`);
    },
    async stop() {
      server.child.kill('SIGTERM');
      const killer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
      const result = await server.done;
      clearTimeout(killer);
      return { code: result.code, stderr: result.stderr };
    },
  };
}

/** An HTTP answer as the client saw it: status, exact body text, headers; null when none came. */
export interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

export async function call(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer | null> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 30_000) });
    return { status: response.status, body: await response.text(), headers: response.headers };
  } catch {
    return null; // refused, reset, or cut off mid-answer: the client never got an acknowledgement
  }
}

export function blueClerkHeaders(tenant: LiveTenant, key?: string): Record<string, string> {
  return { authorization: `Bearer ${tenant.bearer}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) };
}

export function clevertimHeaders(tenant: LiveTenant): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${tenant.clevertimToken}:X`).toString('base64')}`, 'content-type': 'application/json' };
}
