// `npm run bench [-- --quick]`: Opsbase against a bare baseline and against peers, in one run (issue 7).
// See bench/README.md for what is measured and how to read it. Measurement only: nothing here is a test.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { readLiveLock } from '../src/platform/db/data-dir-lock.ts';
import { EMBEDDED_SOCKET_PORT } from '../src/platform/db/embedded.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import type { Orm } from '../src/platform/db/database.ts';
import { mainThreadProfile, profileText, summariseProfile, type ProfileSummary } from './cpu-profile.ts';
import { clevertimStatus, contactFixture, ensureClevertimDataset, getContact, type ClevertimStatus, type ContactFixture } from './clevertim.ts';
import { companiesWithLimits, liftRateLimits, mintAccessTokens, repoRoot } from './credentials.ts';
import { benchDatabase, createDatabaseIfMissing, dropDatabase, type BenchDatabase } from './database-url.ts';
import { benchCompanies, DatasetMismatchError, ensureBlueClerkDataset } from './dataset.ts';
import { borrowEmbedded, embeddedDataDir } from './embedded.ts';
import { measure, preflight, skipped, warmUp, type LoadRequest, type Measurement } from './load.ts';
import { opsbaseEnv, startBenchScript, startOpsbase } from './opsbase-server.ts';
import { DIRECTUS, DIRECTUS_TOKEN, directusListPath, prepareDirectusTable, startDirectus } from './peers/directus.ts';
import { installPeer, PeerUnavailable, type PeerPackage } from './peers/install.ts';
import { PRISM, PRISM_STRIPS_PREFIX, startPrism } from './peers/prism.ts';
import type { ServerProcess } from './processes.ts';
import { optionsFrom } from './profile.ts';
import { step } from './progress.ts';
import { ratios, resultsTable, TARGETS, targetChecks, targetsTable, updateReadme, writeResults, type PeerStatus, type RunResults } from './report.ts';
import { deepPage, firstPage, freshLead, getJob, readFixture, replayedLead, singleKeyReplays, type ReadFixture } from './scenarios.ts';
import { webhookFanOut, type WebhookPhase } from './webhooks.ts';

const WORK = path.join(repoRoot, 'bench/.work');
const RESULTS = path.join(repoRoot, 'bench/results');
const README = path.join(repoRoot, 'bench/README.md');

const startedAt = new Date();
const { profile, cpuProfile } = optionsFrom(process.argv.slice(2));
const cpuProfileDir = cpuProfile ? path.join(WORK, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-')) : undefined;
const notes: string[] = [];
const measurements: Measurement[] = [];
let webhooks: WebhookPhase[] = [];
const peers: PeerStatus[] = [];
const datasets: Record<string, unknown> = {};

// Servers are children in their own process groups: stop them however the run ends.
const running = new Set<ServerProcess>();
async function started(server: Promise<ServerProcess>): Promise<ServerProcess> {
  const s = await server;
  running.add(s);
  return s;
}
async function stop(...servers: (ServerProcess | null | undefined)[]): Promise<void> {
  for (const server of servers) {
    if (!server) continue;
    await server.stop();
    running.delete(server);
  }
}
process.on('exit', () => {
  for (const server of running) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.stop())).then(() => process.exit(130));
  });
}

function note(text: string): void {
  notes.push(text);
  step(`note: ${text}`);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---- PostgreSQL server: database and dataset -------------------------------------------------------

async function openBenchDatabase(db: BenchDatabase): Promise<pg.Pool> {
  if (db.dedicated && (await createDatabaseIfMissing(db.url))) step(`created the database ${db.description}`);
  let pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrate(pool);
  try {
    datasets.postgres = { where: db.description, ...profile.dataset, ...(await ensureBlueClerkDataset(pool, profile.dataset, db.description)) };
  } catch (error) {
    if (!(error instanceof DatasetMismatchError)) throw error;
    if (!db.dedicated) throw new Error(`${error.message}. This DATABASE_URL was given by you, so the bench will not drop it: point DATABASE_URL at an empty database, or leave it unset to use the bench's own.`);
    step(`${error.message}: dropping and remaking the bench's own database`);
    await pool.end();
    await dropDatabase(db.url);
    await createDatabaseIfMissing(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(pool);
    datasets.postgres = { where: db.description, ...profile.dataset, ...(await ensureBlueClerkDataset(pool, profile.dataset, db.description)) };
  }
  return pool;
}

/** Removes what earlier runs' writes left (leads, their events, idempotency records, webhook traffic), so every run starts from the same data. */
async function removeEarlierWrites(pool: pg.Pool, companyIds: string[]): Promise<void> {
  await pool.query(`DELETE FROM webhook_deliveries WHERE company_id = ANY($1::text[])`, [companyIds]);
  await pool.query(`DELETE FROM domain_events WHERE company_id = ANY($1::text[])`, [companyIds]);
  await pool.query(`DELETE FROM idempotency_keys WHERE company_id = ANY($1::text[])`, [companyIds]);
  await pool.query(`DELETE FROM bc_tickets WHERE company_id = ANY($1::text[]) AND source = 'bench'`, [companyIds]);
}

// ---- scenarios ------------------------------------------------------------------------------------

/**
 * a to c as requests, made for a token; the same requests go to Opsbase and to both baselines (which
 * ignore the token). Reads use the reads company, writes the writes company.
 */
/** Why baseline (ii) is not measured for a scenario in this profile, if it is not. */
function ceilingSkipped(scenario: string): string | undefined {
  if (profile.ceilingScenarios === 'all' || profile.ceilingScenarios.includes(scenario)) return undefined;
  return `${profile.name} run: the ceiling is measured for ${profile.ceilingScenarios.join(', ')} only`;
}

const ONLY_OPSBASE = 'replays of one key need idempotency; the baselines have none';

function blueClerkScenarios(fixture: ReadFixture): { scenario: string; request: (tokens: { read: string; write: string }) => LoadRequest; skip?: Record<string, string> }[] {
  return [
    { scenario: 'a', request: (t) => getJob(t.read, fixture) },
    { scenario: 'b-first', request: (t) => firstPage(t.read) },
    { scenario: 'b-deep', request: (t) => deepPage(t.read, fixture) },
    { scenario: 'c-fresh', request: (t) => freshLead(t.write) },
    { scenario: 'c-replay', request: (t) => replayedLead(t.write), skip: { [TARGETS.nodeHttp]: 'the same bytes as c-fresh' } },
    { scenario: 'c-replay-1key', request: (t) => singleKeyReplays(t.write), skip: { [TARGETS.fastifyPg]: ONLY_OPSBASE, [TARGETS.nodeHttp]: ONLY_OPSBASE } },
  ];
}

/** Baseline (ii) answers with the bytes Opsbase answered: captured here, one request per scenario. */
async function captureResponses(opsbase: ServerProcess, token: string, fixture: ReadFixture, contacts: ContactFixture | null): Promise<string> {
  const oneJob = { ...getJob(token, fixture), path: `/blueclerk/api/v1/jobs/${fixture.jobIds[0]}` };
  const routes = [
    { method: 'GET', prefix: '/blueclerk/api/v1/jobs/', status: 200, body: await preflight(opsbase.url, oneJob) },
    { method: 'GET', prefix: '/blueclerk/api/v1/jobs?limit=25', status: 200, body: await preflight(opsbase.url, firstPage(token)) },
    { method: 'GET', prefix: '/blueclerk/api/v1/jobs?limit=25&cursor=', status: 200, body: await preflight(opsbase.url, deepPage(token, fixture)) },
    { method: 'POST', prefix: '/blueclerk/api/v1/leads', status: 201, body: await preflight(opsbase.url, freshLead(token)) },
  ];
  if (contacts) routes.push({ method: 'GET', prefix: '/clevertim/api/contact/', status: 200, body: await preflight(opsbase.url, getContact(contacts)) });
  const file = path.join(WORK, 'node-http-routes.json');
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(routes));
  return file;
}

async function postgresScenarios(db: BenchDatabase, pool: pg.Pool, orm: Orm, clevertim: ClevertimStatus): Promise<string | null> {
  const companies = benchCompanies();
  const companyIds = Object.values(companies);
  const lift = await companiesWithLimits(orm, companyIds);
  if (lift.length > 0) {
    step(`opsbase company set-limits ... unlimited for ${lift.length} bench companies`);
    liftRateLimits(lift, opsbaseEnv({ DATABASE_URL: db.url }));
  }
  await removeEarlierWrites(pool, companyIds);
  step('tokens and fixtures');
  const tokens = await mintAccessTokens(orm, companyIds);
  const fixture = await readFixture(pool, profile.dataset, companies.reads);
  let contacts: ContactFixture | null = null;
  let withoutD = `Clevertim API ${clevertim.detail}`;
  if (clevertim.mounted) {
    try {
      contacts = await contactFixture(pool, orm, companies.reads, opsbaseEnv({ DATABASE_URL: db.url }));
    } catch (error) {
      withoutD = `Clevertim is mounted but scenario d could not be prepared: ${errorText(error)}`;
      note(withoutD);
    }
  }

  let opsbase: ServerProcess | null = null;
  let baselineI: ServerProcess | null = null;
  let baselineII: ServerProcess | null = null;
  try {
    step('starting opsbase (PostgreSQL server), baseline (i) and baseline (ii)');
    opsbase = await started(startOpsbase(TARGETS.opsbase, { DATABASE_URL: db.url }, { cpuProfileDir }));
    baselineI = await started(
      startBenchScript(TARGETS.fastifyPg, 'bench/baselines/fastify-pg.ts', {
        BASELINE_PG: JSON.stringify({ connectionString: db.url }),
        BASELINE_POOL_SIZE: '20',
        BASELINE_READ_COMPANY: companies.reads,
        BASELINE_WRITE_COMPANY: companies.writes,
        BASELINE_CONTACT_QUERIES: JSON.stringify(contacts?.queries ?? []),
      }),
    );
    const routesFile = await captureResponses(opsbase, tokens.get(companies.reads)!, fixture, contacts);
    baselineII = await started(startBenchScript(TARGETS.nodeHttp, 'bench/baselines/node-http.ts', { BASELINE_ROUTES: routesFile }));

    const opsbaseTokens = { read: tokens.get(companies.reads)!, write: tokens.get(companies.writes)! };
    const servers: ServerProcess[] = [opsbase, baselineI, baselineII];
    step('warming up the three servers');
    const warmUpRequests = [getJob(opsbaseTokens.read, fixture), firstPage(opsbaseTokens.read), freshLead(opsbaseTokens.write), ...(contacts ? [getContact(contacts)] : [])];
    for (const server of servers) await warmUp(server, warmUpRequests, profile);
    for (const { scenario, request, skip } of blueClerkScenarios(fixture)) {
      for (const server of servers) {
        const reason = skip?.[server.name] ?? (server === baselineII ? ceilingSkipped(scenario) : undefined);
        if (reason) {
          measurements.push(skipped(scenario, server.name, reason));
          continue;
        }
        step(`${scenario}: ${server.name}`);
        const note = scenario === 'c-replay' && server !== opsbase ? { note: 'no idempotency here: every request inserts' } : {};
        const measured = await measure(scenario, server, request(opsbaseTokens), profile, note);
        if (scenario === 'c-replay-1key' && measured.requests) {
          measured.note = `${measured.statusCodes['409'] ?? 0} of ${measured.requests} answered 409 (a duplicate while the same key is being handled on this node)`;
        }
        measurements.push(measured);
      }
    }
    for (const server of servers) {
      if (!contacts) {
        measurements.push(skipped('d', server.name, withoutD));
        continue;
      }
      const reason = server === baselineII ? ceilingSkipped('d') : undefined;
      if (reason) {
        measurements.push(skipped('d', server.name, reason));
        continue;
      }
      step(`d: ${server.name}`);
      measurements.push(await measure('d', server, getContact(contacts), profile));
    }

    step('e: webhook fan-out');
    try {
      webhooks = await webhookFanOut(opsbase, pool, companies.webhooks, tokens.get(companies.webhooks)!, profile);
    } catch (error) {
      note(`e (webhooks) failed: ${errorText(error)}`);
    }

    const document = await fetch(`${opsbase.url}/blueclerk/api/openapi.json`);
    const documentPath = path.join(WORK, 'blueclerk-openapi.json');
    fs.writeFileSync(documentPath, await document.text());
    return documentPath;
  } finally {
    await stop(opsbase, baselineI, baselineII);
  }
}

// ---- peers ----------------------------------------------------------------------------------------

function rebased(request: LoadRequest, strip: string): LoadRequest {
  const path = request.path;
  return { ...request, path: typeof path === 'function' ? () => path().slice(strip.length) : path.slice(strip.length) };
}

async function withPeer(peer: PeerPackage, scenarios: string[], run: (dir: { dir: string }) => Promise<void>): Promise<void> {
  const status: PeerStatus = { name: peer.name, pkg: peer.pkg, version: peer.version, ran: false };
  peers.push(status);
  const label = `${peer.name} ${peer.version}`;
  try {
    const installed = installPeer(peer);
    status.latest = installed.latest;
    await run(installed);
    status.ran = true;
  } catch (error) {
    status.reason = error instanceof PeerUnavailable ? error.message : `${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    for (const scenario of scenarios) if (!measurements.some((m) => m.scenario === scenario && m.target === label)) measurements.push(skipped(scenario, label, status.reason));
    note(`${label} did not run: ${status.reason}`);
  }
}

async function peerScenarios(db: BenchDatabase, pool: pg.Pool, documentPath: string | null, fixture: ReadFixture): Promise<void> {
  const companies = benchCompanies();
  const prismLabel = `prism ${PRISM.version}`;
  await withPeer(PRISM, ['a', 'b-first', 'c-fresh'], async (installed) => {
    if (!documentPath) throw new Error('no OpenAPI document: the Opsbase server did not serve it');
    step(`starting ${prismLabel} on our BlueClerk OpenAPI document`);
    const prism = await started(startPrism({ ...installed, version: PRISM.version, latest: null }, documentPath));
    try {
      const token = 'bc_at_prism-checks-only-that-a-token-is-sent';
      await warmUp(prism, [rebased(getJob(token, fixture), PRISM_STRIPS_PREFIX)], profile);
      for (const [scenario, request] of [
        ['a', getJob(token, fixture)],
        ['b-first', firstPage(token)],
        ['c-fresh', freshLead(token)],
      ] as const) {
        step(`${scenario}: ${prismLabel}`);
        measurements.push(await measure(scenario, { ...prism, name: prismLabel }, rebased(request, PRISM_STRIPS_PREFIX), profile, { note: 'a mock: examples from the document, no database' }));
      }
    } finally {
      await stop(prism);
    }
  });

  const directusLabel = `directus ${DIRECTUS.version}`;
  await withPeer(DIRECTUS, ['a', 'b-first', 'b-deep'], async (installed) => {
    await prepareDirectusTable(pool);
    step(`starting ${directusLabel} on a copy of bc_jobs`);
    const directus = await started(startDirectus({ ...installed, version: DIRECTUS.version, latest: null }, db.url, pool));
    try {
      const headers = { authorization: `Bearer ${DIRECTUS_TOKEN}` };
      const requests: [string, LoadRequest, string][] = [
        ['a', { method: 'GET', path: () => `/items/jobs/${fixture.jobIds[Math.floor(Math.random() * fixture.jobIds.length)]}`, headers, expectStatus: 200 }, 'static admin token'],
        ['b-first', { method: 'GET', path: directusListPath(companies.reads), headers, expectStatus: 200 }, 'filter company_id, sort -created_at,-id'],
        ['b-deep', { method: 'GET', path: directusListPath(companies.reads, fixture.deepOffset), headers, expectStatus: 200 }, `offset ${fixture.deepOffset} (Directus has no cursor)`],
      ];
      await warmUp(directus, [requests[0]![1]], profile);
      for (const [scenario, request, why] of requests) {
        step(`${scenario}: ${directusLabel}`);
        measurements.push(await measure(scenario, { ...directus, name: directusLabel }, request, profile, { note: why }));
      }
    } finally {
      await stop(directus);
    }
  });
}

// ---- f: the embedded database ------------------------------------------------------------------------

async function embeddedScenarios(): Promise<void> {
  const companies = benchCompanies();
  const data = await embeddedDataDir(profile);
  datasets.embedded = { where: 'a temporary DATA_DIR copied from bench/.work/embedded/', companies: profile.embeddedDataset.companies, tickets: profile.embeddedDataset.tickets, jobs: profile.embeddedDataset.jobs };
  let opsbase: ServerProcess | null = null;
  let baseline: ServerProcess | null = null;
  try {
    step('starting opsbase on the embedded database (temporary DATA_DIR)');
    opsbase = await started(startOpsbase(TARGETS.opsbaseEmbedded, { DATA_DIR: data.dataDir }));
    const borrowed = await borrowEmbedded(data.dataDir);
    let token: string;
    let fixture: ReadFixture;
    try {
      token = (await mintAccessTokens(borrowed.orm, [companies.reads])).get(companies.reads)!;
      fixture = await readFixture(borrowed.pool, profile.embeddedDataset, companies.reads);
    } finally {
      await borrowed.close();
    }
    const socketDir = readLiveLock(data.dataDir)?.socketDir;
    if (!socketDir) throw new Error('the embedded server published no socket');
    baseline = await started(
      startBenchScript(TARGETS.fastifyEmbedded, 'bench/baselines/fastify-pg.ts', {
        BASELINE_PG: JSON.stringify({ host: socketDir, port: EMBEDDED_SOCKET_PORT, user: 'postgres', database: 'postgres' }),
        BASELINE_POOL_SIZE: '10',
        BASELINE_READ_COMPANY: companies.reads,
        BASELINE_WRITE_COMPANY: companies.writes,
      }),
    );
    for (const server of [opsbase, baseline]) await warmUp(server, [getJob(token, fixture), firstPage(token)], profile);
    for (const [scenario, request] of [
      ['f a', getJob(token, fixture)],
      ['f b-first', firstPage(token)],
      ['f b-deep', deepPage(token, fixture)],
    ] as const) {
      for (const server of [opsbase, baseline]) {
        step(`${scenario}: ${server.name}`);
        measurements.push(await measure(scenario, server, request, profile, server === baseline ? { note: "on the Opsbase server's embedded socket" } : { note: 'RSS includes the database (PGlite in a worker)' }));
      }
    }
  } finally {
    await stop(opsbase, baseline);
    data.remove();
  }
}

// ---- the run -------------------------------------------------------------------------------------

function machine(postgresVersion: string): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    postgres: postgresVersion,
    kernel: os.release(),
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

function commit(): { sha: string; dirty: boolean } {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { sha, dirty };
  } catch {
    return { sha: 'unknown', dirty: false };
  }
}

async function main(): Promise<void> {
  step(`bench, ${profile.name} profile: ${profile.durationSeconds} s per load after ${profile.warmupSeconds} s warm-up (${profile.serverWarmupSeconds} s per request kind when a server starts), ${profile.connections} connections, 127.0.0.1 only`);
  const clevertim = await clevertimStatus();
  step(`Clevertim: ${clevertim.detail}`);

  const db = benchDatabase(profile);
  const pool = await openBenchDatabase(db);
  const orm = drizzle(pool) as unknown as Orm;
  if (clevertim.mounted) {
    try {
      datasets.clevertim = { contacts: profile.dataset.clevertimContacts, ...(await ensureClevertimDataset(pool, profile.dataset, db.description)) };
    } catch (error) {
      note(`the Clevertim contacts could not be made: ${errorText(error)}`);
    }
  }
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  const postgresVersion = `PostgreSQL ${rows[0]!.server_version.split(' ')[0]}`;
  let documentPath: string | null = null;
  try {
    documentPath = await postgresScenarios(db, pool, orm, clevertim);
  } catch (error) {
    note(`the PostgreSQL scenarios stopped: ${errorText(error)}`);
  }
  try {
    await peerScenarios(db, pool, documentPath, await readFixture(pool, profile.dataset, benchCompanies().reads));
  } catch (error) {
    note(`the peers stopped: ${errorText(error)}`);
  }
  await pool.end();
  try {
    await embeddedScenarios();
  } catch (error) {
    note(`scenario f (embedded) stopped: ${errorText(error)}`);
  }

  let cpuProfileSummary: ProfileSummary | undefined;
  const profileFile = cpuProfileDir ? mainThreadProfile(cpuProfileDir) : null;
  if (cpuProfileDir) {
    if (profileFile) cpuProfileSummary = summariseProfile(profileFile);
    notes.push(`run with --cpu-prof: the opsbase server of a to e ran under the profiler, which costs throughput; its figures are for finding where time goes${profileFile ? '' : ' (no profile was written)'}`);
  }
  const other = os.loadavg()[0]!;
  notes.push(`load average (1 min) at the end: ${other.toFixed(2)} on ${os.cpus().length} cores; the machine is shared with other work, so compare ratios within this run rather than absolute figures across runs`);
  const results: RunResults = {
    date: startedAt.toISOString(),
    profile: profile.name,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: machine(postgresVersion),
    commit: commit(),
    datasets,
    measurements,
    webhooks,
    ratios: ratios(measurements),
    targets: [],
    peers,
    clevertim,
    notes,
    ...(cpuProfileSummary ? { cpuProfile: cpuProfileSummary } : {}),
  };
  results.targets = targetChecks(measurements, webhooks);
  // A profiled run's figures carry the profiler's cost: kept in its own file, never the README's summary.
  const file = writeResults(RESULTS, results, cpuProfile ? 'cpu-prof' : undefined);
  if (!cpuProfile) updateReadme(README, results, file);
  if (cpuProfileSummary) process.stdout.write(`\n${profileText(cpuProfileSummary)}\n`);
  process.stdout.write(`\n${resultsTable(results)}\n\nTargets (issue 7; reported, not asserted):\n${targetsTable(results.targets)}\n\nwritten to ${path.relative(repoRoot, file)}${cpuProfile ? '' : '; bench/README.md updated'} (${Math.round(results.seconds)} s)\n`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await Promise.allSettled([...running].map((s) => s.stop()));
    process.exit(1);
  },
);
