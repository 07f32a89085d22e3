import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { ApiModule } from '../api-module.ts';
import { platformSettings } from './schema.ts';
import { addMembership, createCompany, createPerson, findCompany, findPerson, findPersonByEmail, type Company, type Person } from '../tenancy/tenancy.ts';

export const DEMO_OWNER_EMAIL = 'owner@demo.opsbase.test';
const DEMO_KEY = 'demo_workspace';

export interface DemoWorkspace {
  company: Company;
  owner: Person;
  /** Only known right after creation: we keep the hash, never the password. */
  password: string | null;
}

export async function findDemo(ctx: Pick<AppContext, 'db'>): Promise<DemoWorkspace | null> {
  const [row] = await ctx.db.orm.select().from(platformSettings).where(eq(platformSettings.key, DEMO_KEY));
  if (!row) return null;
  const { companyId, personId } = row.value as { companyId: string; personId: string };
  const [company, owner] = await Promise.all([findCompany(ctx.db.orm, companyId), findPerson(ctx.db.orm, personId)]);
  return company && owner ? { company, owner, password: null } : null;
}

/** Creates the demo workspace (a Starter company, its owner, and each API's demo data) unless one exists. */
export async function ensureDemo(ctx: AppContext, apis: ApiModule[]): Promise<{ demo: DemoWorkspace; created: boolean }> {
  const existing = await findDemo(ctx);
  if (existing) return { demo: existing, created: false };
  const password = crypto.randomBytes(9).toString('base64url');
  const company = await createCompany(ctx.db.orm, { name: 'Demo Plumbing Co', plan: 'starter' });
  const owner = await createPerson(ctx.db.orm, { email: await freeDemoEmail(ctx), password, name: 'Dana Demo' });
  await addMembership(ctx.db.orm, { companyId: company.id, personId: owner.id, role: 'owner' });
  const demo: DemoWorkspace = { company, owner, password };
  for (const api of apis) await api.seedDemo?.(ctx, demo);
  await ctx.db.orm
    .insert(platformSettings)
    .values({ key: DEMO_KEY, value: { companyId: company.id, personId: owner.id } })
    .onConflictDoNothing();
  return { demo, created: true };
}

// A data directory where the demo was removed by hand (its owner kept) still gets a free address.
async function freeDemoEmail(ctx: AppContext): Promise<string> {
  if (!(await findPersonByEmail(ctx.db.orm, DEMO_OWNER_EMAIL))) return DEMO_OWNER_EMAIL;
  return DEMO_OWNER_EMAIL.replace('owner@', `owner+${crypto.randomBytes(3).toString('hex')}@`);
}
