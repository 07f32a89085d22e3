import { and, asc, eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.ts';
import { newId } from '../ids.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../identity/passwords.ts';
import { companies, memberships, people, PLANS, ROLES, type Plan, type Role } from './schema.ts';

/** A rule about tenants or people was broken by the caller's input; the message is safe to show. */
export class TenancyInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'TenancyInputError';
  }
}

export type Company = typeof companies.$inferSelect;
export type Person = Omit<typeof people.$inferSelect, 'passwordHash'>;
export interface CompanyMembership {
  company: Company;
  role: Role;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parsePlan(value: string): Plan {
  const plan = value.trim().toLowerCase();
  if (!(PLANS as readonly string[]).includes(plan)) throw new TenancyInputError('plan', `Unknown plan "${value}"; use one of ${PLANS.join(', ')}`);
  return plan as Plan;
}

export function parseRole(value: string): Role {
  const role = value.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) throw new TenancyInputError('role', `Unknown role "${value}"; use one of ${ROLES.join(', ')}`);
  return role as Role;
}

function requireName(field: string, value: string, max = 200): string {
  const name = value.trim();
  if (name === '') throw new TenancyInputError(field, `${field} must not be empty`);
  if (name.length > max) throw new TenancyInputError(field, `${field} must be at most ${max} characters`);
  return name;
}

export function normaliseEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new TenancyInputError('email', `"${value}" is not an email address`);
  return email;
}

export async function createCompany(orm: Orm, input: { name: string; plan: string }): Promise<Company> {
  const [company] = await orm
    .insert(companies)
    .values({ id: newId(), name: requireName('name', input.name), plan: parsePlan(input.plan) })
    .returning();
  return company!;
}

export async function findCompany(orm: Orm, id: string): Promise<Company | null> {
  const [company] = await orm.select().from(companies).where(eq(companies.id, id));
  return company ?? null;
}

export async function listCompanies(orm: Orm): Promise<Company[]> {
  return orm.select().from(companies).orderBy(asc(companies.createdAt), asc(companies.id));
}

export async function setCompanyPlan(orm: Orm, id: string, plan: string): Promise<Company | null> {
  const [company] = await orm
    .update(companies)
    .set({ plan: parsePlan(plan), updatedAt: sql`now()` })
    .where(eq(companies.id, id))
    .returning();
  return company ?? null;
}

const personColumns = { id: people.id, email: people.email, name: people.name, createdAt: people.createdAt, updatedAt: people.updatedAt };

export async function findPersonByEmail(orm: Orm, email: string): Promise<(Person & { passwordHash: string }) | null> {
  const [person] = await orm.select().from(people).where(sql`lower(${people.email}) = ${email.trim().toLowerCase()}`);
  return person ?? null;
}

export async function findPerson(orm: Orm, id: string): Promise<Person | null> {
  const [person] = await orm.select(personColumns).from(people).where(eq(people.id, id));
  return person ?? null;
}

export async function createPerson(orm: Orm, input: { email: string; password: string; name: string }): Promise<Person> {
  const email = normaliseEmail(input.email);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new TenancyInputError('password', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const name = requireName('name', input.name);
  if (await findPersonByEmail(orm, email)) throw new TenancyInputError('email', `A person with the email ${email} already exists`);
  const [person] = await orm
    .insert(people)
    .values({ id: newId(), email, name, passwordHash: await hashPassword(input.password) })
    .returning(personColumns);
  return person!;
}

export async function setPassword(orm: Orm, personId: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new TenancyInputError('password', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  await orm.update(people).set({ passwordHash: await hashPassword(password), updatedAt: sql`now()` }).where(eq(people.id, personId));
}

/** Adds the person to the company, or changes their role if they are already a member. */
export async function addMembership(orm: Orm, input: { companyId: string; personId: string; role: string }): Promise<void> {
  const role = parseRole(input.role);
  if (!(await findCompany(orm, input.companyId))) throw new TenancyInputError('company', `No company with id ${input.companyId}`);
  await orm
    .insert(memberships)
    .values({ companyId: input.companyId, personId: input.personId, role })
    .onConflictDoUpdate({ target: [memberships.companyId, memberships.personId], set: { role } });
}

export async function companiesOf(orm: Orm, personId: string): Promise<CompanyMembership[]> {
  const rows = await orm
    .select({ company: companies, role: memberships.role })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(eq(memberships.personId, personId))
    .orderBy(asc(companies.name), asc(companies.id));
  return rows;
}

/** The person's role in the company, or null when they are not a member: the gate for company-scoped access. */
export async function roleIn(orm: Orm, personId: string, companyId: string): Promise<Role | null> {
  const [row] = await orm
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.personId, personId), eq(memberships.companyId, companyId)));
  return row?.role ?? null;
}

export interface PersonWithMemberships extends Person {
  memberships: { companyId: string; companyName: string; role: Role }[];
}

/**
 * People with their memberships, for operators (`opsbase user list`); with `companyId`, only that
 * company's members and only that membership. Password hashes are never selected.
 */
export async function listPeople(orm: Orm, filter: { companyId?: string } = {}): Promise<PersonWithMemberships[]> {
  const base = orm
    .select({ person: personColumns, companyId: memberships.companyId, companyName: companies.name, role: memberships.role })
    .from(people);
  const rows = filter.companyId
    ? await base
        .innerJoin(memberships, and(eq(memberships.personId, people.id), eq(memberships.companyId, filter.companyId)))
        .innerJoin(companies, eq(companies.id, memberships.companyId))
        .orderBy(asc(people.email), asc(companies.name), asc(companies.id))
    : await base
        .leftJoin(memberships, eq(memberships.personId, people.id))
        .leftJoin(companies, eq(companies.id, memberships.companyId))
        .orderBy(asc(people.email), asc(companies.name), asc(companies.id));
  const byId = new Map<string, PersonWithMemberships>();
  for (const row of rows) {
    const person = byId.get(row.person.id) ?? { ...row.person, memberships: [] };
    byId.set(person.id, person);
    if (row.companyId && row.companyName !== null && row.role) person.memberships.push({ companyId: row.companyId, companyName: row.companyName, role: row.role });
  }
  return [...byId.values()];
}

/** Roles that manage a company's connections (connected apps, webhooks): the rest of its members only use them. */
export const MANAGER_ROLES: readonly Role[] = ['owner', 'admin'];

/** The company, when the person manages it; null for a plain member, an outsider or an unknown id alike. */
export async function companyManagedBy(orm: Orm, personId: string, companyId: string): Promise<Company | null> {
  const role = await roleIn(orm, personId, companyId);
  return role && MANAGER_ROLES.includes(role) ? findCompany(orm, companyId) : null;
}

export async function companiesManagedBy(orm: Orm, personId: string): Promise<Company[]> {
  return (await companiesOf(orm, personId)).filter((m) => MANAGER_ROLES.includes(m.role)).map((m) => m.company);
}
