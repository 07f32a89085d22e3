import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { currentSession } from '../../../platform/console/sessions.ts';
import type { Person } from '../../../platform/tenancy/tenancy.ts';
import { blueClerkError } from '../errors.ts';
import { contractorAccess, type ContractorAccess } from './access.ts';

/**
 * Authentication of the operator API: the console session cookie (the same sign-in as the pages), so
 * the contractor's own tools and the tests need no OAuth app. Because a cookie is sent by the browser
 * on its own, every write must also carry the console's CSRF token in `x-csrf-token`
 * (GET /blueclerk/operator/me hands one out); a cross-site page cannot read it.
 */
const people = new WeakMap<FastifyRequest, Person>();
const accesses = new WeakMap<FastifyRequest, ContractorAccess>();

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** onRequest: a signed-in person, or 401 in BlueClerk's dialect. */
export function registerSessionAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const session = await currentSession(ctx, request);
    if (!session) throw blueClerkError('invalid_token', 'Sign in to the console first: the operator API is authenticated by the console session cookie (opsbase_session).');
    people.set(request, session.person);
  });
  app.addHook('preValidation', async (request, reply) => {
    if (READ_METHODS.has(request.method)) return;
    if (!(await csrfTokenAccepted(app, request, reply))) {
      throw blueClerkError('forbidden', 'A change needs the console CSRF token in the x-csrf-token header; GET /blueclerk/operator/me returns one.');
    }
  });
}

/**
 * The console's own CSRF check (@fastify/csrf-protection, registered on the root instance), asked for
 * a yes or no: it answers a refusal by sending an error, which would reach the API's error handler as
 * an anonymous 403; here it becomes the dialect's `forbidden` with a message that says what to send.
 */
function csrfTokenAccepted(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  return new Promise((resolve) => {
    const probe: FastifyReply = Object.create(reply, {
      send: {
        value: () => {
          resolve(false);
          return probe;
        },
      },
    });
    app.csrfProtection(request, probe, () => resolve(true));
  });
}

/** onRequest for `/companies/:companyId/*`: members only (others get 404); writes need a writing role. */
export function registerCompanyAccess(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const companyId = (request.params as { companyId?: string }).companyId;
    const access = await contractorAccess(ctx, personOf(request), companyId);
    if (!access) throw blueClerkError('not_found', `No company with id ${String(companyId).slice(0, 64)}`);
    if (!READ_METHODS.has(request.method) && !access.canWrite) {
      throw blueClerkError('forbidden', `Your role (${access.role}) in ${access.company.name} may read its records but not change them.`);
    }
    accesses.set(request, access);
  });
}

export function personOf(request: FastifyRequest): Person {
  const person = people.get(request);
  if (!person) throw new Error('personOf() used outside the operator API');
  return person;
}

export function accessOf(request: FastifyRequest): ContractorAccess {
  const access = accesses.get(request);
  if (!access) throw new Error('accessOf() used outside /blueclerk/operator/companies/:companyId');
  return access;
}
