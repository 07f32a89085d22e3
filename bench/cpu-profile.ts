import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench -- --cpu-prof`: the Opsbase server of scenarios a to e runs under `node --cpu-prof`,
 * and this reads the main thread's profile back: where its CPU went while it was busy (one-second
 * windows in which it was idle less than half the time, so start-up and the pauses between loads do
 * not dilute the figures). The profiler costs throughput; figures of such a run are for finding where
 * time goes, not for comparing.
 */
interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

export interface ProfileSummary {
  file: string;
  busySeconds: number;
  /** Self time by npm package, Node internals area, or our source file; percent of busy samples. */
  selfTime: { where: string; percent: number }[];
  /** Inclusive time of our own functions (src/), percent of busy samples. */
  ours: { where: string; percent: number }[];
}

const IDLE = new Set(['(idle)', '(program)']);

function whereOf(url: string, functionName: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return `npm ${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node ').split('/')[0]!;
  return url === '' ? functionName : url;
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);

  let time = profile.startTime;
  const second = (t: number) => Math.floor((t - profile.startTime) / 1e6);
  const windows = new Map<number, { idle: number; all: number }>();
  const stamped = profile.samples.map((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    const w = windows.get(second(time)) ?? { idle: 0, all: 0 };
    w.all++;
    if (IDLE.has(nodes.get(id)!.callFrame.functionName)) w.idle++;
    windows.set(second(time), w);
    return { id, s: second(time) };
  });
  const busy = new Set([...windows].filter(([, w]) => w.idle / w.all < 0.5).map(([s]) => s));
  const selected = stamped.filter((x) => busy.has(x.s)).map((x) => x.id);

  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  for (const id of selected) {
    const frame = nodes.get(id)!.callFrame;
    const where = whereOf(frame.url, frame.functionName);
    self.set(where, (self.get(where) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const key = `${f.functionName || '(anonymous)'} ${whereOf(f.url, f.functionName)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ours.set(key, (ours.get(key) ?? 0) + 1);
    }
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, n]) => ({ where, percent: Math.round((n / Math.max(1, selected.length)) * 1000) / 10 }));
  return { file, busySeconds: busy.size, selfTime: ranked(self), ours: ranked(ours) };
}

/** The main thread's profile in a --cpu-prof directory: the largest file (workers write their own, smaller). */
export function mainThreadProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  if (files.length === 0) return null;
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
}

export function profileText(summary: ProfileSummary): string {
  const lines = [`CPU profile of the opsbase server (PostgreSQL), ${summary.busySeconds} busy seconds, ${summary.file}`, 'self time:'];
  for (const s of summary.selfTime) lines.push(`  ${s.percent.toFixed(1).padStart(5)}%  ${s.where}`);
  lines.push('our functions, inclusive:');
  for (const s of summary.ours) lines.push(`  ${s.percent.toFixed(1).padStart(5)}%  ${s.where}`);
  return lines.join('\n');
}
