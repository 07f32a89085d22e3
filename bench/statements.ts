// `npx tsx bench/statements.ts`: how many SQL statements each scenario costs Opsbase and baseline (i).
// Both servers reach PostgreSQL through a counting proxy that reads the client side of the wire protocol
// (an Execute or a simple Query message is one statement: a named prepared statement is parsed once per
// connection, then only bound and executed); 200 requests of each scenario are sent one at a
// time, so background work (webhook workers polling once a second) adds little. Uses the quick dataset
// (run `npm run bench -- --quick` once first). A diagnostic beside the bench, not part of its timed run.
import net from 'node:net';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Orm } from '../src/platform/db/database.ts';
import { contactFixture, clevertimStatus, getContact } from './clevertim.ts';
import { mintAccessTokens } from './credentials.ts';
import { benchDatabase } from './database-url.ts';
import { benchCompanies } from './dataset.ts';
import { preflight, type LoadRequest } from './load.ts';
import { opsbaseEnv, startBenchScript, startOpsbase } from './opsbase-server.ts';
import { optionsFrom } from './profile.ts';
import { deepPage, firstPage, freshLead, getJob, readFixture, replayedLead } from './scenarios.ts';

const REQUESTS = 200;

/** A TCP proxy to PostgreSQL counting statements (Execute 'E' and Query 'Q' messages) sent by clients. */
async function countingProxy(target: { host: string; port: number }): Promise<{ port: number; statements: () => number; close: () => void }> {
  let statements = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    let buffered = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          // The startup message (and an SSL request) carry no type byte: length, then contents.
          if (buffered.length < 4) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          buffered = buffered.subarray(length);
          started = true;
          continue;
        }
        if (buffered.length < 5) break;
        const type = String.fromCharCode(buffered[0]!);
        const length = buffered.readInt32BE(1);
        if (buffered.length < 1 + length) break;
        if (type === 'E' || type === 'Q') statements++;
        buffered = buffered.subarray(1 + length);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, statements: () => statements, close: () => server.close() };
}

async function perRequest(baseUrl: string, request: LoadRequest, proxy: { statements: () => number }): Promise<number> {
  await preflight(baseUrl, request);
  const before = proxy.statements();
  for (let i = 0; i < REQUESTS; i++) await preflight(baseUrl, request);
  return (proxy.statements() - before) / REQUESTS;
}

const { profile } = optionsFrom(['--quick']);
const db = benchDatabase(profile);
const url = new URL(db.url);
const proxy = await countingProxy({ host: url.hostname, port: Number(url.port || 5432) });
const proxied = new URL(db.url);
proxied.port = String(proxy.port);

const pool = new pg.Pool({ connectionString: db.url, max: 2 });
const orm = drizzle(pool) as unknown as Orm;
const companies = benchCompanies();
const tokens = await mintAccessTokens(orm, [companies.reads, companies.writes]);
const fixture = await readFixture(pool, profile.dataset, companies.reads);
const contacts = (await clevertimStatus()).mounted ? await contactFixture(pool, orm, companies.reads, opsbaseEnv({ DATABASE_URL: db.url })) : null;
const read = tokens.get(companies.reads)!;
const write = tokens.get(companies.writes)!;

const opsbase = await startOpsbase('opsbase', { DATABASE_URL: proxied.toString() });
const baseline = await startBenchScript('baseline (i)', 'bench/baselines/fastify-pg.ts', {
  BASELINE_PG: JSON.stringify({ connectionString: proxied.toString() }),
  BASELINE_POOL_SIZE: '20',
  BASELINE_READ_COMPANY: companies.reads,
  BASELINE_WRITE_COMPANY: companies.writes,
  BASELINE_CONTACT_QUERIES: JSON.stringify(contacts?.queries ?? []),
});
try {
  const scenarios: [string, LoadRequest][] = [
    ['a', getJob(read, fixture)],
    ['b-first', firstPage(read)],
    ['b-deep', deepPage(read, fixture)],
    ['c-fresh', freshLead(write)],
    ['c-replay', { ...replayedLead(write), perConnectionHeaders: undefined, headers: { authorization: `Bearer ${write}`, 'idempotency-key': `bench-statements-${Date.now()}` } }],
    ...(contacts ? ([['d', getContact(contacts)]] as [string, LoadRequest][]) : []),
  ];
  console.log(`statements per request (${REQUESTS} sequential requests each)\nscenario   opsbase  baseline (i)`);
  for (const [scenario, request] of scenarios) {
    const ours = await perRequest(opsbase.url, request, proxy);
    const floor = scenario === 'c-replay' ? Number.NaN : await perRequest(baseline.url, request, proxy);
    console.log(`${scenario.padEnd(9)}  ${ours.toFixed(1).padStart(7)}  ${Number.isNaN(floor) ? '           -' : floor.toFixed(1).padStart(12)}`);
  }
} finally {
  await opsbase.stop();
  await baseline.stop();
  await pool.end();
  proxy.close();
}
