// Baseline (ii): the ceiling. node:http answering each scenario's path with the exact bytes Opsbase
// answered it with (captured by the bench's preflight request), from memory: no framework, no database.
// Started by bench/run.ts as a child process; BASELINE_ROUTES names a JSON file of routes.
import fs from 'node:fs';
import http from 'node:http';

interface Route {
  method: string;
  /** The URL, query included, starts with this (ids and cursors vary per request). */
  prefix: string;
  status: number;
  body: string;
}

const routes = JSON.parse(fs.readFileSync(process.env.BASELINE_ROUTES ?? '', 'utf8')) as Route[];
// Longest prefix first: `/jobs?limit=25&cursor=` (a deep page) wins over `/jobs?limit=25` (the first).
routes.sort((a, b) => b.prefix.length - a.prefix.length);
const encoded = routes.map((route) => ({ ...route, bytes: Buffer.from(route.body) }));

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const route = encoded.find((r) => r.method === req.method && url.startsWith(r.prefix));
  // Drain any request body before answering, as a real server must.
  req.resume();
  req.on('end', () => {
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(route.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': route.bytes.length }).end(route.bytes);
  });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
