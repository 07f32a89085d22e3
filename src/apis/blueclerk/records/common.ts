import { Type, type TEnum, type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Value } from 'typebox/value';
import { and, eq, getTableName, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Orm } from '../../../platform/db/database.ts';
import { isTransaction, prepared } from '../../../platform/db/prepared.ts';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { browseClauses, keysetClauses, syncHorizon, toPage, type ListQuery, type Page } from '../../../platform/pagination/keyset.ts';

/**
 * What every BlueClerk record module shares: the field conventions of the seed (CUID ids, ISO 8601 UTC
 * timestamps, money as decimal strings), company-scoped list/get, and the two errors a change can meet.
 * Record functions are the only way the API, the contractor's operator side and the demo touch the
 * tables, so each rule lives here once.
 */

/** A pool-level handle or an open transaction: reads work on either. */
export type Db = Orm | Tx;

/** The caller's input breaks a rule; `field` names the input field. Answered as 400 with `details`. */
export class RecordInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecordInputError';
  }
}

/** The record is not in a state that allows the change (e.g. approving a draft estimate). Answered as 409. */
export class RecordStateError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecordStateError';
  }
}

/**
 * A constraint violation that slipped past the checks above (a reference deleted meanwhile, a bad
 * value from a caller that skipped validation) as a field-named input error; anything else is null.
 * Foreign keys are named `bc_<table>_<target>_fk`, so the field is `<target>Id`.
 */
export function recordErrorFromDatabase(error: unknown): RecordInputError | null {
  let cause: unknown = error;
  for (let depth = 0; cause && depth < 3; depth++) {
    const pgError = cause as { code?: string; constraint?: string };
    if (pgError.code === '23503' && pgError.constraint) {
      const target = /^bc_[a-z_]+?_(contact|property|job|ticket)_fk$/.exec(pgError.constraint)?.[1];
      if (target) return new RecordInputError(`${target}Id`, `${target}Id: there is no such ${target}`);
    }
    // 22021: a text holding a NUL character, which PostgreSQL can neither store nor compare.
    if (pgError.code === '23514' || pgError.code === '22P02' || pgError.code === '22003' || pgError.code === '22021') {
      return new RecordInputError('body', 'A value is out of range or not valid for its field');
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return null;
}

// ---- field conventions (seed "Field Conventions") -------------------------------------------------

export const RecordId = (description = 'CUID') => Type.String({ description, pattern: '^c[a-z0-9]+$', examples: ['ckxz8f3q0000008l4a1b2c3d4'] });
export const NullableRecordId = (description: string) => Type.Union([RecordId(), Type.Null()], { description });
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description, examples: ['2026-05-09T14:00:00.000Z'] });
export const NullableTimestamp = (description: string) => Type.Union([Timestamp(description), Type.Null()], { description });
export const Money = (description: string) => Type.String({ pattern: '^\\d{1,12}\\.\\d{2}$', description, examples: ['1234.56'] });
/** A closed vocabulary (statuses, contact types), documented as a string enum. */
export function StringEnum<const V extends readonly string[]>(values: V, description: string): TEnum<[...V]> {
  return Type.Enum([...values] as [...V], { description, type: 'string' }) as TEnum<[...V]>;
}
export const NullableText = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

/** Input forms: what a caller may send. Money accepts "1234.5" and "1234"; it is stored and returned with two decimals. */
export const MoneyInput = (description: string) => Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$', description, examples: ['1234.56'] });
export const TextInput = (description: string, maxLength = 2000) => Type.String({ maxLength, description });
export const RequiredTextInput = (description: string, maxLength = 300) => Type.String({ minLength: 1, maxLength, pattern: '\\S', description });
export const NullableTextInput = (description: string, maxLength = 2000) => Type.Union([Type.String({ maxLength }), Type.Null()], { description });
export const NullableIdInput = (description: string) => Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description });
export const TimestampInput = (description: string) => Type.String({ format: 'date-time', description });

/** ISO 8601 UTC with milliseconds, e.g. 2026-05-09T14:00:00.000Z: exact, so it can be sent back as `updatedSince`. */
export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

const validators = new WeakMap<TSchema, Validator>();

/**
 * Checks input against its schema with the same words fastify's validation uses, so a caller outside
 * HTTP (the demo, the CLI) gets the same field-named error as an API client.
 */
export function assertInput(schema: TSchema, input: unknown): void {
  // A compiled check first: valid input (nearly every call) then costs a few microseconds instead of the
  // hundreds that walking the schema for errors takes; only invalid input is walked, to name its field.
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = Compile(schema)));
  if (validator.Check(input)) return;
  for (const error of Value.Errors(schema, input)) {
    if (error.keyword === 'boolean') continue; // reported again, with the property's name, as additionalProperties
    const params = error.params as { additionalProperties?: string[]; requiredProperties?: string[] };
    const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (params.additionalProperties?.length) throw new RecordInputError(params.additionalProperties[0]!, `${params.additionalProperties[0]} is not a known field`);
    if (params.requiredProperties?.length) throw new RecordInputError(params.requiredProperties[0]!, `${params.requiredProperties[0]} is required`);
    throw new RecordInputError(path || 'body', `${path || 'body'} ${error.message}`);
  }
}

/** Empty or blank optional text is stored as null, so "no phone" has one spelling. */
export function blankToNull(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

// ---- company-scoped reads --------------------------------------------------------------------------

export type RecordTable = PgTable & { id: PgColumn; companyId: PgColumn; createdAt: PgColumn; updatedAt: PgColumn };

/** The page query, built but not run (tests EXPLAIN it). Sync lists need the horizon read first. */
export function pageQuery<T extends RecordTable>(orm: Db, table: T, companyId: string, query: ListQuery, horizon: Date | null) {
  const { where, orderBy, take } = keysetClauses(table, query, horizon);
  return orm
    .select()
    .from(table as PgTable)
    .where(and(eq(table.companyId, companyId), where))
    .orderBy(...orderBy)
    .limit(take);
}

/** The browse page (newest first, after a cursor or from the top) as a statement prepared once per table. */
function browsePage(orm: Orm, table: RecordTable, afterCursor: boolean) {
  return prepared(orm, `bc_page_${getTableName(table)}${afterCursor ? '_after' : ''}`, (db) => {
    const { where, orderBy } = browseClauses(table, afterCursor ? { at: sql.placeholder('afterAt'), id: sql.placeholder('afterId') } : null);
    return db
      .select()
      .from(table as PgTable)
      .where(and(eq(table.companyId, sql.placeholder('companyId')), where))
      .orderBy(...orderBy)
      .limit(sql.placeholder('take'));
  });
}

/** Get by id as a statement prepared once per table (reads outside a transaction). */
function recordById(orm: Orm, table: RecordTable) {
  return prepared(orm, `bc_get_${getTableName(table)}`, (db) =>
    db
      .select()
      .from(table as PgTable)
      .where(and(eq(table.companyId, sql.placeholder('companyId')), eq(table.id, sql.placeholder('id')))),
  );
}

/** One page of a company's records in the seed's list envelope. */
export async function listRecords<T extends RecordTable, Out>(orm: Db, table: T, companyId: string, query: ListQuery, serialise: (row: T['$inferSelect']) => Out): Promise<Page<Out>> {
  // The horizon must be read in its own statement, before the page's snapshot (see keyset.ts).
  const horizon = query.order === 'sync' ? await syncHorizon(orm) : null;
  const statement = query.order === 'browse' && !isTransaction(orm) ? browsePage(orm, table, query.cursor !== null) : null;
  const found = statement
    ? await statement.execute({ companyId, take: query.limit + 1, afterAt: query.cursor ? new Date(query.cursor.at) : null, afterId: query.cursor?.id ?? null })
    : await pageQuery(orm, table, companyId, query, horizon);
  const rows = found as (T['$inferSelect'] & { id: string; createdAt: Date; updatedAt: Date })[];
  return toPage(rows, query, serialise);
}

// Ids are CUIDs of 25 characters; anything longer is nobody's id, and never reaches the database.
const MAX_ID_LENGTH = 64;

/** The company's row with this id, or null (another company's id is as absent as an unknown one). */
export async function findRecord<T extends RecordTable>(db: Db, table: T, companyId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<T['$inferSelect'] | null> {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return null;
  if (!options.forUpdate && !isTransaction(db)) {
    const [row] = await recordById(db, table).execute({ companyId, id });
    return (row as T['$inferSelect'] | undefined) ?? null;
  }
  const query = db
    .select()
    .from(table as PgTable)
    .where(and(eq(table.companyId, companyId), eq(table.id, id)));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return (rows[0] as T['$inferSelect'] | undefined) ?? null;
}

/**
 * Checks that a referenced record (a ticket's `contactId`, a job's `propertyId`, ...) is the company's.
 * The composite foreign keys make a foreign reference impossible anyway; this check turns it into an
 * error that names the field instead of a constraint violation.
 */
export async function requireReference(db: Db, table: RecordTable, companyId: string, id: string | null | undefined, field: string, label: string): Promise<void> {
  if (id === null || id === undefined) return;
  const [row] = typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH
    ? await db.select({ id: table.id }).from(table as PgTable).where(and(eq(table.companyId, companyId), eq(table.id, id)))
    : [];
  if (!row) throw new RecordInputError(field, `${field}: there is no ${label} with id ${JSON.stringify(String(id).slice(0, MAX_ID_LENGTH))}`);
}

/** `updated_at` of a change: the transaction's start, which the sync horizon relies on (never the app's clock). */
export const NOW = sql`now()`;

// ---- money ---------------------------------------------------------------------------------------

/** Exact cents of a decimal string ("1234.5" → 123450n); money never passes through a float. */
export function toCents(amount: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole!) * 100n + BigInt((fraction + '00').slice(0, 2));
}

/** The API's money form: a decimal string with two decimals ("1234.50"). */
export function fromCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export function normaliseMoney(amount: string): string {
  return fromCents(toCents(amount));
}

// ---- document numbers ----------------------------------------------------------------------------

const NUMBER_PREFIX = { estimate: 'EST', invoice: 'INV' } as const;
const FIRST_NUMBER = 1001;

/**
 * The company's next estimate or invoice number (EST-1001, INV-1001, ...). The upsert locks the
 * company's counter row until the creating transaction ends, so numbers never repeat, and a rolled-back
 * creation hands its number back.
 */
export async function nextDocumentNumber(tx: Tx, companyId: string, kind: keyof typeof NUMBER_PREFIX): Promise<string> {
  const result = await tx.execute<{ last_number: number }>(sql`
    INSERT INTO bc_number_sequences (company_id, kind, last_number) VALUES (${companyId}, ${kind}, ${FIRST_NUMBER})
    ON CONFLICT (company_id, kind) DO UPDATE SET last_number = bc_number_sequences.last_number + 1
    RETURNING last_number`);
  return `${NUMBER_PREFIX[kind]}-${result.rows[0]!.last_number}`;
}
