import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiModule } from '../../api-module.ts';
import type { AppContext } from '../../context.ts';
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember, renameGroup, type GroupDeletedHook } from '../../tenancy/groups.ts';
import { companyManagedBy, listPeople, TenancyInputError, type Company } from '../../tenancy/tenancy.ts';
import { renderPage } from '../render.ts';
import { requireSignIn, currentSession, type ConsoleSession } from '../sessions.ts';
import { CONSOLE_VIEWS, formFields, formText, renderErrorPage } from './views.ts';

/** The page's path for a company (the console home links it, `:companyId` filled in, for managers). */
export const GROUPS_PATH = '/companies/:companyId/groups';
const groupsPath = (companyId: string) => GROUPS_PATH.replace(':companyId', encodeURIComponent(companyId));

const NOTICES: Record<string, string> = {
  created: 'The group was created.',
  renamed: 'The group was renamed.',
  deleted: 'The group was deleted; records that only its members could see are now private to whoever made them.',
  added: 'The person was added to the group.',
  removed: 'The person was taken out of the group.',
};

/**
 * The company's groups of people, for its owners and admins (anyone else gets 404, as on the webhook and
 * connected-apps pages): create, rename and delete groups, add and remove members. Every form is
 * CSRF-protected and answers with a redirect back (303) or the page again with the problem named.
 */
export function registerGroupsPage(app: FastifyInstance, ctx: AppContext, apis: ApiModule[]): void {
  const signIn = requireSignIn(ctx);
  const hooks: GroupDeletedHook[] = apis.flatMap((api) => (api.groupDeleted ? [api.groupDeleted] : []));

  async function managed(request: FastifyRequest): Promise<{ session: ConsoleSession; company: Company | null }> {
    const session = (await currentSession(ctx, request))!;
    const companyId = (request.params as { companyId?: unknown }).companyId;
    const company = typeof companyId === 'string' && companyId.length > 0 && companyId.length <= 64 ? await companyManagedBy(ctx.db.orm, session.person.id, companyId) : null;
    return { session, company };
  }

  const notFound = (reply: FastifyReply) => renderErrorPage(reply, 404, 'Not found', 'There is nothing here, or it is not yours to manage.', true);

  async function page(reply: FastifyReply, session: ConsoleSession, company: Company, extra: { notice?: string | null; problem?: string | null; status?: number } = {}) {
    const groups = await listGroups(ctx.db.orm, company.id);
    const people = await listPeople(ctx.db.orm, { companyId: company.id });
    return renderPage(reply, {
      viewsDir: CONSOLE_VIEWS,
      template: 'groups',
      title: `Groups · ${company.name}`,
      person: session.person,
      csrfToken: reply.generateCsrf(),
      status: extra.status,
      data: {
        company: { id: company.id, name: company.name },
        action: groupsPath(company.id),
        notice: extra.notice ?? null,
        problem: extra.problem ?? null,
        groups: groups.map((group) => ({
          id: group.id,
          name: group.name,
          gid: group.gid,
          members: group.members,
          candidates: people.filter((person) => !group.members.some((member) => member.personId === person.id)).map((person) => ({ id: person.id, email: person.email, name: person.name })),
        })),
      },
    });
  }

  /** Runs a change; bad input shows the page again with the problem, an unknown group is 404. */
  function change(run: (company: Company, fields: Record<string, unknown>, groupId: string, personId: string) => Promise<string | null>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const { session, company } = await managed(request);
      if (!company) return notFound(reply);
      const params = request.params as { groupId?: string; personId?: string };
      try {
        const notice = await run(company, formFields(request.body), String(params.groupId ?? ''), String(params.personId ?? ''));
        if (notice === null) return notFound(reply);
        return reply.redirect(`${groupsPath(company.id)}?notice=${notice}`, 303);
      } catch (error) {
        if (!(error instanceof TenancyInputError)) throw error;
        return page(reply, session, company, { problem: error.message, status: 400 });
      }
    };
  }

  app.get(GROUPS_PATH, { preHandler: signIn }, async (request, reply) => {
    const { session, company } = await managed(request);
    if (!company) return notFound(reply);
    const notice = NOTICES[String((request.query as { notice?: string }).notice ?? '')] ?? null;
    return page(reply, session, company, { notice });
  });

  const guarded = { preHandler: [signIn, app.csrfProtection] };
  app.post(GROUPS_PATH, guarded, change(async (company, fields) => {
    await createGroup(ctx.db.orm, company.id, { name: formText(fields.name) });
    return 'created';
  }));
  app.post(`${GROUPS_PATH}/:groupId/rename`, guarded, change(async (company, fields, groupId) => ((await renameGroup(ctx.db.orm, company.id, groupId, formText(fields.name))) ? 'renamed' : null)));
  app.post(`${GROUPS_PATH}/:groupId/delete`, guarded, change(async (company, _fields, groupId) => ((await deleteGroup(ctx.db.orm, company.id, groupId, hooks)) ? 'deleted' : null)));
  app.post(`${GROUPS_PATH}/:groupId/members`, guarded, change(async (company, fields, groupId) => ((await addGroupMember(ctx.db.orm, company.id, groupId, formText(fields.personId))) ? 'added' : null)));
  app.post(`${GROUPS_PATH}/:groupId/members/:personId/remove`, guarded, change(async (company, _fields, groupId, personId) => ((await removeGroupMember(ctx.db.orm, company.id, groupId, personId)) === null ? null : 'removed')));
}
