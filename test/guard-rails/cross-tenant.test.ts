import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { GuardRailTenant } from '../../src/platform/guard-rails.ts';
import type { TestApp } from '../support/test-app.ts';
import { fillPath, leakedSecrets, loadDocument, mountedApis, seedTenants, send, startGuardRailsApp, type ApiDocument, type Operation, type RegisteredRoute, type Sent } from './support.ts';

/**
 * The cross-tenant matrix, made from every mounted API's OpenAPI document and registered routes: company
 * A holds one record of each resource; every read, list, change and delete sent with company B's
 * credential, or with a credential of A that lacks the operation's scope or permission, answers 404 or
 * 403 in the API's dialect (a list answers without A's rows), and no answer carries a byte of A's data
 * (its record ids and labelled texts). Idempotency keys and webhooks are operations like the others,
 * plus a replay of A's key by B. An operation the fixtures cannot cover fails the test.
 */
const { covered, uncovered } = mountedApis();
let t: TestApp;
let routes: Map<string, RegisteredRoute[]>;
before(async () => {
  ({ t, routes } = await startGuardRailsApp());
});
after(() => t.close());

test('every mounted API gives the guard rails its fixtures', () => {
  assert.deepEqual(uncovered, [], 'mounted APIs without ApiModule.guardRails (src/platform/guard-rails.ts)');
  assert.ok(covered.length >= 2);
});

const REFUSED = [403, 404];
const isCollection = (path: string) => !/\{[^}]+\}/.test(path);
/** Deletes last, so every other operation still finds A's records. */
const order = (op: Operation) => (op.method === 'DELETE' ? 1 : 0);

for (const { api, guardRails } of covered) {
  describe(`${api.title}: company B and A's lacking credentials reach none of A's data`, () => {
    let doc: ApiDocument;
    let a: GuardRailTenant;
    let b: GuardRailTenant;
    const before_: Record<string, string> = {};

    before(async () => {
      doc = await loadDocument(t, guardRails);
      ({ a, b } = await seedTenants(t, guardRails));
      // What A's records look like to A, to find any change made by the others' requests.
      for (const op of doc.operations.filter((o) => o.method === 'GET')) {
        const parameters = a.pathParameters(op.path);
        if (!parameters || 'notTenantData' in parameters) continue;
        before_[op.name] = (await send(t, { method: 'GET', url: doc.basePath + fillPath(op.path, parameters), headers: a.fullAccess })).body;
      }
    });

    /**
     * One request, checked: the status is one of `allowed`, documented for the operation with a body in
     * the API's dialect (its documented schema), and the body holds none of A's secrets.
     */
    async function expectRefused(failures: string[], who: string, request: Sent, allowed: (status: number) => boolean, expected: string, op?: Operation) {
      const res = await send(t, request);
      const leaks = leakedSecrets(a.secrets, res.body, request);
      if (op) for (const problem of doc.validator.check(op, res.statusCode, res.body, res.headers['content-type'] as string | undefined)) failures.push(`${who}: ${problem}`);
      if (!allowed(res.statusCode)) failures.push(`${who} ${request.method} ${request.url}: ${res.statusCode} (expected ${expected}) ${res.body.slice(0, 200)}`);
      if (leaks.length > 0) failures.push(`${who} ${request.method} ${request.url}: the answer carries A's ${leaks.join(', ')}`);
      return res;
    }

    test('every documented operation, with B’s credential and with A’s credential lacking its scope or permission', async (tc) => {
      const failures: string[] = [];
      const covering: string[] = [];
      for (const op of [...doc.operations].sort((x, y) => order(x) - order(y))) {
        const parameters = a.pathParameters(op.path);
        if (parameters === undefined) {
          failures.push(`${op.name}: the fixtures name no record for its path parameters; this operation is not covered`);
          continue;
        }
        if ('notTenantData' in parameters) {
          covering.push(`${op.name}: not tenant data (${parameters.notTenantData})`);
          continue;
        }
        const url = doc.basePath + fillPath(op.path, parameters);
        const hasBody = Boolean(op.spec.requestBody);
        const body = hasBody ? a.sampleBody(op) : undefined;
        if (hasBody && body === undefined) {
          failures.push(`${op.name}: the fixtures have no sample body for it; this operation is not covered`);
          continue;
        }
        const lacking = await a.lacking(op);
        const asB: Sent = { method: op.method, url, headers: b.fullAccess, body };
        const asLacking: Sent | null = lacking ? { method: op.method, url, headers: lacking, body } : null;
        if (isCollection(op.path) && op.method === 'GET') {
          // A list: B's own rows only; A's lacking credential is refused or sees nothing of A.
          await expectRefused(failures, 'B', asB, (s) => s === 200, '200 without A’s rows', op);
          if (asLacking) await expectRefused(failures, 'A-lacking', asLacking, (s) => REFUSED.includes(s) || s === 200, '403/404 or a list without A’s rows', op);
          covering.push(`${op.name}: list`);
        } else if (isCollection(op.path)) {
          // A create: it lands in the caller's own company; one naming A's records must be refused.
          // Otherwise B sends its own body: what B legitimately makes must not look like A's data in B's lists.
          const namesA = leakedSecrets({ ids: a.secrets.ids, texts: [] }, JSON.stringify(body ?? null), { method: op.method, url: '' }).length > 0;
          const asCreator = namesA ? asB : { ...asB, body: b.sampleBody(op) };
          await expectRefused(failures, 'B', asCreator, (s) => (namesA ? s >= 400 && s < 500 : s < 500), namesA ? '4xx: the body names A’s records' : 'not 5xx', op);
          if (asLacking) await expectRefused(failures, 'A-lacking', asLacking, (s) => REFUSED.includes(s), '403/404', op);
          covering.push(`${op.name}: create${namesA ? ' naming A’s records' : ''}`);
        } else {
          await expectRefused(failures, 'B', asB, (s) => REFUSED.includes(s), '403/404', op);
          if (asLacking) await expectRefused(failures, 'A-lacking', asLacking, (s) => REFUSED.includes(s), '403/404', op);
          covering.push(`${op.name}: one of A’s records`);
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(covering.length === doc.operations.length, 'every operation was covered');
      tc.diagnostic(`${covering.length} operations: ${covering.join('; ')}`);
    });

    test('routes the API registers but leaves out of the document (aliases, 501 answers, pages) give B nothing of A either', async (tc) => {
      const documented = new Set(doc.operations.map((op) => op.name));
      const failures: string[] = [];
      let checked = 0;
      for (const route of routes.get(api.name) ?? []) {
        const inBase = route.url === doc.basePath || route.url.startsWith(`${doc.basePath}/`);
        const path = (inBase ? route.url.slice(doc.basePath.length) || '/' : route.url).replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*/g, 'x');
        if (inBase && documented.has(`${route.method} ${path}`)) continue;
        const namesRecord = /\{/.test(path);
        const parameters = a.pathParameters(path);
        const filled = parameters && !('notTenantData' in parameters) ? parameters : undefined;
        if (namesRecord && !filled) {
          // Under the documented base every route is the API's own: the fixtures must reach it. Outside it
          // (console pages, OAuth endpoints) only the routes they can fill are tried.
          if (inBase) failures.push(`${route.method} ${route.url}: undocumented, and the fixtures name no record for it`);
          continue;
        }
        if (!inBase && !namesRecord) continue;
        const url = (inBase ? doc.basePath : '') + fillPath(path, filled ?? {});
        const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? (a.sampleBody({ method: route.method, path }) ?? {}) : undefined;
        await expectRefused(failures, 'B', { method: route.method, url, headers: b.fullAccess, body }, (s) => !namesRecord || s < 200 || s >= 300, 'no 2xx for A’s record');
        checked++;
      }
      assert.deepEqual(failures, []);
      assert.ok(checked > 0, 'some undocumented route was tried');
      tc.diagnostic(`${checked} undocumented routes tried`);
    });

    test('after B’s and the lacking credentials’ requests, A’s records are as they were', async () => {
      const changed: string[] = [];
      for (const [name, body] of Object.entries(before_)) {
        const op = doc.operations.find((o) => o.name === name)!;
        const parameters = a.pathParameters(op.path) as Record<string, string>;
        const now = await send(t, { method: 'GET', url: doc.basePath + fillPath(op.path, parameters), headers: a.fullAccess });
        if (now.body !== body) changed.push(`${name}: ${body.slice(0, 150)} → ${now.body.slice(0, 150)}`);
      }
      assert.ok(Object.keys(before_).length > 0);
      assert.deepEqual(changed, []);
    });
    test('an Idempotency-Key used by A and replayed by B does not answer A’s response', async () => {
      const keyed = doc.operations.filter((op) => (op.spec.parameters ?? []).some((p: any) => p.in === 'header' && /^idempotency-key$/i.test(p.name)));
      const failures: string[] = [];
      for (const op of keyed) {
        const parameters = a.pathParameters(op.path);
        const body = a.sampleBody(op);
        if (!parameters || 'notTenantData' in parameters || body === undefined) {
          failures.push(`${op.name}: takes an Idempotency-Key but the fixtures cannot call it`);
          continue;
        }
        const key = `guard-rails-${crypto.randomUUID()}`;
        const url = doc.basePath + fillPath(op.path, parameters);
        const first = await send(t, { method: op.method, url, headers: { ...a.fullAccess, 'idempotency-key': key }, body });
        if (first.statusCode >= 300) {
          failures.push(`${op.name}: A's own request answered ${first.statusCode} ${first.body.slice(0, 200)}`);
          continue;
        }
        const replayByA = await send(t, { method: op.method, url, headers: { ...a.fullAccess, 'idempotency-key': key }, body });
        if (replayByA.headers['idempotent-replayed'] !== 'true') failures.push(`${op.name}: A's own replay was not replayed (the check would prove nothing)`);
        const created = { ...a.secrets, ids: collectIds(first.json()) };
        const request: Sent = { method: op.method, url, headers: { ...b.fullAccess, 'idempotency-key': key }, body };
        const byB = await send(t, request);
        if (byB.headers['idempotent-replayed']) failures.push(`${op.name}: B's request with A's key was answered as a replay`);
        if (byB.body === first.body) failures.push(`${op.name}: B got A's response byte for byte`);
        const leaks = leakedSecrets({ ids: created.ids, texts: [] }, byB.body, { ...request, body: undefined });
        if (leaks.length > 0) failures.push(`${op.name}: B's answer carries the ids of A's response ${leaks.join(', ')}`);
      }
      assert.deepEqual(failures, []);
    });

  });
}

/** Values of `id` and `…Id` fields of a JSON answer: what a replay of it would give away. */
function collectIds(value: unknown, into: (string | number)[] = []): (string | number)[] {
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if ((key === 'id' || /Id$/.test(key)) && (typeof inner === 'string' || typeof inner === 'number')) into.push(inner);
      else collectIds(inner, into);
    }
  }
  return into;
}
