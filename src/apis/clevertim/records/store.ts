import { and, asc, eq, getTableName, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { clevertimError } from '../errors.ts';
import { acceptAttribute } from './attributes.ts';
import { seesEverything, type Caller, type Db } from './caller.ts';
import { acceptCustomFieldValues, currentCustomFieldValues, loadDefinitions, referencedIds, type CustomFieldDefinition } from './custom-field-values.ts';
import { columnOf, type ResourceSpec, type Target, type TargetTable } from './resource.ts';
import { existingUserIds } from './users.ts';
import { companyGroupMask } from '../../../platform/tenancy/groups.ts';

/**
 * The one record store behind every declared resource: company-scoped, visibility-aware reads with
 * back-references, and writes that take a client's body as Clevertim clients send it (partial on PUT,
 * or the whole cached object with its read-only fields, spec 7.8) and check every link inside the
 * caller's company. Writes run in the caller's transaction.
 */
export type ApiRecord = Record<string, unknown>;
type Row = Record<string, unknown> & { id: number; attrs: Record<string, unknown>; createdAt: Date; updatedAt: Date; userId: number | null };

/** What a body said, field by field, in stored form. Only fields present in the body are here. */
interface Input {
  attrs: Record<string, unknown>;
  references: Record<string, number | null>;
  links: Record<string, number[]>;
  isPrivate?: boolean;
  puser?: number | null;
  gid?: number;
  cf?: unknown;
}

const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Every bit a group can hold (tenancy GROUP_BITS = 31: bits 0..30). */
const MAX_GID = 2 ** 31 - 1;

/** A path id: digits only (R-15 "accept digit strings in paths"); anything else names no record. */
export function parseRecordId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[0-9]{1,16}$/.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= MAX_ID ? id : null;
}

/** ISO 8601 UTC to the second, as Clevertim writes it: `2017-01-04T10:23:22Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);
const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

export interface RecordStore {
  list(db: Db, spec: ResourceSpec, caller: Caller): Promise<ApiRecord[]>;
  get(db: Db, spec: ResourceSpec, caller: Caller, id: number): Promise<ApiRecord | null>;
  create(tx: Db, spec: ResourceSpec, caller: Caller, body: unknown): Promise<ApiRecord>;
  update(tx: Db, spec: ResourceSpec, caller: Caller, id: number, body: unknown): Promise<ApiRecord>;
  remove(tx: Db, spec: ResourceSpec, caller: Caller, id: number): Promise<void>;
}

export function createRecordStore(specs: ResourceSpec[], targets: Record<Exclude<Target, 'user'>, TargetTable>): RecordStore {
  const col = columnOf;

  function visibleTo(table: PgTable, caller: Caller): SQL | undefined {
    if (seesEverything(caller)) return undefined;
    // R-5: a private record is its `puser`'s; a group-restricted one (gid ≠ 0) is for the members of a
    // group whose bit is set. The `puser` of a record always sees it (it was given to them by name).
    const gid = col(table, 'gid');
    const groups = caller.groupMask ? or(eq(gid, 0), sql`(${gid} & ${caller.groupMask}::integer) <> 0`) : eq(gid, 0);
    return or(eq(col(table, 'puser'), caller.userId), and(eq(col(table, 'isPrivate'), false), groups));
  }

  function scope(spec: Pick<ResourceSpec, 'table' | 'kind'>, companyId: string): SQL {
    const conditions = [eq(col(spec.table, 'companyId'), companyId)];
    if (spec.kind) conditions.push(eq(col(spec.table, spec.kind.column), spec.kind.value));
    return and(...conditions)!;
  }

  function whereVisible(spec: ResourceSpec, caller: Caller, extra?: SQL): SQL {
    return and(scope(spec, caller.companyId), spec.visibility ? visibleTo(spec.table, caller) : undefined, extra)!;
  }

  // ---- reads ---------------------------------------------------------------------------------------

  /** For each record id, the ids linking to it (or linked from it), in order. `ids` null: the whole company. */
  async function idLists(db: Db, table: PgTable, keyColumn: string, valueColumn: string, orderColumn: string, companyId: string, ids: number[] | null, filter?: SQL) {
    const key = col(table, keyColumn);
    const value = col(table, valueColumn);
    const rows = (await db
      .select({ key, value })
      .from(table)
      .where(and(eq(col(table, 'companyId'), companyId), ids ? inArray(key, ids) : isNotNull(key), filter))
      .orderBy(asc(col(table, orderColumn)), asc(value))) as { key: number; value: number }[];
    const lists = new Map<number, number[]>();
    for (const row of rows) {
      const list = lists.get(row.key) ?? [];
      list.push(row.value);
      lists.set(row.key, list);
    }
    return lists;
  }

  async function hydrate(db: Db, spec: ResourceSpec, caller: Caller, rows: Row[], whole: boolean): Promise<ApiRecord[]> {
    if (rows.length === 0) return [];
    const ids = whole ? null : rows.map((row) => row.id);
    const links = new Map<string, Map<number, number[]>>();
    for (const [field, link] of Object.entries(spec.links ?? {})) {
      links.set(field, await idLists(db, link.table, link.ownerColumn, link.targetColumn, link.positionColumn, caller.companyId, ids));
    }
    const backReferences = new Map<string, Map<number, number[]>>();
    for (const [field, back] of Object.entries(spec.backReferences ?? {})) {
      const filter = back.childVisibility ? visibleTo(back.table, caller) : undefined;
      backReferences.set(field, await idLists(db, back.table, back.parentColumn, back.childColumn, back.childColumn, caller.companyId, ids, filter));
    }
    const definitions = spec.customFields ? await loadDefinitions(db, caller.companyId) : null;
    return rows.map((row) => toApiRecord(spec, row, links, backReferences, definitions));
  }

  function toApiRecord(
    spec: ResourceSpec,
    row: Row,
    links: Map<string, Map<number, number[]>>,
    backReferences: Map<string, Map<number, number[]>>,
    definitions: Map<number, CustomFieldDefinition> | null,
  ): ApiRecord {
    const record: ApiRecord = { id: row.id };
    for (const [field, attribute] of Object.entries(spec.attributes)) {
      const stored = row.attrs[field];
      if (stored !== undefined) record[field] = stored;
      else if (attribute.fallback !== undefined) record[field] = structuredClone(attribute.fallback);
    }
    for (const [field, reference] of Object.entries(spec.references ?? {})) record[field] = (row[reference.column] as number | null) ?? null;
    for (const field of Object.keys(spec.links ?? {})) record[field] = links.get(field)?.get(row.id) ?? [];
    for (const field of Object.keys(spec.backReferences ?? {})) record[field] = backReferences.get(field)?.get(row.id) ?? [];
    if (spec.visibility) Object.assign(record, { is_private: row.isPrivate, puser: row.puser ?? null, gid: row.gid });
    if (spec.customFields && definitions) record.cf = currentCustomFieldValues(definitions, spec.customFields, (row.cf as Record<string, unknown>) ?? {});
    for (const [field, computed] of Object.entries(spec.computed ?? {})) record[field] = computed.value(record);
    if (spec.common.includes('ao')) record.ao = isoSeconds(row.createdAt);
    if (spec.common.includes('lm')) record.lm = isoSeconds(row.updatedAt);
    if (spec.common.includes('userId')) record.userId = row.userId ?? null;
    return record;
  }

  async function list(db: Db, spec: ResourceSpec, caller: Caller): Promise<ApiRecord[]> {
    // every visible record, by ascending id; Clevertim has no paging or filtering.
    const rows = (await db.select().from(spec.table).where(whereVisible(spec, caller)).orderBy(asc(col(spec.table, 'id')))) as Row[];
    return hydrate(db, spec, caller, rows, true);
  }

  async function findRow(db: Db, spec: ResourceSpec, caller: Caller, id: number, options: { forUpdate?: boolean; ignoreVisibility?: boolean } = {}): Promise<Row | null> {
    const where = options.ignoreVisibility ? and(scope(spec, caller.companyId), eq(col(spec.table, 'id'), id)) : whereVisible(spec, caller, eq(col(spec.table, 'id'), id));
    const query = db.select().from(spec.table).where(where);
    const [row] = (options.forUpdate ? await query.for('update') : await query) as Row[];
    return row ?? null;
  }

  async function get(db: Db, spec: ResourceSpec, caller: Caller, id: number): Promise<ApiRecord | null> {
    const row = await findRow(db, spec, caller, id);
    return row ? (await hydrate(db, spec, caller, [row], false))[0]! : null;
  }

  // ---- writes --------------------------------------------------------------------------------------

  function readInput(spec: ResourceSpec, body: unknown, mode: 'create' | 'update'): Input {
    if (body === undefined) throw clevertimError('bad_request', 'Send the record as a JSON object in the body.');
    if (!isPlainObject(body)) throw clevertimError('bad_request', 'The body must be a JSON object.');
    const source: Record<string, unknown> = { ...body };
    if (mode === 'create') {
      for (const [alias, field] of Object.entries(spec.createAliases ?? {})) if (!hasOwn(source, field) && hasOwn(source, alias)) source[field] = source[alias];
    }
    const input: Input = { attrs: {}, references: {}, links: {} };
    for (const [field, attribute] of Object.entries(spec.attributes)) {
      if (!hasOwn(source, field) || source[field] === undefined) continue;
      const accepted = acceptAttribute(field, attribute, source[field]);
      if (!accepted.ok) throw clevertimError('bad_request', accepted.message);
      input.attrs[field] = accepted.value;
    }
    for (const [field, reference] of Object.entries(spec.references ?? {})) {
      if (!hasOwn(source, field)) continue;
      let value = source[field];
      if (reference.acceptsList && Array.isArray(value) && value.length <= 1) value = value.length === 0 ? null : value[0];
      if (value !== null && !isId(value)) throw clevertimError('bad_request', `${field} must be the id (a number) of a ${labelOf(reference.target)}, or null`);
      input.references[field] = value as number | null;
    }
    for (const [field, link] of Object.entries(spec.links ?? {})) {
      if (!hasOwn(source, field)) continue;
      const value = source[field];
      const ids = value === null ? [] : Array.isArray(value) ? value : [value];
      if (!ids.every(isId) || ids.length > 100) throw clevertimError('bad_request', `${field} must be the id of a ${labelOf(link.target)} or a list of at most 100 such ids`);
      input.links[field] = [...new Set(ids as number[])];
    }
    if (spec.visibility) {
      if (hasOwn(source, 'is_private')) {
        if (source.is_private !== null && typeof source.is_private !== 'boolean') throw clevertimError('bad_request', 'is_private must be true or false');
        input.isPrivate = source.is_private === true;
      }
      if (hasOwn(source, 'puser')) {
        if (source.puser !== null && !isId(source.puser)) throw clevertimError('bad_request', 'puser must be the id (a number) of a user, or null');
        input.puser = source.puser as number | null;
      }
      if (hasOwn(source, 'gid')) {
        if (source.gid !== null && !(Number.isSafeInteger(source.gid) && (source.gid as number) >= 0 && (source.gid as number) <= MAX_GID)) {
          throw clevertimError('bad_request', 'gid must be 0 (everyone) or a sum of the gid values of groups (GET /group lists them)');
        }
        input.gid = (source.gid as number | null) ?? 0;
      }
    }
    if (spec.customFields && hasOwn(source, 'cf')) input.cf = source.cf;
    return input;
  }

  function labelOf(target: Target): string {
    return target === 'user' ? 'user' : targets[target].label;
  }

  /** Every linked id must name a record of the caller's company that the caller may see: otherwise 400. */
  async function checkLinks(db: Db, caller: Caller, wanted: { field: string; target: Target; ids: number[] }[]): Promise<void> {
    for (const { field, target, ids } of wanted) {
      if (ids.length === 0) continue;
      let found: Set<number>;
      if (target === 'user') {
        found = await existingUserIds(db, caller.companyId, ids);
      } else {
        const where = targets[target];
        const idColumn = col(where.table, 'id');
        const rows = (await db
          .select({ id: idColumn })
          .from(where.table)
          .where(and(scope(where, caller.companyId), inArray(idColumn, ids), where.visibility ? visibleTo(where.table, caller) : undefined))) as { id: number }[];
        found = new Set(rows.map((row) => row.id));
      }
      const missing = ids.find((id) => !found.has(id));
      if (missing !== undefined) throw clevertimError('bad_request', `${field}: there is no ${labelOf(target)} with id ${missing}`);
    }
  }

  /** every bit of a `gid` mask must be a group of the caller's company. */
  async function checkGroups(db: Db, caller: Caller, gid: number | undefined): Promise<void> {
    if (!gid) return;
    const unknown = gid & ~(await companyGroupMask(db, caller.companyId));
    if (unknown === 0) return;
    const bits = [...Array(31).keys()].filter((bit) => (unknown & (2 ** bit)) !== 0).map((bit) => 2 ** bit);
    throw clevertimError('bad_request', `gid ${gid}: ${bits.join(', ')} ${bits.length === 1 ? 'is not the gid of a group' : 'are not gid values of groups'} of ${caller.companyName} (GET /group lists the groups and their gid values)`);
  }

  /** The record as it will be (attributes with fallbacks, links by field), as `required` and `validate` see it. */
  function mergedView(spec: ResourceSpec, attrs: Record<string, unknown>, input: Input, row: Row | null): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const [field, attribute] of Object.entries(spec.attributes)) record[field] = attrs[field] !== undefined ? attrs[field] : attribute.fallback;
    for (const [field, reference] of Object.entries(spec.references ?? {})) {
      record[field] = input.references[field] !== undefined ? input.references[field] : ((row?.[reference.column] as number | null | undefined) ?? null);
    }
    return record;
  }

  function checkRules(spec: ResourceSpec, merged: Record<string, unknown>, mode: 'create' | 'update'): void {
    const missing = spec.required(merged);
    if (missing) throw clevertimError('bad_request', missing);
    spec.validate?.(merged, mode);
  }

  function linkChecks(spec: ResourceSpec, input: Input): { field: string; target: Target; ids: number[] }[] {
    const wanted: { field: string; target: Target; ids: number[] }[] = [];
    for (const [field, reference] of Object.entries(spec.references ?? {})) {
      const id = input.references[field];
      if (id !== undefined && id !== null) wanted.push({ field, target: reference.target, ids: [id] });
    }
    for (const [field, link] of Object.entries(spec.links ?? {})) if (input.links[field]) wanted.push({ field, target: link.target, ids: input.links[field]! });
    if (input.puser !== undefined && input.puser !== null) wanted.push({ field: 'puser', target: 'user', ids: [input.puser] });
    return wanted;
  }

  /** `cf` checked against the definitions; a reference-type value must name a record (or user) of the company the caller may see. */
  async function acceptCf(db: Db, spec: ResourceSpec, caller: Caller, cf: unknown) {
    const definitions = await loadDefinitions(db, caller.companyId);
    const accepted = acceptCustomFieldValues(definitions, spec.customFields!, cf);
    await checkLinks(db, caller, referencedIds(definitions, accepted).map(({ key, elemType, ids }) => ({ field: `cf.${key}`, target: elemType, ids })));
    return accepted;
  }

  async function writeLinks(tx: Db, spec: ResourceSpec, companyId: string, id: number, input: Input, replace: boolean): Promise<void> {
    for (const [field, link] of Object.entries(spec.links ?? {})) {
      const ids = input.links[field];
      if (!ids) continue;
      if (replace) await tx.delete(link.table).where(and(eq(col(link.table, 'companyId'), companyId), eq(col(link.table, link.ownerColumn), id)));
      if (ids.length === 0) continue;
      await tx.insert(link.table).values(ids.map((target, position) => ({ companyId, [link.ownerColumn]: id, [link.targetColumn]: target, [link.positionColumn]: position })));
    }
  }

  const unsupported = (spec: ResourceSpec, operation: 'create' | 'update' | 'delete') => {
    if (spec.unsupported?.includes(operation)) throw clevertimError('not_supported', `Operation not supported: ${spec.name} records cannot be ${operation === 'create' ? 'created' : operation === 'update' ? 'updated' : 'deleted'} through the API.`);
  };

  async function create(tx: Db, spec: ResourceSpec, caller: Caller, body: unknown): Promise<ApiRecord> {
    unsupported(spec, 'create');
    const input = readInput(spec, body, 'create');
    checkRules(spec, mergedView(spec, input.attrs, input, null), 'create');
    await checkLinks(tx, caller, linkChecks(spec, input));
    await checkGroups(tx, caller, input.gid);
    await spec.checkWrite?.(tx, caller.companyId, null, mergedView(spec, input.attrs, input, null));
    const values: Record<string, unknown> = { companyId: caller.companyId, userId: caller.userId, attrs: definedOnly(input.attrs) };
    if (spec.kind) values[spec.kind.column] = spec.kind.value;
    for (const [field, reference] of Object.entries(spec.references ?? {})) values[reference.column] = input.references[field] ?? null;
    if (spec.visibility) {
      const isPrivate = input.isPrivate ?? false;
      Object.assign(values, { isPrivate, puser: input.puser ?? (isPrivate ? caller.userId : null), gid: input.gid ?? 0 });
    }
    if (spec.customFields) values.cf = await acceptCf(tx, spec, caller, input.cf ?? {});
    const [created] = (await tx.insert(spec.table).values(values as never).returning({ id: col(spec.table, 'id') })) as { id: number }[];
    await writeLinks(tx, spec, caller.companyId, created!.id, input, false);
    return fetchWritten(tx, spec, caller, created!.id);
  }

  async function update(tx: Db, spec: ResourceSpec, caller: Caller, id: number, body: unknown): Promise<ApiRecord> {
    unsupported(spec, 'update');
    const row = await findRow(tx, spec, caller, id, { forUpdate: true });
    if (!row) throw clevertimError('not_found');
    const input = readInput(spec, body, 'update');
    // the fields sent replace the stored ones (lists and cf as a whole); the rest stay.
    const attrs = definedOnly({ ...row.attrs, ...input.attrs });
    checkRules(spec, mergedView(spec, attrs, input, row), 'update');
    await checkLinks(tx, caller, linkChecks(spec, input));
    await checkGroups(tx, caller, input.gid);
    await spec.checkWrite?.(tx, caller.companyId, id, mergedView(spec, attrs, input, row));
    const values: Record<string, unknown> = { attrs, updatedAt: sql`now()` };
    for (const [field, reference] of Object.entries(spec.references ?? {})) if (input.references[field] !== undefined) values[reference.column] = input.references[field];
    if (spec.visibility) {
      const isPrivate = input.isPrivate ?? (row.isPrivate as boolean);
      const puser = input.puser !== undefined ? input.puser : (row.puser as number | null);
      Object.assign(values, { isPrivate, puser: isPrivate && puser === null ? caller.userId : puser });
      if (input.gid !== undefined) values.gid = input.gid;
    }
    if (spec.customFields && input.cf !== undefined) values.cf = await acceptCf(tx, spec, caller, input.cf);
    await tx.update(spec.table).set(values as never).where(and(scope(spec, caller.companyId), eq(col(spec.table, 'id'), id)));
    await writeLinks(tx, spec, caller.companyId, id, input, true);
    return fetchWritten(tx, spec, caller, id);
  }

  /** The record just written, whole (spec 7.6), even when it was made private to someone else. */
  async function fetchWritten(tx: Db, spec: ResourceSpec, caller: Caller, id: number): Promise<ApiRecord> {
    const row = await findRow(tx, spec, caller, id, { ignoreVisibility: true });
    return (await hydrate(tx, spec, caller, [row!], false))[0]!;
  }

  /**
   * Deleting a record leaves the records that linked to it in place with the link removed (spec 9);
   * a note's contact list and a note's or task's comments go with it (foreign keys, ON DELETE CASCADE).
   */
  async function remove(tx: Db, spec: ResourceSpec, caller: Caller, id: number): Promise<void> {
    unsupported(spec, 'delete');
    const row = await findRow(tx, spec, caller, id, { forUpdate: true });
    if (!row) throw clevertimError('not_found');
    const cleared = new Set<string>();
    for (const other of specs) {
      for (const reference of Object.values(other.references ?? {})) {
        if (reference.target === 'user' || reference.deletedWithTarget || !spec.satisfies.includes(reference.target)) continue;
        const key = `${getTableName(other.table)}.${reference.column}`;
        if (cleared.has(key)) continue;
        cleared.add(key);
        const column = col(other.table, reference.column);
        await tx
          .update(other.table)
          .set({ [reference.column]: null, updatedAt: sql`now()` } as never)
          .where(and(eq(col(other.table, 'companyId'), caller.companyId), eq(column, id)));
      }
    }
    await spec.beforeDelete?.(tx, caller.companyId, id);
    await tx.delete(spec.table).where(and(scope(spec, caller.companyId), eq(col(spec.table, 'id'), id)));
  }

  return { list, get, create, update, remove };
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
