import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { verifyAgainstNobody, verifyPassword } from '../../identity/passwords.ts';
import { findPersonByEmail } from '../../tenancy/tenancy.ts';
import { renderPage } from '../render.ts';
import { currentSession, endSession, revokeSession, safeNextPath, startSession } from '../sessions.ts';
import { claimSignInAttempt, forgiveSignInAttempt, retryMessage, throttleKeys } from '../sign-in-throttle.ts';
import { CONSOLE_VIEWS, formFields, formText } from './views.ts';

/** One message for an unknown email and a wrong password: the form must not reveal who has an account. */
export const WRONG_CREDENTIALS = 'Email or password is incorrect.';

interface LoginForm {
  email: string;
  next: string;
  error?: string;
}

function showLogin(reply: FastifyReply, form: LoginForm, status = 200): Promise<FastifyReply> {
  return renderPage(reply, {
    viewsDir: CONSOLE_VIEWS,
    template: 'login',
    title: 'Sign in',
    data: { email: form.email, next: form.next, error: form.error ?? null },
    csrfToken: reply.generateCsrf(),
    status,
  });
}

/**
 * `/login` and `/logout`. Pages that need a person send them here with `?next=` (the OAuth consent
 * screen among them) and get them back after sign-in; only same-site paths are followed.
 */
export function registerSignIn(app: FastifyInstance, ctx: AppContext): void {
  app.get('/login', async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, unknown>).next);
    if (await currentSession(ctx, request)) return reply.redirect(next, 303);
    return showLogin(reply, { email: '', next });
  });

  app.post('/login', { preHandler: app.csrfProtection }, async (request, reply) => {
    const body = formFields(request.body);
    const email = formText(body.email).trim();
    const password = formText(body.password);
    const next = safeNextPath(body.next);
    if (email === '' || password === '') return showLogin(reply, { email, next, error: 'Enter your email and password.' }, 400);

    // Counted before the password is checked: a throttled attempt never reaches the hash.
    const keys = throttleKeys(email, request.ip);
    const attempt = await claimSignInAttempt(ctx.db, keys);
    if (!attempt.allowed) {
      request.log.warn('console sign-in throttled');
      reply.header('Retry-After', String(attempt.retryAfterSeconds));
      return showLogin(reply, { email, next, error: retryMessage(attempt.retryAfterSeconds) }, 429);
    }

    const person = await findPersonByEmail(ctx.db.orm, email);
    const passwordMatches = person ? await verifyPassword(person.passwordHash, password) : await verifyAgainstNobody(password);
    if (!person || !passwordMatches) return showLogin(reply, { email, next, error: WRONG_CREDENTIALS }, 401);

    await forgiveSignInAttempt(ctx.db, keys, attempt.addressWindowStart);
    // Signing in again (as anyone) ends the session this browser had: one cookie, one live session.
    const previous = await currentSession(ctx, request);
    if (previous) await revokeSession(ctx, previous.tokenHash);
    await startSession(ctx, reply, person.id);
    return reply.redirect(next, 303);
  });

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    await endSession(ctx, request, reply);
    return reply.redirect('/login', 303);
  });
}
