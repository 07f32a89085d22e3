import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Orm } from '../../src/platform/db/database.ts';
import { createTestDatabase } from './test-database.ts';

/**
 * Running the `opsbase` admin CLI as people run it: the real bin in its own process, on a data directory
 * of its own (embedded) or a fresh database (DATABASE_URL), and reading back what it wrote.
 * Every spawned process and temporary directory is removed by `cleanUpCli` (call it from `after`).
 */
const BIN = path.resolve('bin/opsbase.js');
const COMMAND_TIMEOUT_MS = 60_000;
const SERVER_START_TIMEOUT_MS = 90_000;

const cleanups: (() => Promise<void> | void)[] = [];
const children = new Set<ChildProcess>();

export async function cleanUpCli(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups.length = 0;
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment of a spawned command: the test's own, minus what would change what the CLI opens. */
export function baseEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...overrides };
  // A node:test child would report to this runner instead of running as a plain program.
  delete env.NODE_TEST_CONTEXT;
  for (const name of ['DATABASE_URL', 'PORT', 'PUBLIC_URL', 'OPSBASE_DEMO', 'REDIS_URL']) if (!(name in overrides)) delete env[name];
  return env;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnOpsbase(args: string[], env: NodeJS.ProcessEnv, stdin?: string): { child: ChildProcess; done: Promise<Result>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Result>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout };
}

/** Runs one command to its end (bounded: a hung command is killed and fails the test). */
export async function opsbase(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Result> {
  return opsbaseWithInput(env, undefined, ...args);
}

/** The same, with `stdin` piped to the command's standard input (closed after it). */
export async function opsbaseWithInput(env: NodeJS.ProcessEnv, stdin: string | undefined, ...args: string[]): Promise<Result> {
  const { child, done } = spawnOpsbase(args, env, stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  const result = await done;
  clearTimeout(timer);
  assert.equal(result.signal, null, `opsbase ${args.join(' ')} was killed after ${COMMAND_TIMEOUT_MS} ms\n${result.stderr}`);
  return result;
}

/** Runs a command that must succeed and returns its JSON output. */
export async function opsbaseJson<T = any>(env: NodeJS.ProcessEnv, ...args: string[]): Promise<T> {
  const result = await opsbase(env, ...args, '--json');
  assert.equal(result.code, 0, `opsbase ${args.join(' ')} --json failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A failure as the person sees it: non-zero, one line on stderr naming what is wrong, no stack trace. */
export function assertRefused(result: Result, mentions: (string | RegExp)[], exitCode = 1): void {
  assert.equal(result.code, exitCode, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  for (const mention of mentions) {
    if (typeof mention === 'string') assert.ok(result.stderr.includes(mention), `stderr names ${mention}: ${result.stderr}`);
    else assert.match(result.stderr, mention);
  }
}

export type Refusal = [args: string[], mentions: (string | RegExp)[], exitCode?: number];

/** Checks independent refusals two at a time (they write nothing, so they cannot disturb each other). */
export async function assertAllRefused(env: NodeJS.ProcessEnv, refusals: Refusal[]): Promise<void> {
  for (let i = 0; i < refusals.length; i += 2) {
    await Promise.all(
      refusals.slice(i, i + 2).map(async ([args, mentions, exitCode]) => {
        const result = await opsbase(env, ...args);
        try {
          assertRefused(result, mentions, exitCode);
        } catch (error) {
          (error as Error).message = `opsbase ${args.join(' ')}: ${(error as Error).message}`;
          throw error;
        }
      }),
    );
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The store the commands work on: an embedded data directory, or with DATABASE_URL a fresh, empty
 * database on that server (so `migrate` has work to do on both backends).
 */
export interface Store {
  env: NodeJS.ProcessEnv;
  /** Reads what the commands wrote, through the same access path the CLI uses. */
  inspect<T>(read: (orm: Orm) => Promise<T>): Promise<T>;
}

export function embeddedStore(dataDir: string): Store {
  return {
    env: baseEnv({ DATA_DIR: dataDir }),
    async inspect(read) {
      // Borrows a running server's socket, or owns the data directory for the moment it reads.
      const db = await openDatabase({ dataDir }, 'cli');
      try {
        return await read(db.orm);
      } finally {
        await db.close();
      }
    },
  };
}

export async function freshStore(): Promise<Store> {
  const dataDir = tempDir('opsbase-cli-');
  if (!process.env.DATABASE_URL) return embeddedStore(dataDir);
  const db = await createTestDatabase({ migrate: false });
  cleanups.push(() => db.close());
  return { env: baseEnv({ DATA_DIR: dataDir, DATABASE_URL: db.url! }), inspect: (read) => read(db.orm) };
}

/**
 * One `opsbase start` on an embedded data directory, shared by the tests that need a running server:
 * started on first use; stopped by a test, or killed by cleanUpCli.
 */
export interface LiveServer {
  dataDir: string;
  port: number;
  store: Store;
  process: ReturnType<typeof spawnOpsbase>;
}

let live: Promise<LiveServer> | null = null;
export function liveServer(): Promise<LiveServer> {
  live ??= (async () => {
    const dataDir = tempDir('opsbase-cli-live-');
    const port = await freePort();
    const server = spawnOpsbase(['start'], baseEnv({ DATA_DIR: dataDir, PORT: String(port), OPSBASE_DEMO: '0' }));
    const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
    while (!server.stdout().includes('Opsbase is running at')) {
      if (server.child.exitCode !== null) throw new Error(`opsbase start exited with ${server.child.exitCode}: ${(await server.done).stderr}`);
      if (Date.now() > deadline) throw new Error('opsbase start did not print its banner in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { dataDir, port, store: embeddedStore(dataDir), process: server };
  })();
  return live;
}

