import type { AppContext } from './context.ts';

/**
 * What an API gives the guard-rail tests (`test/guard-rails/`): the cross-tenant matrix and the
 * OpenAPI-driven property tests walk every operation of every mounted API's OpenAPI document, so a new
 * API joins them by being mounted with this hook, without a copy of the tests. Nothing here runs in the
 * server; it lives in `src/` because only the API knows how to make its records and credentials.
 */
export interface GuardRails {
  /** Where the API's OpenAPI document is served, e.g. `/clevertim/api/openapi.json`. */
  openApiDocument: string;
  /**
   * Makes a company holding at least one record of every resource the API serves (and, for webhooks, a
   * subscription with deliveries), every text of it carrying `label`, so that a byte of it found in
   * another company's answer is recognisable.
   */
  seedTenant(ctx: AppContext, label: string): Promise<GuardRailTenant>;
  /** The status the API documents for a body that is not JSON (default 400; Clevertim's seed says 500). */
  invalidJsonStatus?: number;
}

/** One operation of the OpenAPI document: method in upper case, path relative to the document's server URL. */
export interface OperationRef {
  method: string;
  path: string;
  /** The operation's `security` requirements, as documented. */
  security: Record<string, string[]>[];
}

export interface GuardRailTenant {
  companyId: string;
  /** Request headers of a credential that may do everything the API offers the company. */
  fullAccess: Record<string, string>;
  /**
   * Request headers of a credential of the same company that lacks what `operation` needs (BlueClerk: a
   * token without the operation's scope; Clevertim: a viewer's token for writes), or null when every
   * credential of the company may do it (reads for Clevertim, `/me`).
   */
  lacking(operation: OperationRef): Promise<Record<string, string> | null>;
  /**
   * The path parameters that name this company's record for a path of the document (`/tickets/{id}`),
   * `{ notTenantData }` with the reason when the path names nothing a company owns, or undefined when the
   * API does not know the path (the tests then fail: a new operation cannot slip past them).
   */
  pathParameters(path: string): Record<string, string> | { notTenantData: string } | undefined;
  /** A body the API accepts for a write (`POST /tickets`), made for this company; undefined when none is known. */
  sampleBody(operation: Pick<OperationRef, 'method' | 'path'>): unknown;
  /**
   * What identifies the company's data: record ids (found as whole JSON values) and distinctive texts
   * (found anywhere in a body's bytes).
   */
  secrets: { ids: (string | number)[]; texts: string[] };
}

/**
 * The usual shape of a path: each parameter names a record of the resource written just before it
 * (`/tickets/{id}`, `/webhooks/{id}/deliveries`). Answers the parameters from `records` (resource name →
 * this company's record id) or `{ notTenantData }` for the resources listed there, else undefined.
 */
export function parametersByResource(
  path: string,
  records: Record<string, string | number>,
  notTenantData: Record<string, string> = {},
): Record<string, string> | { notTenantData: string } | undefined {
  const segments = path.split('/').filter(Boolean);
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const name = /^\{(.+)\}$/.exec(segment)?.[1] ?? /^:(.+)$/.exec(segment)?.[1];
    if (!name) continue;
    const resource = segments[index - 1];
    if (resource === undefined) return undefined;
    if (notTenantData[resource]) return { notTenantData: notTenantData[resource]! };
    const id = records[resource];
    if (id === undefined) return undefined;
    parameters[name] = String(id);
  }
  return parameters;
}
