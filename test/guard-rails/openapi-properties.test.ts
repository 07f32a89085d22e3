import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GuardRailTenant } from '../../src/platform/guard-rails.ts';
import type { TestApp } from '../support/test-app.ts';
import { outOfRange, resolve, valid, wrongType, type Schema } from './schema-arbitrary.ts';
import { fillPath, loadDocument, mountedApis, seedTenants, send, startGuardRailsApp, type ApiDocument, type Operation, type Sent } from './support.ts';

/**
 * OpenAPI-driven property tests: for every operation of every mounted API, requests made from the
 * documented schemas (valid ones, and ones with a wrong type, a missing required field, an unknown
 * field, a value out of range or huge, a bad id, a body that is not JSON or not an object, no or a bad
 * credential) never answer 5xx, only answer statuses the operation documents, and every body validates
 * against the schema documented for its status; error bodies are therefore in the API's own dialect.
 *
 * Seeded and bounded for CI; `npm run test:fuzz` runs many more with a random seed, printed so a failure
 * can be replayed: GUARD_RAILS_SEED=<seed> [GUARD_RAILS_RUNS=<n>] [GUARD_RAILS_ONLY='<METHOD> <path>'].
 */
const FUZZ = process.env.GUARD_RAILS_FUZZ === '1';
const SEED = process.env.GUARD_RAILS_SEED ? Number(process.env.GUARD_RAILS_SEED) : FUZZ ? Math.floor(Math.random() * 2 ** 31) : 20261123;
const RUNS = Number(process.env.GUARD_RAILS_RUNS ?? (FUZZ ? 400 : 100));
const ONLY = process.env.GUARD_RAILS_ONLY;
console.log(`# guard rails: OpenAPI properties with seed ${SEED}, ${RUNS} runs per operation${ONLY ? `, only ${ONLY}` : ''}`);

const { covered } = mountedApis();
let t: TestApp;
before(async () => {
  ({ t } = await startGuardRailsApp());
});
after(() => t.close());

const BAD_IDS = ['0', '-1', 'abc', '1.5', 'null', '99999999999999999999999', "1' OR '1'='1", 'x'.repeat(3000), '%00', 'ü'];
const BAD_JSON = ['{', '{"a":', '[1,2', 'nope', '{"a":1}}', '\u0000', '{"__proto__":'];
const NOT_OBJECTS: unknown[] = [[], [{}], 'text', 42, true, null];

interface Case extends Sent {
  /** What kind of input this is, for the report and the failure message. */
  kind: string;
  badJson?: boolean;
}

/** Every request this test may send for one operation, valid or mutated. */
function requests(op: Operation, doc: ApiDocument, tenant: GuardRailTenant): fc.Arbitrary<Case> {
  const document = doc.document;
  const parameters: Schema[] = op.spec.parameters ?? [];
  const inPath = parameters.filter((p) => p.in === 'path');
  const inQuery = parameters.filter((p) => p.in === 'query');
  const inHeader = parameters.filter((p) => p.in === 'header');
  const own = tenant.pathParameters(op.path);
  const ownValues = own && !('notTenantData' in own) ? own : {};
  const bodySchema: Schema | undefined = op.spec.requestBody?.content?.['application/json']?.schema;
  const body = bodySchema ? resolve(bodySchema, document) : undefined;
  const bodyKeys = Object.keys(body?.properties ?? {});
  const required: string[] = (body?.required ?? []).filter((k: string) => bodyKeys.includes(k));

  const pathValues = fc.record(
    Object.fromEntries(
      inPath.map((p) => [
        p.name,
        ownValues[p.name] !== undefined
          ? fc.oneof({ weight: 3, arbitrary: fc.constant(ownValues[p.name]!) }, { weight: 1, arbitrary: valid(p.schema ?? {}, document).map(String) })
          : valid(p.schema ?? {}, document).map(String),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const queryValues = fc.record(Object.fromEntries(inQuery.map((p) => [p.name, valid(p.schema ?? {}, document).map(String)])), {
    requiredKeys: inQuery.filter((p) => p.required).map((p) => p.name),
  }) as fc.Arbitrary<Record<string, string>>;
  const headerValues = fc.record(Object.fromEntries(inHeader.map((p) => [p.name.toLowerCase(), valid(p.schema ?? {}, document).map(String)])), {
    requiredKeys: inHeader.filter((p) => p.required).map((p) => p.name.toLowerCase()),
  }) as fc.Arbitrary<Record<string, string>>;
  const validBody = body ? valid(body, document) : fc.constant(undefined);

  const build = (kind: string, path: Record<string, string>, query: Record<string, string>, headers: Record<string, string>, payload: { body?: unknown; raw?: string }, auth = tenant.fullAccess): Case => {
    const search = new URLSearchParams(query).toString();
    return { kind, method: op.method, url: `${doc.basePath}${fillPath(op.path, path)}${search ? `?${search}` : ''}`, headers: { ...headers, ...auth }, ...payload, badJson: kind === 'bad JSON' };
  };
  const base = fc.record({ path: pathValues, query: queryValues, headers: headerValues, body: validBody });
  const cases: fc.Arbitrary<Case>[] = [
    base.map((r) => build('valid', r.path, r.query, r.headers, { body: r.body })),
    fc.tuple(base, fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer not-a-token' }, { authorization: 'Basic bm90LWEtdG9rZW46WA==' }, { authorization: 'x'.repeat(9000) })).map(([r, auth]) =>
      build('no or a bad credential', r.path, r.query, r.headers, { body: r.body }, auth),
    ),
    fc.tuple(base, fc.constantFrom('zz_unknown', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 1 })).map(([r, key, value]) => build('unknown query parameter', r.path, { ...r.query, [key]: typeof value === 'string' ? value : JSON.stringify(value) }, r.headers, { body: r.body })),
  ];
  if (inPath.length > 0) {
    cases.push(fc.tuple(base, fc.constantFrom(...inPath.map((p) => p.name)), fc.constantFrom(...BAD_IDS)).map(([r, name, id]) => build('bad id', { ...r.path, [name]: id }, r.query, r.headers, { body: r.body })));
  }
  if (inQuery.length > 0) {
    cases.push(
      fc.tuple(base, fc.constantFrom(...inQuery)).chain(([r, p]) =>
        fc.oneof(wrongType(p.schema ?? {}, document), outOfRange(p.schema ?? {}, document)).map((value) => build(`bad query ${p.name}`, r.path, { ...r.query, [p.name]: typeof value === 'string' ? value : JSON.stringify(value) }, r.headers, { body: r.body })),
      ),
    );
  }
  if (inHeader.length > 0) {
    cases.push(
      fc.tuple(base, fc.constantFrom(...inHeader)).chain(([r, p]) =>
        fc.constantFrom('', ' ', 'x'.repeat(5000), 'ünïcode', '\t').map((value) => build(`bad header ${p.name}`, r.path, r.query, { ...r.headers, [p.name.toLowerCase()]: value }, { body: r.body })),
      ),
    );
  }
  if (body) {
    const withBody = (kind: string, r: { path: Record<string, string>; query: Record<string, string>; headers: Record<string, string> }, payload: { body?: unknown; raw?: string }) => build(kind, r.path, r.query, r.headers, payload);
    cases.push(fc.tuple(base, fc.constantFrom(...BAD_JSON)).map(([r, raw]) => withBody('bad JSON', r, { raw })));
    cases.push(fc.tuple(base, fc.constantFrom(...NOT_OBJECTS)).map(([r, value]) => withBody('a body that is not an object', r, { raw: JSON.stringify(value) })));
    cases.push(fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([r, key, value]) => withBody('unknown field', r, { body: { ...(r.body as object), [`zz_${key}`]: value } })));
    if (bodyKeys.length > 0) {
      cases.push(
        fc.tuple(base, fc.constantFrom(...bodyKeys)).chain(([r, key]) =>
          fc.oneof(wrongType(body.properties[key], document), outOfRange(body.properties[key], document)).map((value) => withBody(`bad field ${key}`, r, { body: { ...(r.body as object), [key]: value } })),
        ),
      );
    }
    if (required.length > 0) {
      cases.push(
        fc.tuple(base, fc.constantFrom(...required)).map(([r, key]) => {
          const { [key]: _missing, ...rest } = r.body as Record<string, unknown>;
          return withBody(`missing required ${key}`, r, { body: rest });
        }),
      );
    }
  }
  return fc.oneof(...cases);
}

/** Long generated strings shown by their start and length. */
const short = (text: string) => (text.length > 160 ? `${text.slice(0, 120)}…(${text.length} chars)` : text);

/** Deletes last, so the other operations still find the tenant's records. */
const order = (op: Operation) => (op.method === 'DELETE' ? 1 : 0);
const tried = new Map<string, number>();

for (const { api, guardRails } of covered) {
  describe(`${api.title}: every operation answers documented statuses with documented bodies, for any input`, () => {
    let doc: ApiDocument;
    let tenant: GuardRailTenant;
    before(async () => {
      doc = await loadDocument(t, guardRails);
      ({ a: tenant } = await seedTenants(t, guardRails));
    });

    test('every operation, valid and mutated inputs', async () => {
      const failures: string[] = [];
      const invalidJsonStatus = guardRails.invalidJsonStatus ?? 400;
      for (const op of [...doc.operations].sort((x, y) => order(x) - order(y))) {
        if (ONLY && op.name !== ONLY) continue;
        const property = fc.asyncProperty(requests(op, doc, tenant), async (request) => {
          tried.set(api.name, (tried.get(api.name) ?? 0) + 1);
          const res = await send(t, request);
          const problems: string[] = [];
          const documentedServerError = request.badJson && res.statusCode === invalidJsonStatus;
          if (res.statusCode >= 500 && !documentedServerError) problems.push(`answered ${res.statusCode}`);
          if (request.badJson && res.statusCode !== invalidJsonStatus) problems.push(`a body that is not JSON answered ${res.statusCode}, not the documented ${invalidJsonStatus}`);
          problems.push(...doc.validator.check(op, res.statusCode, res.body, res.headers['content-type'] as string | undefined));
          if (problems.length > 0) {
            const shown = { method: request.method, url: request.url, raw: request.raw, body: request.body };
            throw new Error(`${problems.map(short).join('; ')}\n  request (${request.kind}): ${JSON.stringify(shown, (_key, value) => (typeof value === 'string' ? short(value) : value))}\n  answer: ${res.statusCode} ${short(res.body)}`);
          }
        });
        const result = await fc.check(property, { seed: SEED, numRuns: RUNS });
        if (result.failed) {
          const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
          failures.push(`${op.name} (seed ${result.seed}, path "${result.counterexamplePath}", shrunk ${result.numShrinks} times): ${error}`);
        }
      }
      assert.deepEqual(failures, [], `replay with GUARD_RAILS_SEED=${SEED}`);
    });
  });
}

after(() => {
  console.log(`# guard rails: requests tried ${JSON.stringify(Object.fromEntries(tried))}`);
});
