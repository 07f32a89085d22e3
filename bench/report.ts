import fs from 'node:fs';
import path from 'node:path';
import { profileText, type ProfileSummary } from './cpu-profile.ts';
import type { Measurement } from './load.ts';
import type { WebhookPhase } from './webhooks.ts';

/**
 * The outputs of a run: the table on stdout, bench/results/<date>-<profile>.json, and the summary in
 * bench/README.md (one section per profile, rewritten between its markers; the rest of the file is
 * hand-written).
 */
export const TARGETS = {
  opsbase: 'opsbase',
  fastifyPg: 'baseline (i) fastify+pg',
  nodeHttp: 'baseline (ii) node:http',
  opsbaseEmbedded: 'opsbase embedded',
  fastifyEmbedded: 'baseline (i) on embedded',
} as const;

export interface Ratio {
  scenario: string;
  target: string;
  /** requests/s of the target divided by requests/s of baseline (i) in the same scenario. */
  overBaselineI: number | null;
}

export interface TargetCheck {
  goal: string;
  figure: string;
  met: boolean | null;
}

export interface PeerStatus {
  name: string;
  pkg: string;
  version: string;
  ran: boolean;
  reason?: string;
  latest?: { version: string; engines: string } | null;
}

export interface RunResults {
  date: string;
  profile: 'quick' | 'full';
  command: string;
  seconds: number;
  machine: Record<string, unknown>;
  commit: { sha: string; dirty: boolean };
  datasets: Record<string, unknown>;
  measurements: Measurement[];
  webhooks: WebhookPhase[];
  ratios: Ratio[];
  targets: TargetCheck[];
  peers: PeerStatus[];
  clevertim: { mounted: boolean; detail: string };
  notes: string[];
  cpuProfile?: ProfileSummary;
}

const baselineOf = (target: string) => (target === TARGETS.opsbaseEmbedded || target === TARGETS.fastifyEmbedded ? TARGETS.fastifyEmbedded : TARGETS.fastifyPg);

export function ratios(measurements: Measurement[]): Ratio[] {
  return measurements.map((m) => {
    const base = measurements.find((b) => b.scenario === m.scenario && b.target === baselineOf(m.target));
    const overBaselineI = m.requestsPerSecond !== null && base?.requestsPerSecond ? Math.round((m.requestsPerSecond / base.requestsPerSecond) * 100) / 100 : null;
    return { scenario: m.scenario, target: m.target, overBaselineI };
  });
}

function find(measurements: Measurement[], scenario: string, target: string): Measurement | undefined {
  return measurements.find((m) => m.scenario === scenario && m.target === target && m.requestsPerSecond !== null);
}

function ratioCheck(goal: string, measurements: Measurement[], scenario: string, target: string, baseline: string, baselineScenario: string, minimum: number): TargetCheck {
  const m = find(measurements, scenario, target);
  const b = find(measurements, baselineScenario, baseline);
  if (!m || !b) return { goal, figure: 'not measured', met: null };
  const ratio = m.requestsPerSecond! / b.requestsPerSecond!;
  return { goal, figure: `${ratio.toFixed(2)} (${m.requestsPerSecond} vs ${b.requestsPerSecond} req/s)`, met: ratio >= minimum };
}

/** Issue 7's targets, reported (never asserted): a figure and whether it is met. */
export function targetChecks(measurements: Measurement[], webhooks: WebhookPhase[]): TargetCheck[] {
  const checks = [
    ratioCheck('a >= 0.8 x baseline (i)', measurements, 'a', TARGETS.opsbase, TARGETS.fastifyPg, 'a', 0.8),
    ratioCheck('b first page >= 0.8 x baseline (i)', measurements, 'b-first', TARGETS.opsbase, TARGETS.fastifyPg, 'b-first', 0.8),
    ratioCheck('b deep page >= 0.8 x baseline (i)', measurements, 'b-deep', TARGETS.opsbase, TARGETS.fastifyPg, 'b-deep', 0.8),
    ratioCheck('b deep page within 10% of the first', measurements, 'b-deep', TARGETS.opsbase, TARGETS.opsbase, 'b-first', 0.9),
    ratioCheck('c (fresh keys) >= 0.5 x plain insert through baseline (i)', measurements, 'c-fresh', TARGETS.opsbase, TARGETS.fastifyPg, 'c-fresh', 0.5),
    ratioCheck('f a (embedded) >= 0.8 x baseline (i) on embedded', measurements, 'f a', TARGETS.opsbaseEmbedded, TARGETS.fastifyEmbedded, 'f a', 0.8),
  ];
  const burst = webhooks.find((w) => w.phase === 'burst');
  checks.push(
    burst
      ? { goal: 'e >= 1,000 deliveries/s', figure: `${burst.deliveriesPerSecond} deliveries/s (${burst.delivered}/${burst.events} in ${burst.seconds.toFixed(1)} s)`, met: burst.deliveriesPerSecond >= 1000 }
      : { goal: 'e >= 1,000 deliveries/s', figure: 'not measured', met: null },
  );
  const opsbaseRss = [...measurements.filter((m) => m.target === TARGETS.opsbase && m.serverRssMb !== null).map((m) => m.serverRssMb!), ...webhooks.map((w) => w.serverRssMb)];
  checks.push(
    opsbaseRss.length > 0
      ? { goal: 'server RSS <= 250 MB under load (PostgreSQL server)', figure: `peak ${Math.max(...opsbaseRss)} MB`, met: Math.max(...opsbaseRss) <= 250 }
      : { goal: 'server RSS <= 250 MB under load (PostgreSQL server)', figure: 'not measured', met: null },
  );
  const embeddedRss = measurements.filter((m) => m.target === TARGETS.opsbaseEmbedded && m.serverRssMb !== null).map((m) => m.serverRssMb!);
  if (embeddedRss.length > 0) {
    checks.push({ goal: 'server RSS <= 250 MB under load (embedded, database inside)', figure: `peak ${Math.max(...embeddedRss)} MB`, met: Math.max(...embeddedRss) <= 250 });
  }
  return checks;
}

const fmt = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? '-' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i >= 2 && i <= 7 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The results table as plain text (also used, fenced, in the README). */
export function resultsTable(results: Pick<RunResults, 'measurements' | 'webhooks' | 'ratios'>): string {
  const rows: string[][] = [['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', '/ base(i)', 'note']];
  for (const m of results.measurements) {
    const ratio = results.ratios.find((r) => r.scenario === m.scenario && r.target === m.target)?.overBaselineI;
    rows.push([
      m.scenario,
      m.target,
      fmt(m.requestsPerSecond),
      fmt(m.p50Ms),
      fmt(m.p99Ms),
      fmt(m.errors),
      fmt(m.serverRssMb),
      ratio === null || ratio === undefined ? '-' : ratio.toFixed(2),
      m.skipped ? `not run: ${m.skipped}` : (m.note ?? ''),
    ]);
  }
  for (const w of results.webhooks) {
    rows.push([`e ${w.phase}`, 'opsbase webhooks', `${fmt(w.deliveriesPerSecond)}/s`, fmt(w.p50Ms), fmt(w.p99Ms), fmt(w.events - w.delivered), fmt(w.serverRssMb), '-', `deliveries/s, commit-to-receipt ms; ${w.note}`]);
  }
  return pad(rows);
}

export function targetsTable(targets: TargetCheck[]): string {
  return targets.map((t) => `${t.met === null ? '[ ? ]' : t.met ? '[met]' : '[MISS]'} ${t.goal}: ${t.figure}`).join('\n');
}

export function writeResults(dir: string, results: RunResults, suffix?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = path.join(dir, `${stamp}-${results.profile}${suffix ? `-${suffix}` : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Rewrites the README section of this profile between its markers. */
export function updateReadme(readmePath: string, results: RunResults, resultsFile: string): void {
  const start = `<!-- latest-${results.profile}:start -->`;
  const end = `<!-- latest-${results.profile}:end -->`;
  const text = fs.readFileSync(readmePath, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${readmePath} has no ${start} ... ${end} section`);
  const machine = results.machine as { cpus: number; cpuModel: string; memoryGb: number; node: string; postgres: string; kernel: string; loadAverageAtStart: number[] };
  const peers = results.peers.map((p) => `- ${p.pkg}@${p.version}: ${p.ran ? 'ran' : `not run: ${p.reason}`}${p.latest ? ` (newest on npm: ${p.latest.version}, engines node ${p.latest.engines})` : ''}`);
  const section = [
    start,
    `Run of ${results.date} (\`${results.command}\`, ${Math.round(results.seconds)} s, commit ${results.commit.sha.slice(0, 10)}${results.commit.dirty ? ' with uncommitted changes' : ''}); file [${path.basename(resultsFile)}](results/${path.basename(resultsFile)}).`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.postgres}, Linux ${machine.kernel}; load average at the start ${machine.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min). Clevertim: ${results.clevertim.detail}.`,
    '',
    '```',
    resultsTable(results),
    '```',
    '',
    'Targets of issue 7 (reported, never asserted):',
    '',
    '```',
    targetsTable(results.targets),
    '```',
    '',
    'Peers:',
    '',
    ...peers,
    ...(results.notes.length > 0 ? ['', 'Notes of this run:', '', ...results.notes.map((n) => `- ${n}`)] : []),
    ...(results.cpuProfile ? ['', '```', profileText(results.cpuProfile), '```'] : []),
    end,
  ].join('\n');
  fs.writeFileSync(readmePath, text.slice(0, from) + section + text.slice(to + end.length));
}
