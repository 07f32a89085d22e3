import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../credentials.ts';
import { step } from '../progress.ts';

/**
 * Peers are installed by the bench with npm into bench/.work/peers/<name>-<version>/ (gitignored, never
 * committed) and reused by later runs. A peer is pinned to the newest version whose `engines` admits
 * this machine's Node; before installing, its declared engines are read from the registry and a peer
 * that cannot run here is reported with the reason instead of failing the run.
 */
export interface PeerPackage {
  name: string;
  /** npm package name. */
  pkg: string;
  version: string;
}

export interface InstalledPeer {
  dir: string;
  version: string;
  /** What the registry says of the newest version (for the notes: why an older one is pinned). */
  latest: { version: string; engines: string } | null;
}

export const PEERS_DIR = path.join(repoRoot, 'bench/.work/peers');

function npm(args: string[], cwd: string, timeoutMs: number) {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function enginesOf(spec: string): { version: string; engines: string } | null {
  const result = npm(['view', spec, 'version', 'engines', '--json'], PEERS_DIR, 60_000);
  if (result.status !== 0) return null;
  try {
    const parsed = JSON.parse(result.stdout) as { version?: string; engines?: { node?: string } };
    return { version: parsed.version ?? '?', engines: parsed.engines?.node ?? '(none declared)' };
  } catch {
    return null;
  }
}

/** Whether a `>=X.Y.Z` (or `>=X`) requirement admits this Node; other forms are taken as admitting it. */
export function nodeSatisfies(requirement: string, nodeVersion = process.versions.node): boolean {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(requirement.trim());
  if (!match) return true;
  const want = [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  const have = nodeVersion.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== want[i]!) return have[i]! > want[i]!;
  }
  return true;
}

export class PeerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerUnavailable';
  }
}

export function installPeer(peer: PeerPackage): InstalledPeer {
  fs.mkdirSync(PEERS_DIR, { recursive: true });
  const dir = path.join(PEERS_DIR, `${peer.name}-${peer.version}`);
  const latest = enginesOf(peer.pkg);
  const installedManifest = path.join(dir, 'node_modules', peer.pkg, 'package.json');
  if (fs.existsSync(installedManifest)) {
    const engines = (JSON.parse(fs.readFileSync(installedManifest, 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '';
    if (engines && !nodeSatisfies(engines)) throw new PeerUnavailable(`${peer.pkg}@${peer.version} declares Node ${engines}; this machine has ${process.version}`);
    return { dir, version: peer.version, latest };
  }
  const pinned = enginesOf(`${peer.pkg}@${peer.version}`);
  if (pinned && !nodeSatisfies(pinned.engines)) {
    throw new PeerUnavailable(`${peer.pkg}@${peer.version} declares Node ${pinned.engines}; this machine has ${process.version}`);
  }
  step(`installing ${peer.pkg}@${peer.version} with npm into ${path.relative(repoRoot, dir)} (once; later runs reuse it)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, description: 'Installed by npm run bench; not part of Opsbase' }, null, 2));
  const result = npm(['install', '--no-audit', '--no-fund', '--save-exact', `${peer.pkg}@${peer.version}`], dir, 15 * 60_000);
  fs.writeFileSync(path.join(dir, 'install.log'), `${result.stdout}\n${result.stderr}`);
  if (result.status !== 0 || !fs.existsSync(installedManifest)) {
    const tail = `${result.stderr}`.trim().split('\n').filter((line) => !line.includes('nodedir')).slice(-5).join(' | ');
    throw new PeerUnavailable(`npm install ${peer.pkg}@${peer.version} failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}): ${tail}`);
  }
  return { dir, version: peer.version, latest };
}
