import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { renderPage } from '../render.ts';
import { currentSession } from '../sessions.ts';

/** The console's own templates (sign-in, home, errors), rendered inside the shared layout. */
export const CONSOLE_VIEWS = fileURLToPath(new URL('../views/', import.meta.url));

/** A form field that must be one string (repeated or missing fields count as empty). */
export function formText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function formFields(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * Console pages answer errors as pages: an expired or missing CSRF token is explained, a malformed form
 * is a 4xx page, and anything else is a plain 500 page. Never a stack trace or fastify's JSON.
 */
export function consolePageErrors(app: FastifyInstance, ctx: AppContext): void {
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console page failed');
    const session = await currentSession(ctx, request).catch(() => null);
    const csrf = status === 403 && String(error.code ?? '').startsWith('FST_CSRF');
    const page = csrf
      ? { heading: 'This form has expired', message: 'Go back, reload the page and try again.' }
      : status >= 500
        ? { heading: 'Something went wrong', message: 'Something went wrong on our side. Try again later.' }
        : { heading: 'Cannot continue', message: 'The request could not be understood.' };
    return renderErrorPage(reply, status, page.heading, page.message, session !== null);
  });
}

export function renderErrorPage(reply: FastifyReply, status: number, heading: string, message: string, signedIn: boolean): Promise<FastifyReply> {
  return renderPage(reply, {
    viewsDir: CONSOLE_VIEWS,
    template: 'error',
    title: heading,
    status,
    data: { heading, message, backHref: signedIn ? '/' : '/login', backLabel: signedIn ? 'Back to the console' : 'Go to sign-in' },
  });
}
