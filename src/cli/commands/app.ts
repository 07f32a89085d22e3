import { createClient, listClients } from '../../platform/oauth/clients.ts';
import { oauthServers } from '../../platform/oauth/registry.ts';
import { CliError, printJson, printLine, printNote, printTable, type Command, type CommandGroup } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase app ...`: OAuth applications (clients) of the APIs that run an authorization server. */
// The mounted APIs with an authorization server, loaded on use (they bring fastify with them).
async function requireOAuthApi(name: string): Promise<string> {
  const servers = await oauthServers();
  const config = servers.find((s) => s.api === name.trim().toLowerCase());
  if (!config) {
    const names = servers.map((s) => s.api);
    throw new CliError(`--api: no API named "${name}" has OAuth apps; use ${names.length ? names.join(', ') : '(none mounted)'}`);
  }
  return config.api;
}

const create: Command = {
  name: 'app create',
  summary: 'Register an OAuth app and print its client_id and client_secret',
  usage: 'app create --api API --owner EMAIL --name NAME --redirect-uri URI [--redirect-uri URI ...] --scopes "SCOPE ..." [--description D] [--contact-email E] [--logo-url URL] [--json]',
  details: [
    'The same rules as the developer portal: a name of at most 100 characters, 1 to 5 redirect URIs (https,',
    'or http to localhost/127.0.0.1), at least one of the API\'s scopes, an https logo. The client_secret is',
    'printed once: only its SHA-256 is stored (rotate it in the developer portal if it is lost).',
  ].join('\n'),
  json: true,
  fieldNames: { ownerEmail: '--owner', redirectUris: '--redirect-uri' },
  options: {
    api: { type: 'string', value: 'API', description: 'The API the app calls (one with an OAuth server, e.g. blueclerk)', required: true },
    owner: { type: 'string', value: 'EMAIL', description: 'The developer who owns it (an existing person; see opsbase user create)', required: true },
    name: { type: 'string', value: 'NAME', description: 'The app\'s name, shown on the consent screen', required: true },
    'redirect-uri': { type: 'string', value: 'URI', description: 'Where authorization answers are sent', required: true, multiple: true },
    scopes: { type: 'string', value: '"SCOPE ..."', description: 'The scopes it may request, separated by spaces or commas', required: true, multiple: true },
    description: { type: 'string', value: 'D', description: 'What the app does' },
    'contact-email': { type: 'string', value: 'E', description: 'Shown on the consent screen (default: the owner\'s email)' },
    'logo-url': { type: 'string', value: 'URL', description: 'An https URL of its logo' },
  },
  async run(input) {
    const api = await requireOAuthApi(input.string('api')!);
    const ownerEmail = input.string('owner')!;
    const credentials = await withDatabase(({ db }) =>
      createClient(
        { db },
        {
          api,
          ownerEmail,
          name: input.string('name')!,
          description: input.string('description'),
          redirectUris: input.strings('redirect-uri'),
          scopes: input.strings('scopes').flatMap((s) => s.split(/[\s,]+/)),
          contactEmail: input.string('contact-email'),
          logoUrl: input.string('logo-url'),
        },
      ),
    );
    if (input.json) return printJson({ api, client_id: credentials.clientId, client_secret: credentials.clientSecret });
    printLine(`Created the ${api} app "${input.string('name')!.trim()}" owned by ${ownerEmail}`);
    printLine(`client_id:     ${credentials.clientId}`);
    printLine(`client_secret: ${credentials.clientSecret}`);
    printNote('Keep the client_secret now: it is not shown again (only its SHA-256 is stored).');
  },
};

const list: Command = {
  name: 'app list',
  summary: 'List OAuth apps (never their secrets)',
  json: true,
  options: {
    api: { type: 'string', value: 'API', description: 'Only the apps of this API' },
  },
  async run(input) {
    const apiOption = input.string('api');
    const api = apiOption === undefined ? undefined : await requireOAuthApi(apiOption);
    const rows = await withDatabase(({ db }) => listClients(db.orm, { api }));
    if (input.json) {
      return printJson(
        rows.map(({ client, ownerEmail, authorizedCompanies }) => ({
          api: client.api,
          client_id: client.clientId,
          name: client.name,
          owner_email: ownerEmail,
          contact_email: client.contactEmail,
          redirect_uris: client.redirectUris,
          scopes: client.scopes,
          authorized_companies: authorizedCompanies,
          created_at: client.createdAt.toISOString(),
        })),
      );
    }
    if (rows.length === 0) return printLine('No apps yet. Register one with: opsbase app create --help');
    printTable(
      ['API', 'CLIENT ID', 'OWNER', 'COMPANIES', 'NAME'],
      rows.map(({ client, ownerEmail, authorizedCompanies }) => [client.api, client.clientId, ownerEmail, String(authorizedCompanies), client.name]),
    );
  },
};

export const app: CommandGroup = {
  name: 'app',
  summary: 'OAuth apps (clients) of the APIs with an authorization server: create, list',
  commands: [create, list],
};
