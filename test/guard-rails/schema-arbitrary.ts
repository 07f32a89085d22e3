import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI 3.1 document: values valid against a
 * schema, and the ways a client gets one wrong. Only what the documents use is understood (types,
 * enum/const, anyOf/oneOf, string length and formats, numeric bounds, arrays, objects with required
 * keys, local $refs); strings stay short unless a mutation makes them huge.
 */
export type Schema = Record<string, any>;

export function resolve(schema: Schema, document: Schema): Schema {
  let current = schema;
  for (let depth = 0; current?.$ref && depth < 10; depth++) {
    const path = String(current.$ref).replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    current = path.reduce((node: any, part) => node?.[part], document);
  }
  return current ?? {};
}

const ISO_MIN = new Date('2000-01-01T00:00:00Z').getTime();
const ISO_MAX = new Date('2099-12-31T23:59:59Z').getTime();

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 24, 24));
  if (schema.format === 'date-time') return fc.integer({ min: ISO_MIN, max: ISO_MAX }).map((ms) => new Date(ms).toISOString());
  if (schema.format === 'date') return fc.integer({ min: ISO_MIN, max: ISO_MAX }).map((ms) => new Date(ms).toISOString().slice(0, 10));
  if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
  if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl();
  if (schema.pattern) {
    // Patterns are for ids and codes: take the documented examples, else text that may or may not match.
    const examples = (schema.examples ?? []).filter((e: unknown) => typeof e === 'string');
    return examples.length > 0 ? fc.constantFrom(...examples) : fc.string({ minLength, maxLength });
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' }).filter((s) => [...s].length >= minLength);
}

function numberOf(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : -1_000_000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : 1_000_000);
  return integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values valid against `schema`. */
export function valid(schemaOrRef: Schema, document: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(schemaOrRef, document);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return fc.oneof(...union.map((s: Schema) => valid(s, document, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : inferType(schema);
  if (type.length > 1) return fc.oneof(...type.map((t: string) => valid({ ...schema, type: t }, document, depth + 1)));
  switch (type[0]) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      if (depth > 4) return fc.constant([]);
      return fc.array(valid(schema.items ?? {}, document, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {};
      if (depth > 4) return fc.constant({});
      const shape = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, valid(s, document, depth + 1)]));
      return fc.record(shape, { requiredKeys: (schema.required ?? []).filter((k: string) => k in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function inferType(schema: Schema): string[] {
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

/** A value of a JSON type the schema does not allow (or, for schemas that allow anything, a huge one). */
export function wrongType(schemaOrRef: Schema, document: Schema): fc.Arbitrary<unknown> {
  const schema = resolve(schemaOrRef, document);
  const allowed = new Set(typesOf(schema, document));
  const candidates: [string, unknown][] = [
    ['string', 'not what was asked for'],
    ['integer', 42],
    ['number', 4.2],
    ['boolean', true],
    ['null', null],
    ['array', [1, 'two']],
    ['object', { unexpected: 'object' }],
  ];
  const wrong = candidates.filter(([type]) => !allowed.has(type) && !(type === 'integer' && allowed.has('number')));
  return wrong.length > 0 ? fc.constantFrom(...wrong.map(([, value]) => value)) : fc.constant('x'.repeat(100_000));
}

function typesOf(schema: Schema, document: Schema): string[] {
  const resolved = resolve(schema, document);
  const union = resolved.anyOf ?? resolved.oneOf;
  if (Array.isArray(union)) return union.flatMap((s: Schema) => typesOf(s, document));
  if ('const' in resolved) return [jsonType(resolved.const)];
  if (Array.isArray(resolved.enum)) return resolved.enum.map(jsonType);
  if (resolved.type) return [resolved.type].flat();
  const inferred = inferType(resolved);
  return inferred.length > 0 ? inferred : ['string', 'integer', 'number', 'boolean', 'null', 'array', 'object'];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Values just outside the schema's bounds, or ones no field expects (huge, odd characters). */
export function outOfRange(schemaOrRef: Schema, document: Schema): fc.Arbitrary<unknown> {
  const schema = resolve(schemaOrRef, document);
  const values: unknown[] = ['x'.repeat(70_000), '\u0000', '\ud800', '😀'.repeat(5_000), -1, 0, 2 ** 31, 2 ** 53 + 1, 1e300, -1e300, '1e999', ''];
  if (schema.maxLength !== undefined) values.push('y'.repeat(schema.maxLength + 1));
  if (schema.minLength) values.push('z'.repeat(schema.minLength - 1));
  if (schema.maximum !== undefined) values.push(schema.maximum + 1);
  if (schema.minimum !== undefined) values.push(schema.minimum - 1);
  if (schema.maxItems !== undefined) values.push(Array.from({ length: schema.maxItems + 1 }, () => 'item'));
  return fc.constantFrom(...values);
}
