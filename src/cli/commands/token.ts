import type { ApiModule } from '../../platform/api-module.ts';
import { issueApiToken } from '../../platform/credentials/api-tokens.ts';
import { findCompany, findPersonByEmail, normaliseEmail, roleIn } from '../../platform/tenancy/tenancy.ts';
import { CliError, printJson, printLine, printNote, type Command, type CommandGroup } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase token ...`: personal API tokens of the APIs that authenticate people with one (Clevertim). */

// The mounted APIs with personal tokens, loaded on use (they bring fastify with them).
async function requireTokenApi(name: string): Promise<ApiModule> {
  const { apis } = (await import('../../apis/index.ts')) as { apis: ApiModule[] };
  const withTokens = apis.filter((api) => api.personalApiTokens);
  const api = withTokens.find((candidate) => candidate.name === name.trim().toLowerCase());
  if (!api) throw new CliError(`--api: no API named "${name}" has personal API tokens; use ${withTokens.map((a) => a.name).join(', ') || '(none mounted)'}`);
  return api;
}

const create: Command = {
  name: 'token create',
  summary: 'Make a person\'s API token for a company and print it (replaces the one they had)',
  usage: 'token create --api API --user EMAIL --company ID [--json]',
  details: [
    'The token is printed once: only its SHA-256 is stored. Making a new one ends the person\'s previous',
    'token for that company at once (as "Regenerate" on their console page "My Info & Settings" does).',
    'The person must be a member of the company; the API applies their role there (viewers only read).',
  ].join('\n'),
  json: true,
  fieldNames: { email: '--user' },
  options: {
    api: { type: 'string', value: 'API', description: 'The API the token is for (one with personal tokens, e.g. clevertim)', required: true },
    user: { type: 'string', value: 'EMAIL', description: 'The person\'s email address', required: true },
    company: { type: 'string', value: 'ID', description: 'The company the token reaches (the person must be a member)', required: true },
  },
  async run(input) {
    const api = await requireTokenApi(input.string('api')!);
    const email = normaliseEmail(input.string('user')!);
    const companyId = input.string('company')!;
    const issued = await withDatabase(async ({ db }) => {
      const person = await findPersonByEmail(db.orm, email);
      if (!person) throw new CliError(`--user: no person with the email ${email}`);
      const company = await findCompany(db.orm, companyId);
      if (!company) throw new CliError(`--company: no company with id ${companyId}`);
      const role = await roleIn(db.orm, person.id, company.id);
      if (!role) throw new CliError(`--company: ${person.email} is not a member of ${company.name} (${company.id}); add them with opsbase user create --email ${person.email} --company ${company.id} --role ROLE`);
      const token = await issueApiToken(db.orm, { api: api.name, companyId: company.id, personId: person.id, prefix: api.personalApiTokens?.prefix });
      return { ...token, person, company, role };
    });
    if (input.json) {
      return printJson({
        api: api.name,
        token: issued.token,
        user: issued.person.email,
        company_id: issued.company.id,
        role: issued.role,
        created_at: issued.createdAt.toISOString(),
      });
    }
    printLine(`Made a ${api.title} API token for ${issued.person.email} in ${issued.company.name} (${issued.company.id}), role ${issued.role}:`);
    printLine(issued.token);
    printNote('Keep it now: it is not shown again (only its SHA-256 is stored). Any previous token of this person for this company no longer works.');
  },
};

export const token: CommandGroup = {
  name: 'token',
  summary: 'Personal API tokens (Clevertim): create',
  commands: [create],
};
