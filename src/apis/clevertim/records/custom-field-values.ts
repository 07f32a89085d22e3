import { eq } from 'drizzle-orm';
import { ctCustomFields } from '../schema.ts';
import { clevertimError } from '../errors.ts';
import type { Db } from './caller.ts';

/**
 * Custom-field values in a record's `cf` (spec 4.10, R-7): `{"<customFieldId>": value}`, checked against
 * the company's definitions on the way in, and re-checked on the way out so a definition changed later
 * never makes the API return a value a client would reject (spec 7.11).
 */
export const ELEM_TYPES = ['input', 'select', 'date', 'user', 'state', 'country', 'region', 'contact', 'company', 'case', 'opportunity', 'currency'] as const;
export const MODEL_TYPES = ['customers', 'companies', 'cases', 'opportunities'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** The field types whose value is another record's (or user's) id, written as text: `{"8": "9987"}`. */
const REFERENCE_TYPES = new Set(['user', 'contact', 'company', 'case', 'opportunity']);

export interface CustomFieldDefinition {
  id: number;
  name: string;
  elemType: string;
  modelType: string[];
  values: string[];
  multiple: boolean;
}

export async function loadDefinitions(db: Db, companyId: string): Promise<Map<number, CustomFieldDefinition>> {
  const rows = await db.select({ id: ctCustomFields.id, attrs: ctCustomFields.attrs }).from(ctCustomFields).where(eq(ctCustomFields.companyId, companyId));
  return new Map(
    rows.map((row) => {
      const attrs = row.attrs as Partial<CustomFieldDefinition>;
      return [
        row.id,
        {
          id: row.id,
          name: String(attrs.name ?? ''),
          elemType: String(attrs.elemType ?? 'input'),
          modelType: Array.isArray(attrs.modelType) ? attrs.modelType : [],
          values: Array.isArray(attrs.values) ? attrs.values : [],
          multiple: attrs.multiple === true,
        },
      ];
    }),
  );
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCFullYear() === Number(match[1]) && date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}

/** One value of a field, in its stored form, or the reason it does not fit. */
function acceptOne(definition: CustomFieldDefinition, value: unknown): { value: string } | { problem: string } {
  if (REFERENCE_TYPES.has(definition.elemType)) {
    // The client writes the referenced id as text; a bare number is taken as the same id.
    const text = typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? String(value) : value;
    if (typeof text !== 'string' || !/^[1-9]\d{0,15}$/.test(text)) return { problem: `must be the id of a ${definition.elemType} as text, e.g. "42"` };
    return { value: text };
  }
  if (typeof value !== 'string') return { problem: 'must be text' };
  if (value.length > 2000) return { problem: 'must be at most 2000 characters' };
  if (definition.elemType === 'select' && !definition.values.includes(value)) return { problem: `must be one of ${definition.values.map((v) => `"${v}"`).join(', ')}` };
  if (definition.elemType === 'date' && !isCalendarDate(value)) return { problem: 'must be a date written YYYY-MM-DD' };
  return { value };
}

/** The field's value in its stored form, or the reason it does not fit (multi-value fields hold lists). */
function acceptValue(definition: CustomFieldDefinition, value: unknown): { value: string | string[] } | { problem: string } {
  if (!definition.multiple) {
    if (Array.isArray(value)) return { problem: 'holds one value, not a list' };
    return acceptOne(definition, value);
  }
  if (!Array.isArray(value)) return { problem: 'holds several values: send a list' };
  if (value.length > 100) return { problem: 'holds at most 100 values' };
  const accepted: string[] = [];
  for (const item of value) {
    const one = acceptOne(definition, item);
    if ('problem' in one) return { problem: `each value ${one.problem}` };
    accepted.push(one.value);
  }
  return { value: accepted };
}

/**
 * A `cf` object from a client, checked: every key names a custom field of the company that applies to
 * `model`, every value fits the field. A null value removes the field's value. Throws a 400 otherwise.
 */
export function acceptCustomFieldValues(definitions: Map<number, CustomFieldDefinition>, model: ModelType, cf: unknown): Record<string, string | string[]> {
  if (cf === null) return {};
  if (typeof cf !== 'object' || Array.isArray(cf)) throw clevertimError('bad_request', 'cf must be an object {"<customFieldId>": value}');
  const accepted: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(cf as Record<string, unknown>)) {
    const definition = /^[1-9]\d{0,15}$/.test(key) ? definitions.get(Number(key)) : undefined;
    if (!definition) throw clevertimError('bad_request', `cf: there is no custom field with id ${JSON.stringify(key)}`);
    if (!definition.modelType.includes(model)) {
      throw clevertimError('bad_request', `cf.${key}: the custom field "${definition.name}" does not apply to ${model} (it applies to ${definition.modelType.join(', ') || 'nothing'})`);
    }
    if (value === null) continue;
    const result = acceptValue(definition, value);
    if ('problem' in result) throw clevertimError('bad_request', `cf.${key} ("${definition.name}", ${definition.elemType}${definition.multiple ? ', multiple' : ''}) ${result.problem}`);
    accepted[key] = result.value;
  }
  return accepted;
}

/** The record ids and user ids that accepted values of reference-type fields name, per field, for checking they exist. */
export function referencedIds(definitions: Map<number, CustomFieldDefinition>, accepted: Record<string, string | string[]>): { key: string; elemType: 'user' | 'contact' | 'company' | 'case' | 'opportunity'; ids: number[] }[] {
  const wanted: { key: string; elemType: 'user' | 'contact' | 'company' | 'case' | 'opportunity'; ids: number[] }[] = [];
  for (const [key, value] of Object.entries(accepted)) {
    const definition = definitions.get(Number(key));
    if (!definition || !REFERENCE_TYPES.has(definition.elemType)) continue;
    wanted.push({ key, elemType: definition.elemType as 'user', ids: (Array.isArray(value) ? value : [value]).map(Number) });
  }
  return wanted;
}

/** The stored values a client may be shown now: a value whose field was deleted or changed so it no longer fits is left out. */
export function currentCustomFieldValues(definitions: Map<number, CustomFieldDefinition>, model: ModelType, stored: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const definition = definitions.get(Number(key));
    if (!definition || !definition.modelType.includes(model)) continue;
    if ('problem' in acceptValue(definition, value)) continue;
    shown[key] = value;
  }
  return shown;
}
