import { Type, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { parseListQuery } from '../../../platform/pagination/keyset.ts';
import { blueClerkError, errorResponses } from '../errors.ts';
import { accessOf } from './auth.ts';
import { runChange } from './changes.ts';
import type { OperatorAction, OperatorResource } from './resources.ts';

/**
 * The operator API's handlers, written once for every resource in resources.ts. Bodies are validated
 * by the record's own input schema (a bad field answers 400 naming it), the change runs through
 * `runChange` (one transaction with its domain event), and answers are serialised by the record's
 * output schema. Lookups take the company from the checked membership, never from the body.
 */

const ListQuerystring = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'The `nextCursor` of the previous page' })),
  limit: Type.Optional(Type.String({ description: 'Page size, default 25, at most 100' })),
  updatedSince: Type.Optional(Type.String({ description: 'ISO 8601: only records changed at or after it, oldest change first' })),
});

const IdParams = Type.Object({ companyId: Type.String(), id: Type.String({ minLength: 1, maxLength: 64 }) });

function pageOf(item: TSchema) {
  return Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]), hasMore: Type.Boolean() }, { additionalProperties: false });
}

const companyIdOf = (request: FastifyRequest) => accessOf(request).company.id;
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

export function registerResourceRoutes(app: FastifyInstance, ctx: AppContext, resource: OperatorResource): void {
  const base = `/${resource.path}`;
  const notFound = (id: string) => blueClerkError('not_found', `No ${resource.singular} with id ${id}`);

  app.get(
    base,
    { schema: { querystring: ListQuerystring, response: { 200: pageOf(resource.schema), ...errorResponses(400, 401, 404) } } },
    async (request) => resource.list(ctx.db.orm, companyIdOf(request), parseListQuery(request.query as Record<string, unknown>)),
  );

  app.get(`${base}/:id`, { schema: { params: IdParams, response: { 200: resource.schema, ...errorResponses(401, 404) } } }, async (request) => {
    const found = await resource.get(ctx.db.orm, companyIdOf(request), idOf(request));
    if (!found) throw notFound(idOf(request));
    return found;
  });

  app.post(base, { schema: { body: resource.create.body, response: { 201: resource.schema, ...errorResponses(400, 401, 403, 404, 409) } } }, async (request, reply) => {
    const created = await runChange(ctx.db, (tx) => resource.create.change(tx, companyIdOf(request), request.body as never));
    return reply.code(201).send(created);
  });

  app.patch(
    `${base}/:id`,
    { schema: { params: IdParams, body: resource.update.body, response: { 200: resource.schema, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const updated = await runChange(ctx.db, (tx) => resource.update.change(tx, companyIdOf(request), idOf(request), request.body as never));
      if (!updated) throw notFound(idOf(request));
      return updated;
    },
  );

  for (const action of resource.actions) registerAction(app, ctx, resource, action);
}

function registerAction(app: FastifyInstance, ctx: AppContext, resource: OperatorResource, action: OperatorAction): void {
  app.post(
    `/${resource.path}/:id/${action.path}`,
    {
      schema: {
        summary: action.summary,
        params: IdParams,
        ...(action.body ? { body: action.body } : {}),
        response: { 200: resource.schema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const id = idOf(request);
      const changed = await runChange(ctx.db, (tx) => action.change(tx, companyIdOf(request), id, (request.body ?? {}) as never));
      if (!changed) throw blueClerkError('not_found', `No ${resource.singular} with id ${id}`);
      return changed;
    },
  );
}
