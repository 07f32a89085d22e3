import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sha256 } from '../ids.ts';

/**
 * The console's one stylesheet, read once at start and served from memory. Browsers keep it for an hour
 * and revalidate with the ETag after that, so a new release is picked up without a build step.
 */
export const STYLESHEET_PATH = '/console/assets/console.css';

export function registerStylesheet(app: FastifyInstance): void {
  const css = readFileSync(new URL('./assets/console.css', import.meta.url));
  const etag = `"${sha256(css.toString('utf8')).slice(0, 32)}"`;
  app.get(STYLESHEET_PATH, async (request, reply) => {
    reply.header('Cache-Control', 'public, max-age=3600').header('ETag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(css);
  });
}
