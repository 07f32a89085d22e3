import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { requireSignIn } from '../../console/sessions.ts';
import { clientsOwnedBy, deleteClient, ownedClient, registerClient, rotateClientSecret } from '../clients.ts';
import { ClientInputError, type FieldProblem } from '../client-input.ts';
import type { OAuthServerConfig } from '../config.ts';
import { formList, formText, notFound, page, pageErrors, sessionOf } from './pages.ts';

/**
 * The developer portal (`/developers`): a signed-in person registers apps for the APIs that run an
 * authorization server, sees the client secret once, rotates it, deletes apps. Every lookup is by owner.
 */
export function registerDeveloperPortal(app: FastifyInstance, ctx: AppContext, servers: OAuthServerConfig[]): void {
  pageErrors(app, ctx);
  const signIn = requireSignIn(ctx);
  const serverFor = (api: unknown) => servers.find((s) => s.api === api);
  const title = (api: string) => serverFor(api)?.apiTitle ?? api;

  app.get('/developers', { preHandler: signIn }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const apps = (await clientsOwnedBy(ctx.db.orm, session.person.id)).map((row) => ({ ...row, apiTitle: title(row.client.api) }));
    return page(reply, session, 'developers', 'Developer portal', { apps, apis: servers.map((s) => ({ api: s.api, apiTitle: s.apiTitle })) });
  });

  function showForm(
    reply: Parameters<typeof page>[0],
    session: Parameters<typeof page>[1],
    server: OAuthServerConfig,
    values: { name: string; description: string; redirectUris: string; scopes: string[]; contactEmail: string; logoUrl: string },
    problems: FieldProblem[] = [],
  ) {
    return page(reply, session, 'app-form', `Create a ${server.apiTitle} app`, {
      api: server.api,
      apiTitle: server.apiTitle,
      values,
      problems,
      scopes: Object.entries(server.scopes).map(([name, s]) => ({ name, description: s.description, checked: values.scopes.includes(name) })),
    }, problems.length > 0 ? 400 : 200);
  }

  app.get('/developers/apps/new', { preHandler: signIn }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const server = serverFor((request.query as { api?: unknown }).api) ?? (servers.length === 1 ? servers[0] : undefined);
    if (!server) return notFound(reply, session, 'Choose an API from the developer portal.');
    return showForm(reply, session, server, { name: '', description: '', redirectUris: '', scopes: [], contactEmail: session.person.email, logoUrl: '' });
  });

  app.post('/developers/apps', { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const server = serverFor(body.api);
    if (!server) return notFound(reply, session, 'Choose an API from the developer portal.');
    const values = {
      name: formText(body.name),
      description: formText(body.description),
      redirectUris: formText(body.redirect_uris),
      scopes: formList(body.scopes),
      contactEmail: formText(body.contact_email),
      logoUrl: formText(body.logo_url),
    };
    try {
      const created = await registerClient(ctx.db.orm, server, session.person.id, {
        ...values,
        redirectUris: values.redirectUris.split(/\r?\n/),
        logoUrl: values.logoUrl,
      });
      return page(reply, session, 'credentials', `${created.client.name} created`, {
        heading: `${created.client.name} is ready`,
        appId: created.client.id,
        clientId: created.clientId,
        clientSecret: created.clientSecret,
      }, 201);
    } catch (error) {
      if (error instanceof ClientInputError) return showForm(reply, session, server, values, error.problems);
      throw error;
    }
  });

  app.get('/developers/apps/:id', { preHandler: signIn }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const found = await ownedClient(ctx.db.orm, session.person.id, (request.params as { id: string }).id);
    if (!found) return notFound(reply, session);
    return page(reply, session, 'app', found.client.name, { ...found, apiTitle: title(found.client.api) });
  });

  app.post('/developers/apps/:id/rotate-secret', { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const id = (request.params as { id: string }).id;
    const secret = await rotateClientSecret(ctx.db.orm, session.person.id, id);
    const found = secret ? await ownedClient(ctx.db.orm, session.person.id, id) : null;
    if (!secret || !found) return notFound(reply, session);
    return page(reply, session, 'credentials', 'New client secret', {
      heading: `New client secret for ${found.client.name}`,
      appId: found.client.id,
      clientId: found.client.clientId,
      clientSecret: secret,
    });
  });

  app.post('/developers/apps/:id/delete', { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    if (!(await deleteClient(ctx.db.orm, session.person.id, (request.params as { id: string }).id))) return notFound(reply, session);
    return reply.redirect('/developers', 303);
  });
}
