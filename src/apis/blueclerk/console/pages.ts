import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { renderErrorPage } from '../../../platform/console/pages/views.ts';
import { renderPage } from '../../../platform/console/render.ts';
import { currentSession, requireSignIn } from '../../../platform/console/sessions.ts';
import { contractorAccess, type ContractorAccess } from '../operator/access.ts';

/** What every contractor page shares: where it lives, who may open it, and the section navigation. */
export const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));

/** `/blueclerk/console/companies/<id>`: the company's BlueClerk pages start here. */
export function companyBase(companyId: string): string {
  return `/blueclerk/console/companies/${encodeURIComponent(companyId)}`;
}

/** The navigation, in the order a contractor's work flows. */
export const SECTIONS = [
  { path: '', label: 'Overview' },
  { path: 'properties', label: 'Properties' },
  { path: 'contacts', label: 'Contacts' },
  { path: 'tickets', label: 'Tickets' },
  { path: 'jobs', label: 'Jobs' },
  { path: 'estimates', label: 'Estimates' },
  { path: 'invoices', label: 'Invoices' },
  { path: 'usage', label: 'API usage' },
] as const;

const accesses = new WeakMap<FastifyRequest, ContractorAccess>();

export function accessOf(request: FastifyRequest): ContractorAccess {
  const access = accesses.get(request);
  if (!access) throw new Error('accessOf() used on a page without the company guard');
  return access;
}

/** Another company's pages do not exist for this person (the same 404 as an unknown id). */
export async function notFoundPage(reply: FastifyReply, _request: FastifyRequest, message = 'There is nothing here, or it is not yours.', status = 404): Promise<FastifyReply> {
  return renderErrorPage(reply, status, status === 404 ? 'Not found' : 'Cannot continue', message, true);
}

function companyGuard(ctx: AppContext, need: 'read' | 'write'): preHandlerHookHandler {
  return async function contractorCompanyGuard(request, reply) {
    const session = await currentSession(ctx, request);
    if (!session) return; // requireSignIn has already answered
    const access = await contractorAccess(ctx, session.person, (request.params as { companyId?: string }).companyId);
    if (!access) return notFoundPage(reply, request);
    if (need === 'write' && !access.canWrite) {
      return renderErrorPage(reply, 403, 'Read only', `Your role (${access.role}) in ${access.company.name} may see its records but not change them.`, true);
    }
    accesses.set(request, access);
  };
}

/** GET pages: a signed-in member of the company. */
export function readGuards(ctx: AppContext): preHandlerHookHandler[] {
  return [requireSignIn(ctx), companyGuard(ctx, 'read')];
}

/** Form posts: signed in, the form's CSRF token, a member whose role may change records. */
export function writeGuards(ctx: AppContext, app: FastifyInstance): preHandlerHookHandler[] {
  return [requireSignIn(ctx), app.csrfProtection, companyGuard(ctx, 'write')];
}

/** Renders a contractor page inside the console layout, with the company's section navigation. */
export async function contractorPage(
  reply: FastifyReply,
  request: FastifyRequest,
  template: string,
  title: string,
  current: string,
  data: Record<string, unknown>,
  status = 200,
): Promise<FastifyReply> {
  const access = accessOf(request);
  const base = companyBase(access.company.id);
  const nav = SECTIONS.map((s) => ({ label: s.label, href: s.path ? `${base}/${s.path}` : base, current: s.path === current }));
  return renderPage(reply, {
    viewsDir: VIEWS,
    template,
    title,
    person: access.person,
    csrfToken: reply.generateCsrf(),
    status,
    data: { ...data, company: { id: access.company.id, name: access.company.name, plan: access.company.plan }, role: access.role, nav, base },
  });
}
