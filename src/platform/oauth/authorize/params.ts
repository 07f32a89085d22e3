import { InvalidRequest } from '../errors.ts';

/** Authorization request parameters, from the query string (GET) or the consent form (POST). */
export type RequestParams = Record<string, unknown>;

/** RFC 6749 3.1: a parameter must not be sent more than once; an empty value counts as absent. */
export function singleParam(params: RequestParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidRequest(`${name} must be sent once`);
  return value;
}

export function requiredParam(params: RequestParams, name: string): string {
  const value = singleParam(params, name);
  if (value === undefined) throw new InvalidRequest(`${name} is required`);
  return value;
}
