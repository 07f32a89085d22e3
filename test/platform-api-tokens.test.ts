import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { apiTokens } from '../src/platform/credentials/schema.ts';
import { ApiTokenInputError, apiTokenStatus, issueApiToken, revokeApiToken, verifyApiToken } from '../src/platform/credentials/api-tokens.ts';
import { sha256 } from '../src/platform/ids.ts';
import { memberships } from '../src/platform/tenancy/schema.ts';
import { addMembership, createCompany, createPerson, type Company, type Person } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Personal API tokens, the platform credential Clevertim (and later BlueRequests) authenticate with:
 * one per person, company and API; only its SHA-256 is kept; a new one ends the old one at once; the
 * person's live membership decides.
 */
let t: TestApp;
let company: Company;
let other: Company;
let person: Person;
before(async () => {
  t = await startTestApp();
  company = await createCompany(t.ctx.db.orm, { name: 'Token Co', plan: 'starter' });
  other = await createCompany(t.ctx.db.orm, { name: 'Other Co', plan: 'starter' });
  person = await createPerson(t.ctx.db.orm, { email: 'holder@tokens.test', password: 'correct horse battery staple', name: 'Hold Er' });
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: person.id, role: 'member' });
});
after(() => t.close());

const holder = (api = 'clevertim', companyId = () => company.id) => ({ api, companyId: companyId(), personId: person.id });

test('a token is letters and digits, verifies as its holder with the live role, and only its SHA-256 is stored', async () => {
  const issued = await issueApiToken(t.ctx.db.orm, holder());
  assert.match(issued.token, /^[A-Za-z0-9]{40}$/);
  assert.equal(issued.hint, issued.token.slice(-4));
  const verified = await verifyApiToken(t.ctx.db.orm, 'clevertim', issued.token);
  assert.deepEqual(
    { companyId: verified?.companyId, personId: verified?.personId, role: verified?.role, companyName: verified?.companyName, personEmail: verified?.personEmail },
    { companyId: company.id, personId: person.id, role: 'member', companyName: 'Token Co', personEmail: 'holder@tokens.test' },
  );
  const rows = await t.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.personId, person.id));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.tokenHash, sha256(issued.token));
  assert.ok(!JSON.stringify(rows).includes(issued.token), 'the token itself is stored nowhere');
});

test('issuing again replaces the token: the old one stops working at once, one row per holder', async () => {
  const first = await issueApiToken(t.ctx.db.orm, holder());
  const second = await issueApiToken(t.ctx.db.orm, holder());
  assert.notEqual(first.token, second.token);
  assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', first.token), null);
  assert.ok(await verifyApiToken(t.ctx.db.orm, 'clevertim', second.token));
  const rows = await t.ctx.db.orm.select().from(apiTokens).where(and(eq(apiTokens.personId, person.id), eq(apiTokens.api, 'clevertim')));
  assert.equal(rows.length, 1);
  assert.deepEqual(await apiTokenStatus(t.ctx.db.orm, holder()), { hint: second.hint, createdAt: rows[0]!.createdAt });
});

test('a token works only for the API it was issued for', async () => {
  const other = await issueApiToken(t.ctx.db.orm, holder('bluerequests'));
  assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', other.token), null);
  assert.ok(await verifyApiToken(t.ctx.db.orm, 'bluerequests', other.token));
  const mine = await issueApiToken(t.ctx.db.orm, holder());
  assert.ok(await verifyApiToken(t.ctx.db.orm, 'clevertim', mine.token), 'tokens of the same person for other APIs are separate');
});

test('only members get a token for a company', async () => {
  await assert.rejects(issueApiToken(t.ctx.db.orm, holder('clevertim', () => other.id)), (error: unknown) => error instanceof ApiTokenInputError && error.field === 'company');
  assert.equal(await apiTokenStatus(t.ctx.db.orm, holder('clevertim', () => other.id)), null);
});

test('a changed role applies to the next request; an ended membership ends the token', async () => {
  const issued = await issueApiToken(t.ctx.db.orm, holder());
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: person.id, role: 'viewer' });
  assert.equal((await verifyApiToken(t.ctx.db.orm, 'clevertim', issued.token))?.role, 'viewer');
  await t.ctx.db.orm.delete(memberships).where(and(eq(memberships.companyId, company.id), eq(memberships.personId, person.id)));
  assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', issued.token), null);
  assert.equal(await apiTokenStatus(t.ctx.db.orm, holder()), null, 'the token row went with the membership');
  await addMembership(t.ctx.db.orm, { companyId: company.id, personId: person.id, role: 'member' });
  assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', issued.token), null, 'rejoining does not bring the old token back');
});

test('revoking removes the token; strings that cannot be a token are refused', async () => {
  const issued = await issueApiToken(t.ctx.db.orm, holder());
  assert.equal(await revokeApiToken(t.ctx.db.orm, holder()), true);
  assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', issued.token), null);
  assert.equal(await revokeApiToken(t.ctx.db.orm, holder()), false);
  for (const token of ['', 'short', 'has spaces in it and is long', 'x'.repeat(201), 'ünïcödé-tokens-are-not-ours']) {
    assert.equal(await verifyApiToken(t.ctx.db.orm, 'clevertim', token), null, JSON.stringify(token));
  }
});
