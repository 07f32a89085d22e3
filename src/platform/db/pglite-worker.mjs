// Runs PGlite in its own thread and serves it on a unix socket, so the main thread talks to it with `pg`
// exactly as it talks to a PostgreSQL server, and a long query never blocks the HTTP event loop.
// Plain JavaScript on purpose: a worker does not inherit the tsx loader of the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, socketPath, maxConnections } = workerData;

// PGlite has one backend session, so every connection shares its unnamed prepared statement and
// portal. pglite-socket queues each protocol message separately and keeps serving one connection only
// while a transaction block is open; between a connection's Parse and its Sync, another connection's
// Parse could slip in, and the first connection's Bind would then run the other's statement (seen as
// "bind message supplies 1 parameters, but prepared statement "" requires 5", or, with matching
// parameter counts, as another query's rows). The socket server consults isInTransaction() to decide
// whom to serve next, so we report an extended-query sequence in progress as "in a transaction" until
// its Sync: the connection that started it is served to its end.
const SYNC = 0x53; // 'S'
const EXTENDED_QUERY_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // Parse, Bind, Describe, Execute, Close, Flush

function pinExtendedQueries(pglite) {
  let extendedQueryOpen = false;
  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'isInTransaction') return () => extendedQueryOpen || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return async (message, options) => {
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (message[0] === SYNC) extendedQueryOpen = false;
            else if (EXTENDED_QUERY_MESSAGES.has(message[0])) extendedQueryOpen = true;
          }
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let db;
let server;
try {
  db = await PGlite.create(dataDir);
  server = new PGLiteSocketServer({ db: pinExtendedQueries(db), path: socketPath, maxConnections });
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
