import type { FastifyInstance } from 'fastify';
import type { ApiModule } from '../api-module.ts';

/**
 * An API's OpenAPI 3.1 document as a Postman Collection v2.1: one folder per tag, one request per
 * operation (`{{baseUrl}}` plus the path, path variables as `:name`, query parameters listed but switched
 * off unless required), a JSON example body built from the request schema, and the API's authentication
 * at collection level: OAuth 2.0 (authorization code with PKCE) with the document's authorize and token
 * URLs and every scope, or HTTP Basic with the user name and password as collection variables.
 *
 * Written here rather than taken from `openapi-to-postmanv2`, which brings a large dependency tree for
 * what is a short, deterministic mapping: the output is committed, so it must not change between runs.
 */

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
/** Postman's own callback page, used when it authorizes through the system browser. */
export const POSTMAN_CALLBACK_URL = 'https://oauth.pstmn.io/v1/callback';

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  examples?: unknown[];
  description?: string;
};

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> };
}

interface SecurityScheme {
  type: string;
  scheme?: string;
  description?: string;
  flows?: Record<string, { authorizationUrl?: string; tokenUrl?: string; refreshUrl?: string; scopes?: Record<string, string> }>;
}

interface KeyValue {
  key: string;
  value: string;
  description?: string;
  disabled?: boolean;
}

export interface PostmanRequestItem {
  name: string;
  request: {
    method: string;
    header: KeyValue[];
    url: { raw: string; host: string[]; path: string[]; query?: KeyValue[]; variable?: KeyValue[] };
    body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } };
    auth?: { type: 'noauth' };
    description?: string;
  };
  response: never[];
}

export interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanRequestItem[];
}

export interface PostmanCollection {
  info: { name: string; description?: string; schema: typeof POSTMAN_SCHEMA };
  auth?: { type: 'oauth2'; oauth2: (KeyValue & { type: 'string' | 'boolean' })[] } | { type: 'basic'; basic: (KeyValue & { type: 'string' })[] };
  variable: KeyValue[];
  item: (PostmanFolder | PostmanRequestItem)[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function toPostmanCollection(document: OpenApiDocument): PostmanCollection {
  const folders = new Map<string, PostmanFolder>();
  const ungrouped: PostmanRequestItem[] = [];
  for (const tag of document.tags ?? []) folders.set(tag.name, { name: tag.name, ...(tag.description ? { description: tag.description } : {}), item: [] });

  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!METHODS.includes(method)) continue;
      const item = requestItem(document, method, path, operation);
      const tag = operation.tags?.[0];
      if (!tag) {
        ungrouped.push(item);
        continue;
      }
      if (!folders.has(tag)) folders.set(tag, { name: tag, item: [] });
      folders.get(tag)!.item.push(item);
    }
  }

  const flow = authorizationCodeFlow(document);
  const basic = flow ? null : basicScheme(document);
  const auth = flow ? collectionAuth(document.info.title, flow) : basic ? basicAuth() : null;
  return {
    info: { name: document.info.title, ...(document.info.description ? { description: document.info.description } : {}), schema: POSTMAN_SCHEMA },
    ...(auth ? { auth } : {}),
    variable: [
      { key: 'baseUrl', value: document.servers?.[0]?.url ?? '', description: 'The API’s base URL; change it to your server’s.' },
      ...(flow
        ? [
            { key: 'authUrl', value: flow.authorizationUrl ?? '', description: 'The OAuth 2.0 authorization endpoint' },
            { key: 'tokenUrl', value: flow.tokenUrl ?? '', description: 'The OAuth 2.0 token endpoint (also refreshes)' },
            { key: 'clientId', value: '', description: `An app’s client_id (developer portal), with ${POSTMAN_CALLBACK_URL} as a redirect URI` },
            { key: 'clientSecret', value: '', description: 'That app’s client secret' },
            { key: 'accessToken', value: '', description: 'An access token to use as is (e.g. the start banner’s), or leave empty and use Get New Access Token' },
          ]
        : []),
      ...(basic
        ? [
            { key: 'username', value: '', description: `HTTP Basic user name. ${basic.description ?? ''}`.trim() },
            { key: 'password', value: /e\.g\.,? "([^"]+)"/.exec(basic.description ?? '')?.[1] ?? '', description: 'HTTP Basic password' },
          ]
        : []),
    ],
    item: [...[...folders.values()].filter((folder) => folder.item.length > 0), ...ungrouped],
  };
}

function requestItem(document: OpenApiDocument, method: string, path: string, operation: Operation): PostmanRequestItem {
  const parameters = operation.parameters ?? [];
  const segments = path.split('/').filter(Boolean).map((segment) => segment.replace(/^\{(.+)\}$/, ':$1'));
  const query = parameters.filter((p) => p.in === 'query').map((p) => ({ key: p.name, value: parameterValue(document, p), ...describe(p.description), disabled: !p.required }));
  const variable = parameters.filter((p) => p.in === 'path').map((p) => ({ key: p.name, value: '', ...describe(p.description) }));
  const enabledQuery = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`);
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  const header: KeyValue[] = [{ key: 'Accept', value: 'application/json' }];
  if (schema) header.push({ key: 'Content-Type', value: 'application/json' });
  for (const p of parameters.filter((p) => p.in === 'header')) {
    // An idempotency key must be new for each change: Postman's {{$guid}} makes one per send, so it is on.
    const idempotencyKey = /^idempotency-key$/i.test(p.name);
    const value = idempotencyKey ? '{{$guid}}' : parameterValue(document, p);
    header.push({ key: headerName(p.name), value, ...describe(p.description), ...(p.required || idempotencyKey ? {} : { disabled: true }) });
  }
  const scopes = operation.security?.flatMap((requirement) => Object.values(requirement).flat()) ?? [];
  const description = [operation.description, scopes.length ? `Scope: \`${scopes.join('`, `')}\`` : ''].filter(Boolean).join('\n\n');
  return {
    name: operation.summary ?? operation.operationId ?? `${method.toUpperCase()} ${path}`,
    request: {
      method: method.toUpperCase(),
      header,
      url: {
        raw: `{{baseUrl}}/${segments.join('/')}${enabledQuery.length ? `?${enabledQuery.join('&')}` : ''}`,
        host: ['{{baseUrl}}'],
        path: segments,
        ...(query.length ? { query } : {}),
        ...(variable.length ? { variable } : {}),
      },
      ...(schema ? { body: { mode: 'raw' as const, raw: JSON.stringify(exampleOf(document, schema), null, 2), options: { raw: { language: 'json' as const } } } } : {}),
      // An operation whose security is an explicit empty list needs no token.
      ...(operation.security && operation.security.length === 0 ? { auth: { type: 'noauth' as const } } : {}),
      ...(description ? { description } : {}),
    },
    response: [],
  };
}

/** `idempotency-key` (fastify lower-cases header schemas) as people write it: `Idempotency-Key`. */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());

const describe = (description: string | undefined) => (description ? { description } : {});

function parameterValue(document: OpenApiDocument, parameter: Parameter): string {
  const value = parameter.schema ? exampleOf(document, parameter.schema) : '';
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

type OAuthFlow = NonNullable<SecurityScheme['flows']>[string];

function authorizationCodeFlow(document: OpenApiDocument): OAuthFlow | null {
  const scheme = Object.values(document.components?.securitySchemes ?? {}).find((s) => s.type === 'oauth2' && s.flows?.authorizationCode);
  return scheme?.flows?.authorizationCode ?? null;
}

function basicScheme(document: OpenApiDocument): SecurityScheme | null {
  return Object.values(document.components?.securitySchemes ?? {}).find((s) => s.type === 'http' && s.scheme?.toLowerCase() === 'basic') ?? null;
}

/** Collection-level HTTP Basic from the `username` and `password` variables. */
function basicAuth(): NonNullable<PostmanCollection['auth']> {
  return {
    type: 'basic',
    basic: [
      { key: 'username', value: '{{username}}', type: 'string' },
      { key: 'password', value: '{{password}}', type: 'string' },
    ],
  };
}

/** Collection-level OAuth 2.0; the server's URLs are variables, so pointing at another server is one place. */
function collectionAuth(title: string, flow: OAuthFlow): NonNullable<PostmanCollection['auth']> {
  const entries: [string, string | boolean][] = [
    ['grant_type', 'authorization_code_with_pkce'],
    ['challengeAlgorithm', 'S256'],
    ['authUrl', '{{authUrl}}'],
    ['accessTokenUrl', '{{tokenUrl}}'],
    ['refreshTokenUrl', '{{tokenUrl}}'],
    ['clientId', '{{clientId}}'],
    ['clientSecret', '{{clientSecret}}'],
    ['scope', Object.keys(flow.scopes ?? {}).join(' ')],
    ['useBrowser', true],
    ['redirect_uri', POSTMAN_CALLBACK_URL],
    ['client_authentication', 'header'],
    ['accessToken', '{{accessToken}}'],
    ['addTokenTo', 'header'],
    ['tokenName', `${title} token`],
  ];
  return { type: 'oauth2', oauth2: entries.map(([key, value]) => ({ key, value: value as string, type: typeof value === 'boolean' ? 'boolean' : 'string' })) };
}

const MAX_DEPTH = 8;

/**
 * A value that satisfies the schema, for an example body: the schema's own example or default first,
 * then an enum's first value, an `e.g. "..."` in its description, and otherwise a neutral value by type.
 * A nullable field without an example is null (a made-up id would name no record), and left out of
 * its object when optional.
 */
export function exampleOf(document: OpenApiDocument, schema: Schema, depth = 0): unknown {
  const resolved = resolve(document, schema);
  if (depth > MAX_DEPTH) return null;
  if (resolved.examples?.length) return resolved.examples[0];
  if ('example' in resolved) return resolved.example;
  if ('default' in resolved) return resolved.default;
  if ('const' in resolved) return resolved.const;
  if (resolved.enum?.length) return resolved.enum[0];
  const choices = resolved.anyOf ?? resolved.oneOf;
  if (choices) {
    const nonNull = choices.map((choice) => resolve(document, choice)).filter((choice) => choice.type !== 'null');
    const withExample = nonNull.find((choice) => choice.examples?.length || 'example' in choice || choice.enum?.length);
    if (withExample) return exampleOf(document, withExample, depth + 1);
    if (nonNull.length < choices.length) return null;
    return nonNull[0] ? exampleOf(document, nonNull[0], depth + 1) : null;
  }
  if (resolved.allOf) return Object.assign({}, ...resolved.allOf.map((part) => exampleOf(document, part, depth + 1) as object));
  const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== 'null') : resolved.type;
  switch (type ?? (resolved.properties ? 'object' : undefined)) {
    case 'object': {
      // Optional fields with nothing better than null are left out: an example shows what to send.
      const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : []);
      return Object.fromEntries(
        Object.entries(resolved.properties ?? {})
          .map(([name, property]) => [name, exampleOf(document, property, depth + 1)] as const)
          .filter(([name, value]) => value !== null || required.has(name)),
      );
    }
    case 'array':
      return resolved.items ? [exampleOf(document, resolved.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return typeof resolved.minimum === 'number' ? resolved.minimum : 1;
    case 'boolean':
      return false;
    case 'string':
      return stringExample(resolved);
    default:
      return null;
  }
}

function stringExample(schema: Schema): string {
  const suggested = /e\.g\.,? "([^"]+)"/.exec(schema.description ?? '')?.[1];
  if (suggested) return suggested;
  switch (schema.format) {
    case 'date-time':
      return '2026-05-09T14:00:00Z';
    case 'date':
      return '2026-05-09';
    case 'email':
      return 'name@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    default:
      return 'string';
  }
}

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 10; hops++) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? document.components?.schemas?.[decodeURIComponent(name)] : undefined;
    if (!target) return {};
    current = target;
  }
  return current;
}

/** The address the committed collections name: what a fresh `npm start` serves (`{{baseUrl}}` changes it). */
export const COLLECTION_PUBLIC_URL = 'http://127.0.0.1:3000';

/** Where each API serves its document, inside its prefix (BlueClerk: `/blueclerk/api/openapi.json`). */
export const DOCUMENT_PATH = '/api/openapi.json';

/**
 * The collection file of every API that serves a document, as `npm run postman` writes them
 * (`docs/postman/<api>.postman_collection.json`). The app must be built with the public URL the
 * collection should name, so the output does not depend on where it was generated.
 */
export async function postmanCollectionFiles(app: FastifyInstance, apis: ApiModule[]): Promise<{ file: string; json: string }[]> {
  const files: { file: string; json: string }[] = [];
  for (const api of apis) {
    const res = await app.inject({ method: 'GET', url: `${api.prefix}${DOCUMENT_PATH}` });
    if (res.statusCode === 404) continue;
    if (res.statusCode !== 200) throw new Error(`${api.prefix}${DOCUMENT_PATH} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    const collection = toPostmanCollection(res.json() as OpenApiDocument);
    files.push({ file: `docs/postman/${api.name}.postman_collection.json`, json: `${JSON.stringify(collection, null, 2)}\n` });
  }
  return files;
}
