import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { AppContext } from '../context.ts';
import { registerReferencePage } from './reference-page.ts';

/**
 * One OpenAPI 3.1 document per API, generated from the same route schemas that validate requests and
 * serialise responses, so the document cannot drift from behaviour. Register it inside the API's prefix
 * before the routes it documents. Paths in the document are relative to the API's documented base URL
 * (`servers[0].url`), so a client generated from it only needs that base URL changed.
 */
export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** Full path prefix of the documented operations, e.g. `/blueclerk/api/v1`. */
  basePath: string;
  /** Where the JSON document is served, inside the API's prefix, e.g. `/api/openapi.json`. */
  documentPath: string;
  /** Where its interactive reference page is served, inside the API's prefix; default `docs` beside the document (`/api/docs`). */
  referencePath?: string;
  securitySchemes?: (publicUrl: string) => Record<string, unknown>;
  /**
   * Response headers the API adds outside the route schemas (rate limits, replays): their definitions
   * go to `components.headers`, and `names(method, status)` says which a response of an operation carries.
   */
  responseHeaders?: {
    definitions: Record<string, { description: string; schema: Record<string, unknown> }>;
    names(method: string, status: string): string[];
  };
}

export interface DocumentedRoute {
  method: string;
  url: string;
}

export async function registerOpenApi(app: FastifyInstance, ctx: AppContext, options: OpenApiOptions): Promise<{ routes: DocumentedRoute[] }> {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD' && route.url.startsWith(options.basePath) && !route.schema?.hide) routes.push({ method, url: route.url });
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
      // @fastify/swagger reads the schemes named by each route's `security` while it builds the document;
      // openApiDocument() replaces them with the ones for the address this node is reached at.
      ...(options.securitySchemes ? { components: { securitySchemes: options.securitySchemes(ctx.config.publicUrl) as never } } : {}),
    },
    refResolver: {
      // Named components instead of `def-0`: the schema's $id is its name.
      buildLocalReference: (json, _baseUri, _fragment, i) => String((json as { $id?: string }).$id ?? `schema-${i}`),
    },
    transform: ({ schema, url }) => {
      if (!url.startsWith(options.basePath)) return { schema: { ...schema, hide: true }, url };
      return { schema, url: url.slice(options.basePath.length) || '/' };
    },
  });

  app.get(options.documentPath, { schema: { hide: true } }, async () => openApiDocument(app, ctx, options));
  registerReferencePage(app, referencePathOf(options), { title: options.title, documentUrl: `${app.prefix}${options.documentPath}` });
  return { routes };
}

/** The reference page's path inside the API's prefix. */
export function referencePathOf(options: Pick<OpenApiOptions, 'documentPath' | 'referencePath'>): string {
  return options.referencePath ?? options.documentPath.replace(/[^/]*$/, 'docs');
}

/** The document with servers and security schemes for the address this node is reached at. */
export function openApiDocument(app: FastifyInstance, ctx: AppContext, options: OpenApiOptions): Record<string, unknown> {
  const generated = app.swagger() as unknown as Record<string, unknown> & { components?: Record<string, unknown>; paths?: Paths };
  const publicUrl = ctx.config.publicUrl;
  const headers = options.responseHeaders;
  return {
    ...generated,
    ...(headers ? { paths: withResponseHeaders(generated.paths ?? {}, headers.names) } : {}),
    servers: [{ url: `${publicUrl}${options.basePath}` }],
    components: {
      ...(generated.components ?? {}),
      ...(options.securitySchemes ? { securitySchemes: options.securitySchemes(publicUrl) } : {}),
      ...(headers ? { headers: headers.definitions } : {}),
    },
  };
}

type Paths = Record<string, Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>>;

/** A copy of `paths` whose responses reference the named `components.headers` (swagger's own document is left alone). */
function withResponseHeaders(paths: Paths, names: (method: string, status: string) => string[]): Paths {
  const copy = structuredClone(paths);
  for (const operations of Object.values(copy)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const refs = Object.fromEntries(names(method.toUpperCase(), status).map((name) => [name, { $ref: `#/components/headers/${name}` }]));
        if (Object.keys(refs).length > 0) response.headers = { ...(response.headers ?? {}), ...refs };
      }
    }
  }
  return copy;
}
