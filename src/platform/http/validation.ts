import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation with two rule sets. Query strings, path parameters and headers arrive as text, so
 * they are coerced to the declared types (`?limit=25` becomes 25; one `?id=x` becomes `["x"]`). JSON bodies
 * already carry their types and are taken as sent: coercion there would turn a `null` that means "clear
 * this field" into `""` (ajv coerces to the first branch of `string | null`), and would quietly accept a
 * number where text is due. Form bodies are all text and are read by their handlers.
 */
function newAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false });
  addFormats.default(ajv);
  return ajv;
}

function compilerOn(ajv: Ajv) {
  return (schema: Record<string, unknown>): ValidateFunction => {
    // One Ajv instance cannot compile two schemas with the same $id: reuse the first (as fastify's own compiler does).
    const id = typeof schema.$id === 'string' ? schema.$id : null;
    return (id && ajv.getSchema(id)) || ajv.compile(schema);
  };
}

export function requestValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const asSent = compilerOn(newAjv(false));
  const fromText = compilerOn(newAjv('array'));
  return ({ schema, httpPart }) => (httpPart === 'body' ? asSent(schema) : fromText(schema));
}
