import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** The port only names the socket file (`.s.PGSQL.<port>`) that `pg` looks for in the socket directory. */
export const EMBEDDED_SOCKET_PORT = 5432;

export interface EmbeddedPostgres {
  socketDir: string;
  stop(): Promise<void>;
}

// Unix socket paths are limited to ~107 bytes; a deep DATA_DIR falls back to a private temp directory.
function chooseSocketDir(preferred: string | undefined): { dir: string; temporary: boolean } {
  const socketName = `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`;
  if (preferred && path.join(preferred, socketName).length < 100) {
    fs.mkdirSync(preferred, { recursive: true, mode: 0o700 });
    fs.rmSync(path.join(preferred, socketName), { force: true });
    return { dir: preferred, temporary: false };
  }
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'opsbase-pg-')), temporary: true };
}

/**
 * Starts PGlite in a worker thread serving a unix socket. `pgDataDir` is a directory, or `memory://` for
 * a throwaway database (tests).
 */
export async function startEmbeddedPostgres(options: { pgDataDir: string; socketDir?: string }): Promise<EmbeddedPostgres> {
  if (options.pgDataDir !== 'memory://') fs.mkdirSync(options.pgDataDir, { recursive: true });
  const { dir: socketDir, temporary } = chooseSocketDir(options.socketDir);
  const socketPath = path.join(socketDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData: { dataDir: options.pgDataDir, socketPath, maxConnections: 100 },
  });

  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === 'ready') {
        worker.off('message', onMessage);
        resolve();
      } else if (message.type === 'error') {
        reject(new Error(`The embedded database could not start: ${message.message}`));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The embedded database stopped during start (exit ${code})`)));
  });

  let stopped: Promise<void> | null = null;
  return {
    socketDir,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once('exit', done);
        worker.on('message', (message: { type: string }) => {
          if (message.type === 'stopped') void worker.terminate().then(done, done);
        });
        worker.postMessage({ type: 'stop' });
        // A wedged worker must not hold shutdown forever.
        setTimeout(() => void worker.terminate().then(done, done), 10_000).unref();
      }).finally(() => fs.rmSync(temporary ? socketDir : socketPath, { force: true, recursive: temporary }));
      return stopped;
    },
  };
}
