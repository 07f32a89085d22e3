import type { FastifyInstance } from 'fastify';
import type { ApiModule } from '../../api-module.ts';
import type { AppContext } from '../../context.ts';
import { OAUTH_CONSOLE_LINKS } from '../../oauth/portal/index.ts';
import { companiesOf, MANAGER_ROLES } from '../../tenancy/tenancy.ts';
import type { Role } from '../../tenancy/schema.ts';
import { GROUPS_PATH } from './groups.ts';
import { renderPage } from '../render.ts';
import { currentSession, requireSignIn, safeNextPath } from '../sessions.ts';
import { CONSOLE_VIEWS } from './views.ts';

interface ConsoleLink {
  label: string;
  href: string;
  description?: string;
}

// eta escapes HTML but not `javascript:` URLs: only same-site paths and https links are shown.
function safeLinks(links: ConsoleLink[]): ConsoleLink[] {
  return links.filter((link) => safeNextPath(link.href) === link.href || /^https:\/\/[\x21-\x7e]+$/.test(link.href));
}

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The console home (`/`): the person's companies with plan, role and each API's pages for that company
 * (`companyConsoleLinks`), and where else to go from here.
 */
export function registerHome(app: FastifyInstance, ctx: AppContext, apis: ApiModule[]): void {
  const links = safeLinks(apis.some((api) => api.oauth) ? OAUTH_CONSOLE_LINKS : []);
  const apiLinks = apis.map((api) => ({ title: api.title, prefix: api.prefix, links: safeLinks(api.consoleLinks ?? []) }));
  const companyLinks = apis.flatMap((api) => api.companyConsoleLinks ?? []);
  // Checked once the company id is in place: the id is a CUID, but the check must not rely on it.
  // The platform's own page for each company: its groups, for those who manage the company.
  const managerLinks = [{ label: 'Groups', href: GROUPS_PATH }];
  const linksOf = (companyId: string, role: Role) =>
    safeLinks([...(MANAGER_ROLES.includes(role) ? managerLinks : []), ...companyLinks].map((link) => ({ label: link.label, href: link.href.replaceAll(':companyId', encodeURIComponent(companyId)) })));

  app.get('/', { preHandler: requireSignIn(ctx) }, async (request, reply) => {
    const session = (await currentSession(ctx, request))!;
    const memberships = (await companiesOf(ctx.db.orm, session.person.id)).map(({ company, role }) => ({
      id: company.id,
      name: company.name,
      plan: company.plan,
      planLabel: capitalised(company.plan),
      roleLabel: capitalised(role),
      links: linksOf(company.id, role),
    }));
    return renderPage(reply, {
      viewsDir: CONSOLE_VIEWS,
      template: 'home',
      title: 'Console',
      person: session.person,
      csrfToken: reply.generateCsrf(),
      data: {
        memberships,
        companyLinks: memberships.some((m) => m.links.length > 0),
        links,
        apis: apiLinks.map(({ prefix, ...api }) => ({ ...api, baseUrl: `${ctx.config.publicUrl}${prefix}` })),
      },
    });
  });
}
