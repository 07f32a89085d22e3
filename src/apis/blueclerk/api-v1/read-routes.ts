import { Type, type TSchema } from 'typebox';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import type { Orm } from '../../../platform/db/database.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, parseListQuery, type ListQuery, type Page } from '../../../platform/pagination/keyset.ts';
import { callerOf, readWithToken, requireScope, type BlueClerkScope, type ReadsAlongConfig } from '../auth.ts';
import { findRecord, type RecordTable } from '../records/index.ts';
import { blueClerkError, errorResponses } from '../errors.ts';

/**
 * A readable BlueClerk resource is a declaration: its path, scope, schema and two company-scoped
 * record functions. The list and get handlers, their validation, their OpenAPI entries and their errors
 * are the same for every resource, so they are written once, here.
 */
export interface ReadableResource<T = unknown> {
  path: `/${string}`;
  /** Plural, capitalised: the OpenAPI tag, e.g. `Jobs`. */
  name: string;
  /** Singular, for messages and summaries, e.g. `job`. */
  singular: string;
  scope: BlueClerkScope;
  schema: TSchema;
  list(orm: Orm, companyId: string, query: ListQuery): Promise<Page<T>>;
  /** The resource's rows and how the API shows one: the get-by-id route reads its row along with the bearer token (auth.ts). */
  rows?: { table: RecordTable; toApi(row: never): T };
}

/** The seed's list parameters. `limit` is checked here; `cursor` and `updatedSince` by parseListQuery. */
export const ListQuerystring = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'The `nextCursor` of the previous page.' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT} (larger values are treated as ${MAX_LIMIT}).` }),
  ),
  updatedSince: Type.Optional(
    Type.String({
      description:
        'ISO 8601 timestamp with a time zone, e.g. `2026-05-01T00:00:00Z`: only records with `updatedAt` at or after it, oldest change first. For incremental sync, send the newest `updatedAt` you have seen.',
    }),
  ),
});

export function listEnvelope(item: TSchema, name: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
      hasMore: Type.Boolean({ description: 'False on the last page' }),
    },
    { $id: `${name}List`, additionalProperties: false },
  );
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'The record’s id (a CUID)' }) });

export function registerReadRoutes(app: FastifyInstance, ctx: AppContext, resource: ReadableResource): void {
  app.get(
    resource.path,
    {
      preValidation: requireScope(resource.scope),
      schema: {
        tags: [resource.name],
        operationId: `list${resource.name}`,
        summary: `List ${resource.name.toLowerCase()}`,
        description: `Newest first; with \`updatedSince\`, oldest change first. Needs the scope \`${resource.scope}\`.`,
        security: [{ oauth2: [resource.scope] }],
        querystring: ListQuerystring,
        response: { 200: listEnvelope(resource.schema, resource.name), ...errorResponses(400, 401, 403, 429, 500) },
      },
    },
    async (request) => resource.list(ctx.db.orm, callerOf(request).companyId, parseListQuery(request.query as Record<string, unknown>)),
  );

  const rows = resource.rows;
  if (!rows) return;
  const config: ReadsAlongConfig = { readsRecordOf: rows.table };
  app.get(
    `${resource.path}/:id`,
    {
      // The bearer lookup reads the row in its own statement (auth.ts); findRecord is the fallback.
      config: config as FastifyContextConfig,
      preValidation: requireScope(resource.scope),
      schema: {
        tags: [resource.name],
        operationId: `get${resource.singular[0]!.toUpperCase()}${resource.singular.slice(1)}`,
        summary: `Get one ${resource.singular}`,
        description: `Needs the scope \`${resource.scope}\`. Another company’s id answers 404, as an unknown one does.`,
        security: [{ oauth2: [resource.scope] }],
        params: IdParams,
        response: { 200: resource.schema, ...errorResponses(400, 401, 403, 404, 429, 500) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const read = readWithToken(request);
      const row = read?.kind === 'row' ? read.row : await findRecord(ctx.db.orm, rows.table, callerOf(request).companyId, id);
      if (!row) throw blueClerkError('not_found', `No ${resource.singular} with id ${id}`);
      return rows.toApi(row as never);
    },
  );
}
