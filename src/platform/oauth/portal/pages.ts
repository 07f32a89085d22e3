import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { renderPage } from '../../console/render.ts';
import { currentSession, type ConsoleSession } from '../../console/sessions.ts';

export const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));

/** The signed-in person of a page guarded by requireSignIn. */
export async function sessionOf(ctx: AppContext, request: FastifyRequest): Promise<ConsoleSession> {
  const session = await currentSession(ctx, request);
  if (!session) throw new Error('portal page reached without a session; requireSignIn must guard it');
  return session;
}

export async function page(
  reply: FastifyReply,
  session: ConsoleSession,
  template: string,
  title: string,
  data: Record<string, unknown> = {},
  status = 200,
): Promise<FastifyReply> {
  return renderPage(reply, { viewsDir: VIEWS, template, title, data, person: session.person, csrfToken: reply.generateCsrf(), status });
}

/** Other people's apps and companies do not exist as far as a person can tell. */
export async function notFound(reply: FastifyReply, session: ConsoleSession | null, message = 'There is nothing here, or it is not yours.'): Promise<FastifyReply> {
  return renderPage(reply, { viewsDir: VIEWS, template: 'not-found', title: 'Not found', data: { message }, person: session?.person ?? null, status: 404 });
}

/** Portal pages answer errors as pages; an expired form is explained, never a stack or JSON. */
export function pageErrors(app: FastifyInstance, ctx: AppContext): void {
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'portal page failed');
    const message = status === 403 && /csrf/i.test(error.message)
      ? 'This form has expired. Go back, reload the page and try again.'
      : status >= 500 ? 'Something went wrong on our side. Try again later.' : 'The request could not be understood.';
    const session = await currentSession(ctx, request).catch(() => null);
    return renderPage(reply, { viewsDir: VIEWS, template: 'not-found', title: 'Cannot continue', data: { message }, person: session?.person ?? null, status });
  });
}

/** A form field that may arrive once, several times (checkboxes) or not at all. */
export function formList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

export function formText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
