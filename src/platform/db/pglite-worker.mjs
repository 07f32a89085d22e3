// Runs PGlite in its own thread and serves it on a unix socket, so the main thread talks to it with `pg`
// exactly as it talks to a PostgreSQL server, and a long query never blocks the HTTP event loop.
// Plain JavaScript on purpose: a worker does not inherit the tsx loader of the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, socketPath, maxConnections } = workerData;

let db;
let server;
try {
  db = await PGlite.create(dataDir);
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
  await server.start();
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'error', message: String(error?.message ?? error) });
}

parentPort.on('message', async (message) => {
  if (message?.type !== 'stop') return;
  try {
    await server?.stop();
    await db?.close();
  } finally {
    parentPort.postMessage({ type: 'stopped' });
  }
});
