import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/**
 * Servers under test run as child processes: their memory can be read from /proc and they never share an
 * event loop with the load generator. Each is started in its own process group, so stopping it also
 * stops whatever it started (Directus and Prism run helpers of their own).
 */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** The last lines it printed, for the reason a start failed. */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Base URL of the server, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Polled until it answers `readyStatus` (default any status below 500). */
  readyPath: string;
  readyStatus?: number;
  readyTimeoutMs: number;
}

const KEEP_OUTPUT = 8_000;

export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: { code: number | null; signal: string | null } | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} could not be started: ${options.command} was not found`);

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (exited) {
      const { code, signal } = exited as { code: number | null; signal: string | null };
      throw new Error(`${options.name} exited before it was ready (code ${code}, signal ${signal}):\n${output.trim().split('\n').slice(-15).join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs / 1000} s:\n${output.trim().split('\n').slice(-15).join('\n')}`);
    }
    try {
      const res = await fetch(`${options.url}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (options.readyStatus === undefined ? res.status < 500 : res.status === options.readyStatus) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { name: options.name, url: options.url, pid, output: () => output, stop };
}

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export function processTreeRss(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name, which is in parentheses and may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (kb) total += Number(kb) * 1024;
    } catch {
      continue;
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Samples a server's memory while it is under load; `stop()` returns the peak in MB. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 250) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, processTreeRss(this.pid));
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return Math.round(this.peak / (1024 * 1024));
  }
}
