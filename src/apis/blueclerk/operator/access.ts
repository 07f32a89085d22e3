import type { AppContext } from '../../../platform/context.ts';
import type { Role } from '../../../platform/tenancy/schema.ts';
import { findCompany, roleIn, type Company, type Person } from '../../../platform/tenancy/tenancy.ts';

/**
 * Who may do what on the contractor's side (operator API and console pages alike). Every member of a
 * company reads its records; the roles in WRITE_ROLES also change them. Today that is every role: the
 * people who run jobs day to day are often plain members, and they must be able to create a job or
 * move it along. A role added later (a read-only bookkeeper, say) reads and does not write until it
 * is listed here.
 */
export const READ_ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];
export const WRITE_ROLES: readonly Role[] = ['owner', 'admin', 'member'];

export interface ContractorAccess {
  person: Person;
  company: Company;
  role: Role;
  canWrite: boolean;
}

// Company ids are CUIDs; anything longer is nobody's id and never reaches the database.
const MAX_ID_LENGTH = 64;

/**
 * The company as this person may work on it, or null when they are not a member: then it does not
 * exist for them (404), so a stranger learns nothing, not even that the id is taken.
 */
export async function contractorAccess(ctx: AppContext, person: Person, companyId: unknown): Promise<ContractorAccess | null> {
  if (typeof companyId !== 'string' || companyId.length === 0 || companyId.length > MAX_ID_LENGTH) return null;
  const role = await roleIn(ctx.db.orm, person.id, companyId);
  if (!role || !READ_ROLES.includes(role)) return null;
  const company = await findCompany(ctx.db.orm, companyId);
  return company ? { person, company, role, canWrite: WRITE_ROLES.includes(role) } : null;
}
