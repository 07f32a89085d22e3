import crypto from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiModule } from '../../src/platform/api-module.ts';
import type { GuardRails, GuardRailTenant, OperationRef } from '../../src/platform/guard-rails.ts';
import { apis } from '../../src/apis/index.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * What the guard-rail tests share: the mounted APIs (from src/apis/index.ts, so a new API is walked as
 * soon as it is mounted), their OpenAPI documents and operations, tenants made by each API's own
 * fixtures, one request helper, the check that finds another company's data in a body, and response
 * validation against the document.
 */
export interface MountedApi {
  api: ApiModule;
  guardRails: GuardRails;
}

/** Every mounted API; one without guard-rail fixtures is named, so the tests fail for it rather than skip it. */
export function mountedApis(): { covered: MountedApi[]; uncovered: string[] } {
  return {
    covered: apis.filter((api) => api.guardRails).map((api) => ({ api, guardRails: api.guardRails! })),
    uncovered: apis.filter((api) => !api.guardRails).map((api) => api.name),
  };
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * The whole server (webhook delivery off: the fixtures' endpoints do not exist), recording every route
 * each API registers, so operations the document leaves out can be found too.
 */
export async function startGuardRailsApp(): Promise<{ t: TestApp; routes: Map<string, RegisteredRoute[]> }> {
  const routes = new Map<string, RegisteredRoute[]>();
  const recording = apis.map((api): ApiModule => ({
    ...api,
    async register(app, ctx) {
      const list: RegisteredRoute[] = [];
      routes.set(api.name, list);
      app.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') list.push({ method, url: route.url });
      });
      await api.register(app, ctx);
    },
  }));
  const t = await startTestApp({ apis: recording, env: { WEBHOOK_WORKERS: '0' } });
  return { t, routes };
}

export interface Operation extends OperationRef {
  /** `GET /tickets/{id}` */
  name: string;
  spec: Record<string, any>;
}

export interface ApiDocument {
  document: Record<string, any>;
  /** The server path the document's paths are relative to, e.g. `/blueclerk/api/v1`. */
  basePath: string;
  operations: Operation[];
  validator: ResponseValidator;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export async function loadDocument(t: TestApp, guardRails: GuardRails): Promise<ApiDocument> {
  const res = await t.app.inject({ method: 'GET', url: guardRails.openApiDocument });
  if (res.statusCode !== 200) throw new Error(`${guardRails.openApiDocument} answered ${res.statusCode}`);
  const document = res.json();
  const basePath = new URL(document.servers[0].url).pathname.replace(/\/$/, '');
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, spec] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      operations.push({ method: method.toUpperCase(), path, security: spec.security ?? document.security ?? [], name: `${method.toUpperCase()} ${path}`, spec });
    }
  }
  return { document, basePath, operations, validator: new ResponseValidator(document) };
}

/** Two companies of one API, each from its own fixtures, with labels no other text contains. */
export async function seedTenants(t: TestApp, guardRails: GuardRails): Promise<{ a: GuardRailTenant; b: GuardRailTenant; labelA: string }> {
  const labelA = `gra${crypto.randomBytes(5).toString('hex')}`;
  const a = await guardRails.seedTenant(t.ctx, labelA);
  const b = await guardRails.seedTenant(t.ctx, `grb${crypto.randomBytes(5).toString('hex')}`);
  return { a, b, labelA };
}

export function fillPath(path: string, parameters: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (parameters[name] === undefined) throw new Error(`no value for the path parameter ${name} of ${path}`);
    return encodeURIComponent(parameters[name]!);
  });
}

export interface Sent {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A JSON body, serialised. */
  body?: unknown;
  /** A raw body, sent as is (as application/json). */
  raw?: string;
}

export async function send(t: TestApp, request: Sent) {
  const payload = request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  return t.app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
    ...(payload !== undefined ? { payload } : {}),
  });
}

/**
 * The values of `secrets` an answer gives away: ids found as whole JSON values (anywhere in the body),
 * texts found anywhere in its bytes. What the request itself carried is not a leak (a 404 may name the
 * id it was asked for).
 */
export function leakedSecrets(secrets: GuardRailTenant['secrets'], responseBody: string, request: Sent): string[] {
  const asked = `${request.url} ${request.raw ?? JSON.stringify(request.body ?? null)}`;
  const leaked = new Set<string>();
  for (const text of secrets.texts) if (responseBody.includes(text) && !asked.includes(text)) leaked.add(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseBody);
  } catch {
    parsed = undefined;
  }
  const ids = new Set(secrets.ids.map(String).filter((id) => !asked.includes(id)));
  const visit = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      for (const inner of Object.values(value as object)) visit(inner);
      return;
    }
    if (ids.has(String(value))) leaked.add(String(value));
  };
  visit(parsed);
  return [...leaked];
}

/** Validates answers against the document's response schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
export class ResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Record<string, any>) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {}, paths: document.paths }, 'openapi');
  }

  /** The statuses the operation documents. */
  documentedStatuses(operation: Operation): string[] {
    return Object.keys(operation.spec.responses ?? {});
  }

  /** Errors of `body` against the schema documented for this status, or a sentence when nothing is documented. */
  check(operation: Operation, status: number, body: string, contentType: string | undefined): string[] {
    const response = operation.spec.responses?.[String(status)] ?? operation.spec.responses?.default;
    if (!response) return [`status ${status} is not documented for ${operation.name} (documented: ${this.documentedStatuses(operation).join(', ')})`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return body === '' ? [] : [`${operation.name} ${status} documents no body, but one came: ${body.slice(0, 200)}`];
    if (!/^application\/json/.test(contentType ?? '')) return [`${operation.name} ${status} answered ${contentType}, not JSON`];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`${operation.name} ${status} body is not JSON: ${body.slice(0, 200)}`];
    }
    const pointer = ['paths', operation.path, operation.method.toLowerCase(), 'responses', String(status) in operation.spec.responses ? String(status) : 'default', 'content', 'application/json', 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#/${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(parsed)) return [];
    return (validate.errors ?? []).map((e) => `${operation.name} ${status} body ${e.instancePath || '/'} ${e.message} (${JSON.stringify(e.params)})`);
  }
}
