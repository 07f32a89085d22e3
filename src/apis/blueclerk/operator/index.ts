import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { companiesOf } from '../../../platform/tenancy/tenancy.ts';
import { errorResponses } from '../errors.ts';
import { WRITE_ROLES } from './access.ts';
import { personOf, registerCompanyAccess, registerSessionAuth } from './auth.ts';
import { OPERATOR_RESOURCES } from './resources.ts';
import { registerResourceRoutes } from './routes.ts';

const MeResponse = Type.Object(
  {
    person: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
    companies: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), plan: Type.String(), role: Type.String(), canWrite: Type.Boolean() })),
    csrfToken: Type.String({ description: 'Send as x-csrf-token with every POST and PATCH' }),
  },
  { additionalProperties: false },
);

/**
 * The contractor's JSON API under `/blueclerk/operator` (the console pages use the same changes):
 * `GET /me` (who is signed in, their companies, a CSRF token), then per company
 * `/companies/:companyId/<resource>` as declared in resources.ts. Outside `/api/v1`: no bearer token,
 * no plan rate limit, not in the public OpenAPI document.
 */
export async function registerOperatorApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  registerSessionAuth(app, ctx);

  app.get('/me', { schema: { response: { 200: MeResponse, ...errorResponses(401) } } }, async (request, reply) => {
    const person = personOf(request);
    const companies = (await companiesOf(ctx.db.orm, person.id)).map(({ company, role }) => ({
      id: company.id,
      name: company.name,
      plan: company.plan,
      role,
      canWrite: WRITE_ROLES.includes(role),
    }));
    return { person: { id: person.id, name: person.name, email: person.email }, companies, csrfToken: reply.generateCsrf() };
  });

  await app.register(
    async (company) => {
      registerCompanyAccess(company, ctx);
      for (const resource of OPERATOR_RESOURCES) registerResourceRoutes(company, ctx, resource);
    },
    { prefix: '/companies/:companyId' },
  );
}
