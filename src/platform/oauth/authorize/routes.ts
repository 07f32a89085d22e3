import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { renderPage } from '../../console/render.ts';
import { currentSession, requireSignIn, type ConsoleSession } from '../../console/sessions.ts';
import { WRITING_ROLES } from '../../tenancy/schema.ts';
import { companiesOf, type CompanyMembership } from '../../tenancy/tenancy.ts';
import { createAuthorization } from '../authorizations.ts';
import { httpsUrlProblem } from '../client-input.ts';
import { ENDPOINT_PATHS, issuerOf, type OAuthServerConfig } from '../config.ts';
import { AccessDenied, InvalidRequest } from '../errors.ts';
import { validateAuthorizationRequest, type AuthorizationRequest, type AuthorizeOutcome } from './index.ts';
import type { RequestParams } from './params.ts';
import { authorizationResponseUrl } from './respond.ts';

const VIEWS = fileURLToPath(new URL('../views/', import.meta.url));

/**
 * The companies a person may connect an app to: those where their role may change data. A viewer's
 * grant would let the app do what the viewer may not, so viewers connect nothing.
 */
async function connectableCompaniesOf(ctx: AppContext, personId: string): Promise<CompanyMembership[]> {
  return (await companiesOf(ctx.db.orm, personId)).filter((m) => WRITING_ROLES.includes(m.role));
}

/**
 * The authorization endpoint (RFC 6749 4.1.1): GET shows the consent screen, POST records the decision.
 * The POST carries the original request in hidden fields and checks it all again: nothing the browser
 * sends back is trusted because we rendered it.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, ctx: AppContext, config: OAuthServerConfig): void {
  const issuer = () => issuerOf(ctx.config.publicUrl, config);
  const signIn = requireSignIn(ctx);

  // Anything unexpected on these routes is a page, not JSON: a person is looking at it.
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'authorization endpoint failed');
    const message = status === 403 && /csrf/i.test(error.message)
      ? 'This form has expired. Go back to the app and start connecting again.'
      : status >= 500 ? 'Something went wrong on our side. Go back to the app and try again later.' : 'The request could not be understood.';
    return renderPage(reply, { viewsDir: VIEWS, template: 'authorize-error', title: 'Cannot continue', data: { message }, status });
  });

  const fail = (reply: FastifyReply, outcome: Extract<AuthorizeOutcome, { ok: false }>) => {
    if (outcome.redirectUri) {
      return reply.redirect(authorizationResponseUrl(outcome.redirectUri, issuer(), { error: outcome.error.error, error_description: outcome.error.description, state: outcome.state }), 303);
    }
    return renderPage(reply, { viewsDir: VIEWS, template: 'authorize-error', title: 'Cannot continue', data: { message: outcome.error.description }, status: 400 });
  };

  app.get(ENDPOINT_PATHS.authorize, async (request, reply) => {
    const outcome = await validateAuthorizationRequest(ctx, config, request.query as RequestParams);
    if (!outcome.ok) return fail(reply, outcome);
    await signIn(request, reply);
    if (reply.sent) return reply;
    const session = (await currentSession(ctx, request))!;
    return showConsent(reply, session, outcome.request);
  });

  app.post(ENDPOINT_PATHS.authorize, { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const form = (request.body ?? {}) as RequestParams;
    const outcome = await validateAuthorizationRequest(ctx, config, form);
    if (!outcome.ok) return fail(reply, outcome);
    const authorization = outcome.request;
    const back = (params: Record<string, string | undefined>) => authorizationResponseUrl(authorization.redirectUri, issuer(), { ...params, state: authorization.state });

    const decision = form.decision;
    if (decision === 'deny') {
      const denied = new AccessDenied('The person declined to connect the app.');
      return reply.redirect(back({ error: denied.error, error_description: denied.description }), 303);
    }
    if (decision !== 'allow') {
      const invalid = new InvalidRequest('decision must be allow or deny');
      return reply.redirect(back({ error: invalid.error, error_description: invalid.description }), 303);
    }

    const session = (await currentSession(ctx, request))!;
    const memberships = await connectableCompaniesOf(ctx, session.person.id);
    const chosen = memberships.find((m) => m.company.id === form.company_id);
    if (!chosen) {
      const error = memberships.length === 0 ? undefined : 'Choose one of your companies.';
      return showConsent(reply, session, authorization, { error, status: 400 });
    }

    const refusal = config.checkCompany(chosen.company);
    if (refusal) {
      // A page, not an immediate redirect: the person must be told why, and the app still gets the
      // error when they follow the link (which performs exactly the redirect it is waiting for).
      return renderPage(reply, {
        viewsDir: VIEWS,
        template: 'plan-required',
        title: 'Paid plan required',
        person: session.person,
        csrfToken: reply.generateCsrf(),
        status: refusal.status,
        data: {
          apiTitle: config.apiTitle,
          appName: authorization.client.name,
          companyName: chosen.company.name,
          returnUrl: back({ error: refusal.error, error_description: refusal.description }),
        },
      });
    }

    const code = await createAuthorization(ctx.db, config, {
      clientRowId: authorization.client.id,
      companyId: chosen.company.id,
      personId: session.person.id,
      scopes: authorization.scopes,
      redirectUri: authorization.redirectUri,
      codeChallenge: authorization.codeChallenge,
    });
    return reply.redirect(back({ code }), 303);
  });

  async function showConsent(
    reply: FastifyReply,
    session: ConsoleSession,
    authorization: AuthorizationRequest,
    options: { error?: string; status?: number } = {},
  ) {
    const memberships = await connectableCompaniesOf(ctx, session.person.id);
    const client = authorization.client;
    const common = { person: session.person, csrfToken: reply.generateCsrf() };
    if (memberships.length === 0) {
      const denied = new AccessDenied('The person has no company to connect.');
      return renderPage(reply, {
        ...common,
        viewsDir: VIEWS,
        template: 'no-company',
        title: 'No company to connect',
        status: options.status ?? 200,
        data: {
          appName: client.name,
          returnUrl: authorizationResponseUrl(authorization.redirectUri, issuer(), { error: denied.error, error_description: denied.description, state: authorization.state }),
        },
      });
    }
    return renderPage(reply, {
      ...common,
      viewsDir: VIEWS,
      template: 'consent',
      title: `Connect ${client.name}`,
      status: options.status ?? 200,
      data: {
        apiTitle: config.apiTitle,
        action: `${config.issuerPath}${ENDPOINT_PATHS.authorize}`,
        error: options.error,
        app: {
          name: client.name,
          description: client.description,
          contactEmail: client.contactEmail,
          // Checked again at render: an img src must never be anything but https.
          logoUrl: client.logoUrl && !httpsUrlProblem(client.logoUrl) ? client.logoUrl : null,
        },
        scopes: authorization.scopes.map((name) => ({ name, description: config.scopes[name]!.description })),
        companies: memberships.map((m: CompanyMembership) => ({ id: m.company.id, name: m.company.name, blocked: config.checkCompany(m.company) ? 'free trial: a paid plan is required' : null })),
        selectedCompanyId: memberships.length === 1 ? memberships[0]!.company.id : null,
        hidden: {
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: authorization.redirectUri,
          scope: authorization.scopes.join(' '),
          state: authorization.state ?? '',
          code_challenge: authorization.codeChallenge,
          code_challenge_method: 'S256',
        },
      },
    });
  }
}

