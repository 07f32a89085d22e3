import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { apiTokenStatus, issueApiToken } from '../../../platform/credentials/api-tokens.ts';
import { consolePageErrors, renderErrorPage } from '../../../platform/console/pages/views.ts';
import { renderPage } from '../../../platform/console/render.ts';
import { currentSession, requireSignIn, type ConsoleSession } from '../../../platform/console/sessions.ts';
import { findCompany, roleIn, type Company } from '../../../platform/tenancy/tenancy.ts';
import type { Role } from '../../../platform/tenancy/schema.ts';
import { CLEVERTIM_TOKEN_API } from '../auth.ts';
import { entitlementsOf } from '../records/caller.ts';
import { ensureUserId } from '../records/users.ts';

const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));

/** The page's path for a company (also the console home's link, with `:companyId`). */
export const SETTINGS_PATH = '/clevertim/console/companies/:companyId/settings';
const settingsPath = (companyId: string) => SETTINGS_PATH.replace(':companyId', encodeURIComponent(companyId));

// Company ids are CUIDs; anything longer is nobody's and never reaches the database.
const MAX_ID_LENGTH = 64;

interface Membership {
  session: ConsoleSession;
  company: Company;
  role: Role;
}

/** The signed-in person's membership of the company in the path, or null (then the page does not exist for them). */
async function membershipOf(ctx: AppContext, request: FastifyRequest): Promise<Membership | null> {
  const session = await currentSession(ctx, request);
  const companyId = (request.params as { companyId?: unknown }).companyId;
  if (!session || typeof companyId !== 'string' || companyId.length === 0 || companyId.length > MAX_ID_LENGTH) return null;
  const role = await roleIn(ctx.db.orm, session.person.id, companyId);
  const company = role ? await findCompany(ctx.db.orm, companyId) : null;
  return company && role ? { session, company, role } : null;
}

async function settingsPage(ctx: AppContext, reply: FastifyReply, member: Membership, newToken: string | null): Promise<FastifyReply> {
  const holder = { api: CLEVERTIM_TOKEN_API, companyId: member.company.id, personId: member.session.person.id };
  const status = await apiTokenStatus(ctx.db.orm, holder);
  const entitlements = entitlementsOf(member.role);
  return renderPage(reply, {
    viewsDir: VIEWS,
    template: 'settings',
    title: `My Info & Settings · ${member.company.name}`,
    person: member.session.person,
    csrfToken: reply.generateCsrf(),
    data: {
      company: { id: member.company.id, name: member.company.name },
      role: member.role,
      userId: await ensureUserId(ctx.db.orm, member.company.id, member.session.person.id),
      canWrite: entitlements.isOwner || entitlements.isAdmin || entitlements.permissions.includes('canedit'),
      permissions: entitlements.permissions,
      token: status ? { hint: status.hint, createdAt: status.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z') } : null,
      newToken,
      action: `${settingsPath(member.company.id)}/token`,
      apiUrl: `${ctx.config.publicUrl}/clevertim/api/contact`,
    },
  });
}

/**
 * Clevertim's "Account / My Info & Settings" (seed "Authentication"): the person's own details in the
 * company and their API token. The token is shown once, right after it is made: only its SHA-256 is
 * kept, so afterwards the page shows which token is live (its last characters and when it was made).
 * Regenerating ends the old token at once. Every member of the company has this page for themselves.
 */
export function registerSettingsPage(app: FastifyInstance, ctx: AppContext): void {
  consolePageErrors(app, ctx);
  app.setNotFoundHandler(async (request, reply) => renderErrorPage(reply, 404, 'Not found', 'There is nothing here.', (await currentSession(ctx, request).catch(() => null)) !== null));
  const signIn = requireSignIn(ctx);
  const notFound = (reply: FastifyReply) => renderErrorPage(reply, 404, 'Not found', 'There is nothing here, or it is not yours.', true);

  app.get('/companies/:companyId/settings', { preHandler: signIn }, async (request, reply) => {
    const member = await membershipOf(ctx, request);
    if (!member) return notFound(reply);
    return settingsPage(ctx, reply, member, null);
  });

  app.post('/companies/:companyId/settings/token', { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const member = await membershipOf(ctx, request);
    if (!member) return notFound(reply);
    const issued = await issueApiToken(ctx.db.orm, { api: CLEVERTIM_TOKEN_API, companyId: member.company.id, personId: member.session.person.id });
    request.log.info({ companyId: member.company.id, personId: member.session.person.id }, 'Clevertim API token regenerated');
    return settingsPage(ctx, reply, member, issued.token);
  });
}
