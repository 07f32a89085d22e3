import { companies, people } from './schema.ts';

/**
 * The company and person columns every credential lookup selects for its caller (OAuth access tokens,
 * personal API tokens), so the two lookups name the caller the same way.
 */
export function callerColumns() {
  return {
    companyId: companies.id,
    companyName: companies.name,
    companyPlan: companies.plan,
    personId: people.id,
    personName: people.name,
    personEmail: people.email,
  };
}
