import fs from 'node:fs';
import path from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../processes.ts';
import type { InstalledPeer, PeerPackage } from './install.ts';

/**
 * Prism, the mock server BlueRound's docs point to, serving our BlueClerk OpenAPI document as a mock:
 * answers come from the documents' examples, no database. 5.14.2 is pinned: 5.15 and later declare
 * Node >= 24.14 (the machines here run Node 20).
 */
export const PRISM: PeerPackage = { name: 'prism', pkg: '@stoplight/prism-cli', version: '5.14.2' };

/** Prism serves the document's paths without the server URL's path (`/jobs/{id}`, not `/blueclerk/api/v1/jobs/{id}`). */
export const PRISM_STRIPS_PREFIX = '/blueclerk/api/v1';

export async function startPrism(installed: InstalledPeer, documentPath: string): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = path.join(installed.dir, 'node_modules/@stoplight/prism-cli/dist/index.js');
  if (!fs.existsSync(cli)) throw new Error(`Prism's command is not at ${cli}`);
  return startServerProcess({
    name: 'prism',
    command: process.execPath,
    // warn: at info Prism logs every request, which would measure its logger.
    args: [cli, 'mock', '-h', '127.0.0.1', '-p', String(port), '-v', 'warn', documentPath],
    cwd: installed.dir,
    env: { ...process.env },
    url,
    readyPath: '/',
    readyTimeoutMs: 60_000,
  });
}
