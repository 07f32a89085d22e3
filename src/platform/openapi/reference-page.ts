import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

/**
 * The interactive API reference: Redoc's standalone bundle rendering an API's OpenAPI document. Every
 * page has the strict CSP of security-headers.ts (script-src 'self', no inline script), so the bundle is
 * served from our own origin and the page hands it the document's URL in the `spec-url` attribute of its
 * `<redoc>` element, which the bundle reads when it loads. Search is off: Redoc's search runs in a worker
 * it creates from a blob: URL, which that CSP refuses (the sidebar lists every operation instead).
 *
 * The bundle (1.1 MB, 330 kB gzipped) is read once per process and served with a versioned URL, so
 * browsers keep it for a year and an upgrade of the `redoc` package changes the URL.
 */

const require = createRequire(import.meta.url);

interface Bundle {
  path: string;
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
}

let bundle: Bundle | null = null;

function loadBundle(): Bundle {
  if (bundle) return bundle;
  const file = require.resolve('redoc/bundles/redoc.standalone.js');
  const { version } = JSON.parse(readFileSync(require.resolve('redoc/package.json'), 'utf8')) as { version: string };
  // The map it names is not served: without this line, a browser with dev tools open asks for it and gets 404.
  const source = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  bundle = { path: `/assets/api-reference/redoc-${version}.standalone.js`, body: Buffer.from(source), gzipped: null, etag: `"redoc-${version}"` };
  return bundle;
}

/** Where the page loads the bundle from (same origin, versioned). */
export function referenceBundlePath(): string {
  return loadBundle().path;
}

/** Serves the Redoc bundle on the root instance, once for every API's reference page. */
export function registerReferenceAssets(app: FastifyInstance): void {
  const { path, body, etag } = loadBundle();
  app.get(path, async (request, reply) => {
    reply.header('Cache-Control', 'public, max-age=31536000, immutable').header('ETag', etag).header('Vary', 'Accept-Encoding');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.type('text/javascript; charset=utf-8');
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      const loaded = loadBundle();
      loaded.gzipped ??= gzipSync(body);
      return reply.header('Content-Encoding', 'gzip').send(loaded.gzipped);
    }
    return reply.send(body);
  });
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export interface ReferencePage {
  /** Page title, e.g. `BlueClerk Public API`. */
  title: string;
  /** Full path of the OpenAPI document, e.g. `/blueclerk/api/openapi.json`. */
  documentUrl: string;
}

/** The page: nothing but the `<redoc>` element and the bundle; without JavaScript, a link to the document. */
export function referencePageHtml(page: ReferencePage): string {
  const title = escapeHtml(page.title);
  const documentUrl = escapeHtml(page.documentUrl);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} reference · Opsbase</title>
</head>
<body style="margin:0">
  <noscript><p>The reference needs JavaScript. The OpenAPI document itself is at <a href="${documentUrl}">${documentUrl}</a>.</p></noscript>
  <redoc spec-url="${documentUrl}" disable-search required-props-first></redoc>
  <script src="${escapeHtml(referenceBundlePath())}"></script>
</body>
</html>
`;
}

/** Registers the reference page at `pagePath` inside the API's prefix (e.g. `/api/docs` → `/blueclerk/api/docs`). */
export function registerReferencePage(app: FastifyInstance, pagePath: string, page: ReferencePage): void {
  const html = referencePageHtml(page);
  app.get(pagePath, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
}
