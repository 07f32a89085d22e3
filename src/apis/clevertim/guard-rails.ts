import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.ts';
import { issueApiToken } from '../../platform/credentials/api-tokens.ts';
import { parametersByResource, type GuardRails, type GuardRailTenant } from '../../platform/guard-rails.ts';
import type { Role } from '../../platform/tenancy/schema.ts';
import { createGroup } from '../../platform/tenancy/groups.ts';
import { addMembership, createCompany, createPerson } from '../../platform/tenancy/tenancy.ts';
import { CLEVERTIM_TOKEN_API } from './auth.ts';
import type { Caller, Db } from './records/caller.ts';
import { caseResource, commentResource, companyResource, contactResource, customFieldResource, folderResource, noteResource, opportunityResource, recordStore, taskResource } from './records/resources.ts';
import type { ResourceSpec } from './records/resource.ts';
import { ensureUserId, listGroups } from './records/users.ts';

/**
 * Clevertim's fixtures for the guard-rail tests: a company with an owner and a viewer (read-only, the
 * credential that lacks canedit and candelete), and one record of every resource, linked to each other
 * as a client's would be, made through the record store, a folder and a group of the company's people.
 * Files and linked files cannot exist on this server: their paths get an id no company has, so a leak
 * would still show as a 200.
 */
const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`${token}:X`).toString('base64')}` });
const NO_SUCH_RECORD = 2_000_000_000;

export const clevertimGuardRails: GuardRails = {
  openApiDocument: '/clevertim/api/openapi.json',
  // The seed: "500 Internal Server Error: your JSON cannot be parsed".
  invalidJsonStatus: 500,
  async seedTenant(ctx: AppContext, label: string): Promise<GuardRailTenant> {
    const orm = ctx.db.orm;
    // Ids start far up the shared sequence, at a random point, so that a leaked id cannot be mistaken
    // for a small number in another field (a day, a count) when the tests look for it in an answer.
    await orm.execute(sql`SELECT setval('ct_id_seq', greatest((SELECT last_value FROM ct_id_seq), ${1_000_000_000 + crypto.randomInt(100_000_000)}))`);
    // The company's name is shown to its own members (a viewer's 403 names it); the records carry the label.
    const company = await createCompany(orm, { name: 'Guard Rails Builders', plan: 'pro' });
    const member = async (role: Role) => {
      const person = await createPerson(orm, { email: `${label}.${role}@guard-rails.example`, password: `${label} correct horse battery`, name: `${label} ${role}` });
      await addMembership(orm, { companyId: company.id, personId: person.id, role });
      const { token } = await issueApiToken(orm, { api: CLEVERTIM_TOKEN_API, companyId: company.id, personId: person.id });
      return { person, token, userId: await ensureUserId(orm, company.id, person.id) };
    };
    const owner = await member('owner');
    const viewer = await member('viewer');
    const caller: Caller = { companyId: company.id, companyName: company.name, personId: owner.person.id, role: 'owner', userId: owner.userId };
    const records = await orm.transaction(async (tx) => {
      const add = async (spec: ResourceSpec, body: Record<string, unknown>) => (await recordStore.create(tx as Db, spec, caller, body)).id as number;
      const customfield = await add(customFieldResource, { name: `${label} source`, elemType: 'input', modelType: ['customers', 'companies'] });
      const companyRecord = await add(companyResource, { cn: `${label} Ltd`, ctype: 'C', email: [`${label}@guard-rails.example`], cf: { [customfield]: `${label} fair` } });
      const contact = await add(contactResource, { fn: label, ln: 'Contact', companyId: companyRecord, phones: [{ type: 'Work', no: '+1 512 555 0141' }], cf: { [customfield]: `${label} web` } });
      const kase = await add(caseResource, { name: `${label} case`, cust: contact, leadUser: owner.userId });
      const opportunity = await add(opportunityResource, { name: `${label} deal`, cust: companyRecord, value: '98765', currency: 'USD', status: 'Open' });
      const task = await add(taskResource, { name: `${label} call back`, atype: 'Call', cust: contact, case: kase, startDate: { y: 2026, mo: 6, d: 2 } });
      const note = await add(noteResource, { desc: `${label} note`, cust: [contact, companyRecord], opportunity });
      const comment = await add(commentResource, { comment: `${label} comment`, nid: note });
      const folder = await add(folderResource, { name: `${label} contracts` });
      return { customfield, company: companyRecord, contact, case: kase, opportunity, task, note, comment, folder, user: owner.userId };
    });
    // Groups are the platform's (console, CLI); the API lists them with its own numeric ids.
    const platformGroup = await createGroup(orm, company.id, { name: `${label} crew` });
    const group = (await listGroups(orm, company.id)).find((g) => g.name === platformGroup.name)?.id;
    if (group === undefined) throw new Error('the guard-rail group is not listed by the Clevertim API');
    return {
      companyId: company.id,
      fullAccess: basic(owner.token),
      // Viewers read everything their company shares; what they lack is canedit and candelete.
      lacking: async ({ method }) => (method === 'GET' ? null : basic(viewer.token)),
      pathParameters: (path) => parametersByResource(path, { ...records, group, file: NO_SUCH_RECORD, linkedfile: NO_SUCH_RECORD }),
      sampleBody({ method, path }) {
        const resource = path.split('/').filter(Boolean)[0];
        const samples: Record<string, Record<string, unknown>> = {
          contact: { fn: `${label} New`, ln: 'Person' },
          company: { cn: `${label} New Co` },
          case: { name: `${label} new case` },
          opportunity: { name: `${label} new deal` },
          task: { name: `${label} new task` },
          note: { desc: `${label} new note`, cust: records.contact },
          comment: { comment: `${label} new comment`, nid: records.note },
          customfield: { name: `${label} new field`, elemType: 'input', modelType: ['customers'] },
          folder: { name: `${label} new folder` },
          // Nothing can be added or exist there: a rename is refused as 404 before it looks at the body.
          file: { name: `${label} renamed` },
          linkedfile: { name: `${label} renamed` },
        };
        return method === 'POST' || method === 'PUT' ? samples[resource ?? ''] : undefined;
      },
      secrets: {
        ids: [company.id, owner.person.id, viewer.person.id, viewer.userId, platformGroup.id, group, ...Object.values(records)],
        texts: [label, owner.token, viewer.token],
      },
    };
  },
};
