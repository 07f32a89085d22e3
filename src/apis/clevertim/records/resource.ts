import { Type, type TSchema } from 'typebox';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Attribute } from './attributes.ts';
import type { Db } from './caller.ts';
import type { ModelType } from './custom-field-values.ts';

/**
 * A Clevertim resource is a declaration (resources.ts): its table, its plain attributes, its links to
 * other records, the back-references computed from records that link to it, and the few rules that are
 * its own. One record store (store.ts) and one route registrar (../routes.ts) serve every declaration,
 * so list/get/create/update/delete, validation, the envelope and the OpenAPI entries are written once.
 */

/** What a link may point at. `contactOrCompany` is a bare `cust` id: a person or a company (one id space); `contact` a person only. */
export type Target = 'contactOrCompany' | 'contact' | 'company' | 'case' | 'opportunity' | 'note' | 'task' | 'folder' | 'user';

/** A single link held in a column of the record's own table (`cust`, `companyId`, `leadUser`, ...). */
export interface Reference {
  column: string;
  target: Target;
  description: string;
  /** a one-element list is accepted for it (the Python client declares task `case`/`opp` and comment `nid`/`tid` as lists). */
  acceptsList?: boolean;
  /** The record goes when its target goes (a comment with its note or task: a foreign key cascade). */
  deletedWithTarget?: boolean;
}

/** A list of links kept in a table of its own, in the order given (a note's `cust`). */
export interface LinkList {
  table: PgTable;
  ownerColumn: string;
  targetColumn: string;
  positionColumn: string;
  target: Target;
  description: string;
}

/** A read-only list of the records that link to this one (`notes`, `tasks`, `cases`, `opportunities`, `comments`). */
export interface BackReference {
  table: PgTable;
  /** The column naming this record. */
  parentColumn: string;
  /** The column holding the linking record's id. */
  childColumn: string;
  /** The linking table has visibility columns: records the caller may not see are left out. */
  childVisibility?: boolean;
  description: string;
}

/** A read-only value computed from the rest of the output (`is_company`, `atypet`, `hl`, ...). */
export interface Computed {
  schema: TSchema;
  value(record: Record<string, unknown>): unknown;
}

export type CommonField = 'ao' | 'lm' | 'userId';

export interface ResourceSpec {
  /** The URL segment: `/api/<name>`. */
  name: string;
  /** OpenAPI tag, e.g. `Contacts`. */
  tag: string;
  /** Component name without the `Clevertim` prefix, e.g. `Contact`. */
  schemaName: string;
  /** For messages: "there is no <label> with id 7". */
  label: string;
  description: string;
  table: PgTable;
  /** The rows of the table this resource serves (persons and companies share one table). */
  kind?: { column: string; value: boolean };
  /** Which link targets a record of this resource satisfies. */
  satisfies: Target[];
  attributes: Record<string, Attribute>;
  references?: Record<string, Reference>;
  links?: Record<string, LinkList>;
  backReferences?: Record<string, BackReference>;
  computed?: Record<string, Computed>;
  /** `is_private`, `puser`, `gid` (spec 4.1). */
  visibility?: boolean;
  /** Custom-field values in `cf` for this model. */
  customFields?: ModelType;
  common: CommonField[];
  /** the message when a record lacks what it needs, or null. Checked on create and after every update. */
  required(record: Record<string, unknown>): string | null;
  /** Rules that need the database (a folder never moves under itself), on the merged record; throw a 400. `id` null on create. */
  checkWrite?(tx: Db, companyId: string, id: number | null, record: Record<string, unknown>): Promise<void>;
  /** Rules across fields, on the merged record; throw a 400. */
  validate?(record: Record<string, unknown>, mode: 'create' | 'update'): void;
  /** Renames of documented typos accepted on create (R-13: comment `name` for `comment`). */
  createAliases?: Record<string, string>;
  /** Operations the resource does not support (501, R-14). */
  unsupported?: ('create' | 'update' | 'delete')[];
  /** Work in the delete's transaction before the row goes (custom fields: their stored values go too). */
  beforeDelete?(tx: Db, companyId: string, id: number): Promise<void>;
}

/** Where the rows a link target names live, for checking that a linked id exists. */
export interface TargetTable {
  table: PgTable;
  kind?: { column: string; value: boolean };
  visibility: boolean;
  label: string;
}

export function columnOf(table: PgTable, key: string): PgColumn {
  const column = (table as unknown as Record<string, PgColumn | undefined>)[key];
  if (!column) throw new Error(`table has no column ${key}`);
  return column;
}

const COMMON_SCHEMAS: Record<CommonField, TSchema> = {
  ao: Type.String({ format: 'date-time', description: 'Added on (ISO 8601 UTC)', examples: ['2026-05-09T14:00:00Z'] }),
  lm: Type.String({ format: 'date-time', description: 'Last modified (ISO 8601 UTC)', examples: ['2026-05-09T14:00:00Z'] }),
  userId: Type.Union([Type.Integer(), Type.Null()], { description: 'The user who created it' }),
};

const idList = (description: string) => Type.Array(Type.Integer(), { description });
const nullableId = (description: string) => Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description });

/** The record as the API returns it: every field, always (clients cache whole objects, spec 7.6). */
export function outputSchema(spec: ResourceSpec): TSchema {
  const properties: Record<string, TSchema> = { id: Type.Integer({ description: 'The record’s id' }) };
  for (const [field, attribute] of Object.entries(spec.attributes)) properties[field] = attribute.fallback === undefined ? Type.Optional(attribute.output) : attribute.output;
  for (const [field, reference] of Object.entries(spec.references ?? {})) properties[field] = nullableId(reference.description);
  for (const [field, link] of Object.entries(spec.links ?? {})) properties[field] = idList(link.description);
  for (const [field, back] of Object.entries(spec.backReferences ?? {})) properties[field] = idList(`${back.description} (read-only)`);
  if (spec.visibility) Object.assign(properties, visibilitySchemas());
  if (spec.customFields) properties.cf = customFieldValuesSchema(spec.customFields);
  for (const [field, computed] of Object.entries(spec.computed ?? {})) properties[field] = computed.schema;
  for (const field of spec.common) properties[field] = COMMON_SCHEMAS[field];
  return Type.Object(properties, { $id: `Clevertim${spec.schemaName}`, additionalProperties: false, description: spec.description });
}

/** What a client may send: every writable field, all optional; anything else (read-only fields included) is ignored. */
export function inputSchema(spec: ResourceSpec): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const [field, attribute] of Object.entries(spec.attributes)) properties[field] = Type.Optional(attribute.input);
  for (const [field, reference] of Object.entries(spec.references ?? {})) {
    properties[field] = Type.Optional(
      reference.acceptsList
        ? Type.Union([Type.Integer({ minimum: 1 }), Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1 }), Type.Null()], { description: reference.description })
        : nullableId(reference.description),
    );
  }
  for (const [field, link] of Object.entries(spec.links ?? {})) {
    properties[field] = Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 }), Type.Null()], { description: `${link.description}; one id or a list` }));
  }
  if (spec.visibility) for (const [field, schema] of Object.entries(visibilitySchemas())) properties[field] = Type.Optional(schema);
  if (spec.customFields) properties.cf = Type.Optional(customFieldValuesSchema(spec.customFields));
  for (const [alias, field] of Object.entries(spec.createAliases ?? {})) properties[alias] = Type.Optional(Type.Union([Type.String(), Type.Null()], { description: `Accepted for \`${field}\` on create (a typo in the documentation)` }));
  return Type.Object(properties, { $id: `Clevertim${spec.schemaName}Input`, description: `${spec.schemaName} fields a client may send; read-only and unknown fields are ignored` });
}

function visibilitySchemas(): Record<string, TSchema> {
  return {
    is_private: Type.Boolean({ description: 'Visible to one user only (`puser`), and to owners and admins' }),
    puser: nullableId('The user a private record belongs to (default: whoever makes it private)'),
    gid: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'The groups that may see it: the sum of their `gid` values (GET /group); 0 = everyone. Bits that name no group are refused (400)' }),
  };
}

function customFieldValuesSchema(model: ModelType): TSchema {
  return Type.Record(Type.String({ pattern: '^[1-9][0-9]*$' }), Type.Union([Type.String(), Type.Array(Type.String())]), {
    description: `Custom-field values {"<customFieldId>": value} for fields whose modelType includes "${model}": text (select: one of the field's values; date: YYYY-MM-DD; user/contact/company/case/opportunity: the id as text), a list when the field is multiple`,
  });
}
