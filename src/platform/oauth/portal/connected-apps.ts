import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { requireSignIn } from '../../console/sessions.ts';
import { companiesManagedBy, companyManagedBy } from '../../tenancy/tenancy.ts';
import { connectedApps, revokeCompanyAuthorization } from '../authorizations.ts';
import { notFound, page, pageErrors, sessionOf } from './pages.ts';


/**
 * "Connected apps" for a company: its owners and admins see every active authorization (app, scopes,
 * who, when) and revoke it. Anyone else gets 404, so the page does not even confirm the company exists.
 */
export function registerConnectedApps(app: FastifyInstance, ctx: AppContext): void {
  pageErrors(app, ctx);
  const signIn = requireSignIn(ctx);

  async function managedCompany(request: FastifyRequest) {
    const session = await sessionOf(ctx, request);
    const companyId = (request.params as { companyId: string }).companyId;
    return { session, company: await companyManagedBy(ctx.db.orm, session.person.id, companyId) };
  }

  app.get('/connected-apps', { preHandler: signIn }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const companies = await companiesManagedBy(ctx.db.orm, session.person.id);
    return page(reply, session, 'connected-apps-index', 'Connected apps', { companies });
  });

  app.get('/companies/:companyId/connected-apps', { preHandler: signIn }, async (request, reply) => {
    const { session, company } = await managedCompany(request);
    if (!company) return notFound(reply, session);
    return page(reply, session, 'connected-apps', `Connected apps · ${company.name}`, { company, apps: await connectedApps(ctx.db.orm, company.id) });
  });

  app.post('/companies/:companyId/connected-apps/:grantId/revoke', { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const { session, company } = await managedCompany(request);
    if (!company) return notFound(reply, session);
    const revoked = await revokeCompanyAuthorization(ctx.db, company.id, (request.params as { grantId: string }).grantId);
    if (!revoked) return notFound(reply, session, 'That authorization is not active for this company.');
    return reply.redirect(`/companies/${encodeURIComponent(company.id)}/connected-apps`, 303);
  });
}
