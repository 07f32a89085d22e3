import path from 'node:path';
import { repoRoot } from './credentials.ts';
import { freePort, startServerProcess, type ServerProcess } from './processes.ts';

/**
 * Opsbase as a user runs it: `node bin/opsbase.js start` (what `npm start` runs) in a child process on
 * 127.0.0.1, configured only through its environment. Logging at warn (a request log line per request
 * would measure the terminal); no demo workspace; webhooks may go to the bench's local receiver.
 */
export type DatabaseEnv = { DATABASE_URL: string } | { DATA_DIR: string };

/** The environment every `opsbase` process of the bench gets: the caller's, minus its database settings. */
export function opsbaseEnv(database: DatabaseEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', OPSBASE_DEMO: '0', WEBHOOK_ALLOW_PRIVATE: '1', ...extra };
  delete env.DATABASE_URL;
  delete env.DATA_DIR;
  delete env.REDIS_URL;
  return { ...env, ...database };
}

export async function startOpsbase(name: string, database: DatabaseEnv, options: { cpuProfileDir?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  return startServerProcess({
    name,
    command: process.execPath,
    args: [...profiling, path.join(repoRoot, 'bin/opsbase.js'), 'start'],
    cwd: repoRoot,
    env: opsbaseEnv(database, { HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url }),
    url,
    readyPath: '/readyz',
    readyStatus: 200,
    readyTimeoutMs: 120_000,
  });
}

/** Starts one of the bench's own TypeScript servers (bench/baselines/*.ts) through tsx. */
export async function startBenchScript(name: string, script: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startServerProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(repoRoot, script)],
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port) },
    url,
    readyPath: '/healthz',
    readyTimeoutMs: 60_000,
  });
}
