import { Type, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { callerOf, requirePermission } from './auth.ts';
import { clevertimError, errorResponses } from './errors.ts';
import { inputSchema, outputSchema, type ResourceSpec } from './records/resource.ts';
import { recordStore, RESOURCES } from './records/resources.ts';
import { parseRecordId } from './records/store.ts';
import { GroupSchema, listGroups, listUsers, UserSchema } from './records/users.ts';

/**
 * Every Clevertim route (spec section 3), made from the resource declarations. Each is served at
 * `/api/<resource>` (the documented base) and again at `/<resource>`, because the seed's own write
 * examples leave out `/api`; only the `/api` routes appear in the OpenAPI document. A known
 * resource answers every verb: the ones it does not support with 501.
 */
const BASES = ['/api', ''] as const;
const SECURITY = [{ basicAuth: [] }];

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const withArticle = (label: string) => `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;

function envelope(item: TSchema) {
  return Type.Object(
    { status: Type.Literal('OK'), content: Type.Array(item, { description: 'Always a list: every record for a collection, the one record otherwise' }) },
    { additionalProperties: false },
  );
}
const DeletedEnvelope = Type.Object({ status: Type.Literal('OK') }, { additionalProperties: false, description: 'Deleted: no content' });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'The record’s id' }) });

const FileSchema = Type.Object({ id: Type.Integer(), name: Type.String(), parentId: Type.Union([Type.Integer(), Type.Null()]) }, { $id: 'ClevertimFile', additionalProperties: false });
const LinkedFileSchema = Type.Object(
  { id: Type.Integer(), name: Type.String(), sys: Type.Enum(['D', 'G'], { type: 'string', description: 'D Dropbox, G Google Drive' }), size: Type.Integer(), link: Type.String(), icon: Type.String() },
  { $id: 'ClevertimLinkedFile', additionalProperties: false },
);

function pathId(request: FastifyRequest): number {
  const id = parseRecordId((request.params as { id?: string }).id);
  if (id === null) throw clevertimError('not_found');
  return id;
}

/** Routes for the verbs a resource does not support: 501, after authentication (hidden from the document). */
function notSupported(app: FastifyInstance, method: HTTPMethods | HTTPMethods[], url: string, what: string): void {
  app.route({
    method,
    url,
    schema: { hide: true },
    handler: async () => {
      throw clevertimError('not_supported', `Operation not supported: ${what}.`);
    },
  });
}

function registerResource(app: FastifyInstance, ctx: AppContext, spec: ResourceSpec, schemas: { output: TSchema; input: TSchema }, base: string): void {
  const collection = `${base}/${spec.name}`;
  const item = `${collection}/:id`;
  const documented = base === '/api';
  const doc = (schema: Record<string, unknown>) => ({ tags: [spec.tag], security: SECURITY, ...schema, ...(documented ? {} : { hide: true }) });
  const one = envelope(schemas.output);
  const name = spec.schemaName;
  const orm = ctx.db.orm;

  app.get(
    collection,
    { schema: doc({ operationId: `list${name}s`, summary: `List ${spec.label} records`, description: 'Every record you may see, by ascending id.', response: { 200: one, ...errorResponses(401, 500) } }) },
    async (request) => ({ status: 'OK', content: await recordStore.list(orm, spec, callerOf(request)) }),
  );
  app.get(
    item,
    { schema: doc({ operationId: `get${name}`, summary: `Get one ${spec.label}`, params: IdParams, response: { 200: one, ...errorResponses(401, 404, 500) } }) },
    async (request) => {
      const record = await recordStore.get(orm, spec, callerOf(request), pathId(request));
      if (!record) throw clevertimError('not_found');
      return { status: 'OK', content: [record] };
    },
  );

  if (spec.unsupported?.includes('create')) notSupported(app, 'POST', collection, `${spec.name} records cannot be created`);
  else {
    app.post(
      collection,
      {
        preValidation: requirePermission('canedit'),
        schema: doc({ operationId: `create${name}`, summary: `Add ${withArticle(spec.label)}`, description: 'Needs the canedit permission. Answers 200 with the whole new record.', body: schemas.input, response: { 200: one, ...errorResponses(400, 401, 403, 500) } }),
      },
      async (request) => {
        const caller = callerOf(request);
        const record = await orm.transaction((tx) => recordStore.create(tx, spec, caller, request.body));
        return { status: 'OK', content: [record] };
      },
    );
  }

  if (spec.unsupported?.includes('update')) notSupported(app, 'PUT', item, `${spec.name} records cannot be changed (delete and add again)`);
  else {
    app.put(
      item,
      {
        preValidation: requirePermission('canedit'),
        schema: doc({
          operationId: `update${name}`,
          summary: `Change ${withArticle(spec.label)}`,
          description: 'Needs the canedit permission. The fields sent replace the stored ones (lists and `cf` as a whole); read-only and unknown fields are ignored, so a whole record as read can be sent back. Answers with the whole record.',
          params: IdParams,
          body: schemas.input,
          response: { 200: one, ...errorResponses(400, 401, 403, 404, 500) },
        }),
      },
      async (request) => {
        const caller = callerOf(request);
        const id = pathId(request);
        const record = await orm.transaction((tx) => recordStore.update(tx, spec, caller, id, request.body));
        return { status: 'OK', content: [record] };
      },
    );
  }

  if (spec.unsupported?.includes('delete')) notSupported(app, 'DELETE', item, `${spec.name} records cannot be deleted`);
  else {
    app.delete(
      item,
      {
        preValidation: requirePermission('candelete'),
        schema: doc({ operationId: `delete${name}`, summary: `Delete ${withArticle(spec.label)}`, description: 'Needs the candelete permission. A body, if sent, is ignored.', params: IdParams, response: { 200: DeletedEnvelope, ...errorResponses(401, 403, 404, 500) } }),
      },
      async (request) => {
        const caller = callerOf(request);
        const id = pathId(request);
        await orm.transaction((tx) => recordStore.remove(tx, spec, caller, id));
        return { status: 'OK' };
      },
    );
  }

  notSupported(app, 'POST', item, `POST adds to the collection: send it to ${collection}`);
  notSupported(app, ['PUT', 'DELETE'], collection, `PUT and DELETE name one record: ${collection}/{id}`);
  for (const url of [collection, item]) notSupported(app, 'PATCH', url, 'PATCH is not part of this API; use PUT');
}

/** Users and groups: read-only lists; clients read them whole and pick by id (spec 7.10). */
function registerReadOnly(
  app: FastifyInstance,
  base: string,
  resource: { name: string; tag: string; label: string; schema: TSchema; list(request: FastifyRequest, ids?: number[]): Promise<{ id: number }[]>; readOnly?: string },
): void {
  const collection = `${base}/${resource.name}`;
  const item = `${collection}/:id`;
  const documented = base === '/api';
  const doc = (schema: Record<string, unknown>) => ({ tags: [resource.tag], security: SECURITY, ...schema, ...(documented ? {} : { hide: true }) });
  const one = envelope(resource.schema);
  app.get(collection, { schema: doc({ operationId: `list${capitalised(resource.name)}s`, summary: `List ${resource.label}s`, response: { 200: one, ...errorResponses(401, 500) } }) }, async (request) => ({
    status: 'OK',
    content: await resource.list(request),
  }));
  app.get(item, { schema: doc({ operationId: `get${capitalised(resource.name)}`, summary: `Get one ${resource.label}`, params: IdParams, response: { 200: one, ...errorResponses(401, 404, 500) } }), }, async (request) => {
    const [found] = await resource.list(request, [pathId(request)]);
    if (!found) throw clevertimError('not_found');
    return { status: 'OK', content: [found] };
  });
  const why = resource.readOnly ?? `${resource.label}s are read-only in the API`;
  notSupported(app, ['POST', 'PUT', 'DELETE', 'PATCH'], collection, why);
  notSupported(app, ['POST', 'PUT', 'DELETE', 'PATCH'], item, why);
}

/** A file resource with no files: empty lists, 404 for every id (also to PUT and DELETE, after the permission check), 501 for adding. */
function registerNoFiles(app: FastifyInstance, base: string, name: string, label: string, schema: TSchema): void {
  const collection = `${base}/${name}`;
  const item = `${collection}/:id`;
  const documented = base === '/api';
  const doc = (extra: Record<string, unknown>) => ({ tags: ['Files'], security: SECURITY, ...extra, ...(documented ? {} : { hide: true }) });
  const operation = name === 'file' ? 'File' : 'LinkedFile';
  const missing = async (request: FastifyRequest) => {
    pathId(request);
    throw clevertimError('not_found', `There is no ${label} with this id: ${label}s cannot be added on this server.`);
  };
  app.get(collection, { schema: doc({ operationId: `list${operation}s`, summary: `List ${label}s`, description: `Always empty: ${label}s cannot be added on this server.`, response: { 200: envelope(schema), ...errorResponses(401, 500) } }) }, async () => ({ status: 'OK', content: [] }));
  app.get(item, { schema: doc({ operationId: `get${operation}`, summary: `Get one ${label}`, params: IdParams, response: { 200: envelope(schema), ...errorResponses(401, 404, 500) } }) }, missing);
  app.put(item, { preValidation: requirePermission('canedit'), schema: doc({ operationId: `update${operation}`, summary: `Rename or move ${withArticle(label)}`, description: `Needs canedit. No ${label} exists here, so this answers 404.`, params: IdParams, response: { 200: envelope(schema), ...errorResponses(400, 401, 403, 404, 500) } }) }, missing);
  app.delete(item, { preValidation: requirePermission('candelete'), schema: doc({ operationId: `delete${operation}`, summary: `Delete ${withArticle(label)}`, description: `Needs candelete. No ${label} exists here, so this answers 404.`, params: IdParams, response: { 200: DeletedEnvelope, ...errorResponses(401, 403, 404, 500) } }) }, missing);
  notSupported(app, 'POST', collection, name === 'file' ? 'files cannot be uploaded to this server' : 'linked files cannot be added on this server');
  notSupported(app, 'POST', item, `POST adds to the collection: send it to ${collection}`);
  notSupported(app, ['PUT', 'DELETE'], collection, `PUT and DELETE name one record: ${collection}/{id}`);
  for (const url of [collection, item]) notSupported(app, 'PATCH', url, 'PATCH is not part of this API; use PUT');
}

export function registerClevertimRoutes(app: FastifyInstance, ctx: AppContext): void {
  // One schema object per resource, shared by both bases (their $id names one OpenAPI component).
  const schemas = new Map(RESOURCES.map((spec) => [spec, { output: outputSchema(spec), input: inputSchema(spec) }]));
  for (const base of BASES) {
    for (const spec of RESOURCES) registerResource(app, ctx, spec, schemas.get(spec)!, base);
    registerReadOnly(app, base, {
      name: 'user',
      tag: 'Users',
      label: 'user',
      schema: UserSchema,
      list: (request, ids) => listUsers(ctx.db.orm, callerOf(request).companyId, ids),
    });
    registerReadOnly(app, base, { name: 'group', tag: 'Groups', label: 'group', schema: GroupSchema, list: (request, ids) => listGroups(ctx.db.orm, callerOf(request).companyId, ids), readOnly: 'groups are managed on the console page Groups and with opsbase group, not through the API' });
    // Files and linked files: nothing can be uploaded or linked here (501), so none exists: the
    // lists are empty and every file id is 404, for reading, renaming, moving and deleting alike.
    for (const [name, label, schema] of [['file', 'file', FileSchema], ['linkedfile', 'linked file', LinkedFileSchema]] as const) registerNoFiles(app, base, name, label, schema);
  }
  // contact photos live at the site root. No photos can be uploaded here, so none is ever found.
  app.get('/getcphoto/:id/:cphoto', { schema: { hide: true } }, async () => {
    throw clevertimError('not_found', 'There is no such photo.');
  });
}
