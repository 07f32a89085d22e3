import type { AppContext } from '../../platform/context.ts';
import { issueApiToken } from '../../platform/credentials/api-tokens.ts';
import type { DemoWorkspace } from '../../platform/demo/demo.ts';
import { addGroupMember, createGroup, gidOf } from '../../platform/tenancy/groups.ts';
import { CLEVERTIM_TOKEN_API } from './auth.ts';
import type { Caller, Db } from './records/caller.ts';
import { caseResource, commentResource, companyResource, contactResource, customFieldResource, folderResource, noteResource, opportunityResource, recordStore, taskResource } from './records/resources.ts';
import type { ResourceSpec } from './records/resource.ts';
import { ensureUserId } from './records/users.ts';

/**
 * Clevertim's part of the demo workspace: the demo plumbing company's CRM — the builders, landlords and
 * suppliers it works with, their people, a case, two deals, tasks, notes and a comment, and two custom
 * fields, two groups and an opportunity only the Office group sees. Made through the record store as the demo owner, in one transaction, so it obeys every rule
 * a client's data does.
 */
export async function seedClevertimDemo(ctx: AppContext, demo: DemoWorkspace): Promise<void> {
  const userId = await ensureUserId(ctx.db.orm, demo.company.id, demo.owner.id);
  // Two groups of the company's people (platform groups, Clevertim's /group); the owner runs the office.
  const office = await createGroup(ctx.db.orm, demo.company.id, { name: 'Office' });
  await createGroup(ctx.db.orm, demo.company.id, { name: 'Field engineers' });
  await addGroupMember(ctx.db.orm, demo.company.id, office.id, demo.owner.id);
  const caller: Caller = { companyId: demo.company.id, companyName: demo.company.name, personId: demo.owner.id, role: 'owner', userId, groupMask: gidOf(office.bit) };
  await ctx.db.orm.transaction(async (tx) => {
    const add = async (spec: ResourceSpec, body: Record<string, unknown>) => (await recordStore.create(tx as Db, spec, caller, body)).id as number;

    const source = await add(customFieldResource, { name: 'Lead source', elemType: 'select', modelType: ['customers', 'companies'], values: ['Website', 'Referral', 'Trade show'] });
    const serviceDue = await add(customFieldResource, { name: 'Next service due', elemType: 'date', modelType: ['customers'] });

    const hartley = await add(companyResource, {
      cn: 'Hartley Builders Ltd',
      ctype: 'R',
      phones: [{ type: 'Work', no: '+1 512 555 0140' }],
      email: ['office@hartley-builders.example'],
      website: ['https://hartley-builders.example'],
      address: '220 Mill Road',
      city: 'Austin',
      region: 'US-TX',
      country: 'US',
      tags: ['builder', 'partner'],
      cf: { [source]: 'Trade show' },
    });
    const riverside = await add(companyResource, { cn: 'Riverside Property Management', ctype: 'C', phones: [{ type: 'Work', no: '+1 512 555 0177' }], city: 'Austin', region: 'US-TX', country: 'US', tags: ['landlord'], cf: { [source]: 'Referral' } });
    const northgate = await add(companyResource, { cn: 'Northgate Plumbing Supplies', ctype: 'S', website: ['https://northgate-supplies.example'], city: 'Round Rock', region: 'US-TX', country: 'US', tags: ['supplier'] });

    const sarah = await add(contactResource, { fn: 'Sarah', ln: 'Hartley', title: 'Managing Director', companyId: hartley, email: ['sarah@hartley-builders.example'], phones: [{ type: 'Mobile', no: '+1 512 555 0141' }], ctype: 'R', cf: { [source]: 'Trade show' } });
    const tom = await add(contactResource, { fn: 'Tom', ln: 'Becker', title: 'Facilities Manager', companyId: riverside, email: ['tom.becker@riverside-pm.example'], phones: [{ type: 'Work', no: '+1 512 555 0178' }], ctype: 'C', cf: { [serviceDue]: '2026-09-01' } });
    const priya = await add(contactResource, { fn: 'Priya', ln: 'Nair', email: ['priya.nair@example.com'], phones: [{ type: 'Home', no: '+1 512 555 0199' }], address: '14 Elm Street', city: 'Austin', region: 'US-TX', country: 'US', ctype: 'P', tags: ['homeowner'], cf: { [source]: 'Website' } });
    const luis = await add(contactResource, { fn: 'Luis', ln: 'Ortega', title: 'Trade counter', companyId: northgate, phones: [{ type: 'Work', no: '+1 512 555 0123' }], ctype: 'S' });

    const pressure = await add(caseResource, { name: 'Low water pressure at 14 Elm Street', description: 'Pressure drops when two taps run. Suspect a partly closed stop valve or scale in the main.', cust: priya, leadUser: userId, tags: ['diagnosis'] });
    const refit = await add(opportunityResource, { name: 'Bathroom refits for the Riverside flats', description: 'Six bathrooms, phased over the summer.', cust: riverside, value: '18500', currency: 'USD', status: 'Open', leadUser: userId });
    const contract = await add(opportunityResource, { name: 'Annual maintenance contract', cust: hartley, value: '4800', currency: 'USD', status: 'Won' });
    // Only the office (and owners and admins) sees what the supplier charges us.
    await add(opportunityResource, { name: 'Supplier discount renegotiation', description: 'Northgate offered 12% off valves for a two-year commitment.', cust: northgate, value: '2200', currency: 'USD', status: 'Open', gid: gidOf(office.bit) });

    await add(taskResource, { name: 'Call Priya with the pressure test results', atype: 'Call', cust: priya, case: pressure, startDate: { y: 2026, mo: 6, d: 2, h: 10, mi: 0 }, aUserId: userId });
    await add(taskResource, { name: 'Send the refit quote to Tom', atype: 'Email', cust: tom, opp: refit, startDate: { y: 2026, mo: 6, d: 5 } });
    await add(taskResource, { name: 'Site visit: Riverside flats', atype: 'Meeting', location: 'Riverside Court, Austin', cust: riverside, opp: refit, startDate: { y: 2026, mo: 6, d: 9, h: 14, mi: 0 }, endDate: { y: 2026, mo: 6, d: 9, h: 15, mi: 30 } });
    await add(taskResource, { name: 'Order replacement stop valves', atype: 'TO DO', cust: luis, is_completed: true });

    const metSarah = await add(noteResource, { desc: 'Met Sarah at the home show.\nThey want a plumber for their new-build estate next spring.', cust: [sarah, hartley] });
    await add(noteResource, { desc: 'Pressure test: 2.1 bar at the kitchen tap, 1.4 bar with the shower running.', cust: priya, case: pressure });
    await add(noteResource, { desc: 'Tom wants the quote by Friday; budget is tight for the first phase.', cust: [tom, riverside], opportunity: refit });
    await add(noteResource, { desc: 'Contract signed for the year.', cust: hartley, opportunity: contract });
    await add(commentResource, { comment: 'Sent them our brochure the next day.', nid: metSarah });
    const contracts = await add(folderResource, { name: 'Contracts', parentId: null, is_dir: true });
    await add(folderResource, { name: '2026', parentId: contracts, is_dir: true });
  });
}

/** The banner's copy-paste call: a fresh API token of the demo owner (each start makes a new one; the old stops working). */
export async function clevertimBannerExample(ctx: AppContext, demo: DemoWorkspace): Promise<string> {
  const { token } = await issueApiToken(ctx.db.orm, { api: CLEVERTIM_TOKEN_API, companyId: demo.company.id, personId: demo.owner.id });
  return `curl -s -u ${token}:X ${ctx.config.publicUrl}/clevertim/api/contact`;
}
