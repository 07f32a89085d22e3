import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import type { Person } from '../tenancy/tenancy.ts';

/**
 * Server-rendered pages. Any module keeps its templates in its own `views/` folder and renders them
 * inside the shared console layout, which provides the header, the sign-out form and the styles.
 * eta escapes HTML in `<%= %>`; URLs placed in href/src must still be validated (it does not stop `javascript:`).
 */
const LAYOUT_DIR = fileURLToPath(new URL('./views/', import.meta.url));
const engines = new Map<string, Eta>();

function engineFor(viewsDir: string): Eta {
  let eta = engines.get(viewsDir);
  if (!eta) {
    eta = new Eta({ views: viewsDir, cache: process.env.NODE_ENV !== 'development', autoEscape: true });
    engines.set(viewsDir, eta);
  }
  return eta;
}

export interface PageOptions {
  /** Absolute folder of the module's templates, e.g. `fileURLToPath(new URL('./views/', import.meta.url))`. */
  viewsDir: string;
  template: string;
  title: string;
  data?: Record<string, unknown>;
  /** The signed-in person, for the header; null on public pages (sign-in, errors). */
  person?: Person | null;
  /** CSRF token for forms in the layout (sign-out) and the page. */
  csrfToken?: string;
  status?: number;
}

export async function renderPage(reply: FastifyReply, options: PageOptions): Promise<FastifyReply> {
  const data = { ...options.data, title: options.title, person: options.person ?? null, csrfToken: options.csrfToken ?? '' };
  const body = await engineFor(options.viewsDir).renderAsync(options.template, data);
  const html = await engineFor(LAYOUT_DIR).renderAsync('layout', { ...data, body });
  return reply.code(options.status ?? 200).type('text/html; charset=utf-8').send(html);
}
