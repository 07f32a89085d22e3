import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The kinds of plain attribute a Clevertim record has (spec section 4), each with what a client may send,
 * what the API returns, the value of a record that never set it, and the one sentence a client reads
 * when its value does not fit. Resources (resources.ts) are declared from these.
 *
 * Every attribute also accepts `null` on input, meaning "clear it": the Python client sends `None` for
 * a field that was set and then deleted on the object (spec 7.8, whole cached objects on PUT).
 */
export interface Attribute {
  /** JSON schema of the accepted input (documentation and validation). */
  input: TSchema;
  /** JSON schema of the returned value. */
  output: TSchema;
  /** Returned (and stored on create) when the record has no value. `undefined`: the key is left out. */
  fallback: unknown;
  /** What a valid value is, for the 400 message: "`<field>` must be ...". */
  expects: string;
  /** Turns an accepted input into the stored value (null becomes the fallback unless said otherwise). */
  normalize?(value: unknown): unknown;
  /** Extra check beyond the schema (e.g. a real calendar date); returns the problem or null. */
  check?(value: unknown): string | null;
}

const nullable = (schema: TSchema, description: string) => Type.Union([schema, Type.Null()], { description });

/** Accepts `value` for `attribute`: the stored form, or a 400 message naming the field. */
export function acceptAttribute(field: string, attribute: Attribute, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!Value.Check(attribute.input, value)) return { ok: false, message: `${field} ${attribute.expects}` };
  const problem = attribute.check?.(value) ?? null;
  if (problem) return { ok: false, message: `${field}: ${problem}` };
  if (value === null) return { ok: true, value: attribute.fallback };
  return { ok: true, value: attribute.normalize ? attribute.normalize(value) : value };
}

/** `example` is what the documentation and the Postman collection show for the field. */
export function text(description: string, maxLength = 2000, fallback = '', example?: string): Attribute {
  return {
    input: Type.Union([Type.String({ maxLength }), Type.Null()], { description, ...(example === undefined ? {} : { examples: [example] }) }),
    output: Type.String({ description }),
    fallback,
    expects: `must be text of at most ${maxLength} characters`,
  };
}

export function textList(description: string, maxItems = 100, maxLength = 500, example?: string[]): Attribute {
  return {
    input: Type.Union([Type.Array(Type.String({ maxLength }), { maxItems }), Type.Null()], { description, ...(example === undefined ? {} : { examples: [example] }) }),
    output: Type.Array(Type.String(), { description }),
    fallback: [],
    expects: `must be a list of at most ${maxItems} texts of at most ${maxLength} characters`,
  };
}

export function flag(description: string, fallback = false): Attribute {
  return { input: nullable(Type.Boolean(), description), output: Type.Boolean({ description }), fallback, expects: 'must be true or false' };
}

export function integer(description: string, minimum: number, maximum: number, fallback: number): Attribute {
  return {
    input: nullable(Type.Integer({ minimum, maximum }), description),
    output: Type.Integer({ description }),
    fallback,
    expects: `must be a whole number from ${minimum} to ${maximum}`,
  };
}

/** A closed vocabulary with a default (task `atype`, note `type`, ...). */
export function choice(values: readonly string[], description: string, fallback: string, outputValues: readonly string[] = values): Attribute {
  return {
    input: nullable(Type.Enum([...values], { type: 'string' }), description),
    output: Type.Enum([...outputValues], { type: 'string', description }),
    fallback,
    expects: `must be one of ${values.join(', ')}`,
  };
}

/** A closed vocabulary that is absent until set (contact `ctype`); `""` or null clears it. */
export function optionalChoice(values: readonly string[], description: string): Attribute {
  return {
    input: Type.Union([Type.Enum([...values, ''], { type: 'string' }), Type.Null()], { description }),
    output: Type.Enum([...values], { type: 'string', description }),
    fallback: undefined,
    expects: `must be one of ${values.join(', ')} (or "" to clear it)`,
    normalize: (value) => (value === '' ? undefined : value),
  };
}

/** A list of `{type, <key>}` pairs with a closed `type` (phones, social ids). */
export function typedPairs(key: string, types: readonly string[], description: string, maxItems = 50): Attribute {
  const item = Type.Object({ type: Type.Enum([...types], { type: 'string' }), [key]: Type.String({ minLength: 1, maxLength: 200 }) });
  return {
    input: nullable(Type.Array(item, { maxItems }), description),
    output: Type.Array(Type.Object({ type: Type.Enum([...types], { type: 'string' }), [key]: Type.String() }), { description }),
    fallback: [],
    expects: `must be a list of {"type", "${key}"} with type one of ${types.join(', ')} and a non-empty "${key}"`,
    // Only the two documented keys are kept.
    normalize: (value) => (value as Record<string, unknown>[]).map((pair) => ({ type: pair.type, [key]: pair[key] })),
  };
}

/** A task's date and time: `{"y":2013,"mo":12,"d":29,"h":4,"mi":4}`; the client may set the date or the time alone. */
export function dateParts(description: string): Attribute {
  const parts = Type.Object(
    {
      y: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2999 })),
      mo: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
      d: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
      h: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
      mi: Type.Optional(Type.Integer({ minimum: 0, maximum: 59 })),
    },
    { examples: [{ y: 2026, mo: 5, d: 9, h: 14, mi: 30 }] },
  );
  return {
    input: nullable(parts, description),
    output: nullable(parts, description),
    fallback: null,
    expects: 'must be {"y", "mo", "d", "h", "mi"} with whole numbers (mo 1-12, d 1-31, h 0-23, mi 0-59) or null',
    check(value) {
      const date = value as { y?: number; mo?: number; d?: number } | null;
      if (!date || date.y === undefined || date.mo === undefined || date.d === undefined) return null;
      const real = new Date(Date.UTC(date.y, date.mo - 1, date.d));
      return real.getUTCMonth() === date.mo - 1 ? null : `${date.y}-${date.mo}-${date.d} is not a date`;
    },
    normalize: (value) => {
      const date = value as Record<string, number>;
      return Object.fromEntries(['y', 'mo', 'd', 'h', 'mi'].filter((k) => date[k] !== undefined).map((k) => [k, date[k]]));
    },
  };
}

/** Task recurrence options, e.g. `{"type":"weekday"}` (skip weekends). */
export function recurrenceOptions(description: string): Attribute {
  const options = Type.Object({ type: Type.Optional(Type.Enum(['weekday'], { type: 'string' })) });
  return {
    input: nullable(options, description),
    output: Type.Object({ type: Type.Optional(Type.String()) }, { description }),
    fallback: {},
    expects: 'must be {} or {"type": "weekday"}',
    normalize: (value) => ((value as { type?: string }).type ? { type: (value as { type: string }).type } : {}),
  };
}

/** Opportunity `value`: a decimal amount as text (R-23: numbers are accepted and stored as their text). */
export function decimalText(description: string): Attribute {
  const pattern = '^\\d{1,15}(\\.\\d{1,4})?$';
  return {
    input: Type.Union([Type.String({ pattern: `${pattern}|^$` }), Type.Number({ minimum: 0, maximum: 1e15 }), Type.Null()], { description }),
    output: Type.String({ description, examples: ['4500'] }),
    fallback: '',
    expects: 'must be a decimal amount such as "4500" or "1000.50" (at most 4 decimals)',
    check: (value) => (typeof value === 'number' && !new RegExp(pattern).test(String(value)) ? `${value} is not a decimal amount with at most 4 decimals` : null),
    normalize: (value) => String(value),
  };
}
