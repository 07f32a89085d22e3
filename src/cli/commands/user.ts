import type { Orm } from '../../platform/db/database.ts';
import { ROLES } from '../../platform/tenancy/schema.ts';
import {
  addMembership,
  companiesOf,
  createPerson,
  findCompany,
  findPerson,
  findPersonByEmail,
  listPeople,
  normaliseEmail,
  parseRole,
  roleIn,
  setPassword,
  TenancyInputError,
  type PersonWithMemberships,
} from '../../platform/tenancy/tenancy.ts';
import { CliError, UsageError, printJson, printLine, printNote, printTable, type Command, type CommandGroup, type CommandInput } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase user ...`: people who sign in to the console, and their memberships. */
const ROLE_LIST = ROLES.join(', ');

const PASSWORD_STDIN_OPTION = {
  type: 'boolean',
  description: 'Read the password from the first line of standard input instead (keeps it out of the process list and shell history)',
} as const;

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The password of --password or --password-stdin. An argument is visible to every local user in the
 * process list and stays in shell history, so scripts should pipe it in:
 * `printf '%s\n' "$PW" | opsbase user set-password --email E --password-stdin`.
 */
async function passwordInput(input: CommandInput): Promise<string | undefined> {
  const given = input.string('password');
  if (!input.flag('password-stdin')) return given;
  if (given !== undefined) throw new UsageError('give --password P or --password-stdin, not both');
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from standard input: pipe it in');
  const line = (await readStandardInput()).split(/\r?\n/)[0]!;
  if (line === '') throw new UsageError('--password-stdin: standard input held no password');
  return line;
}

function personJson(person: PersonWithMemberships) {
  return {
    id: person.id,
    email: person.email,
    name: person.name,
    created_at: person.createdAt.toISOString(),
    memberships: person.memberships.map((m) => ({ company_id: m.companyId, company_name: m.companyName, role: m.role })),
  };
}

async function personWithMemberships(orm: Orm, personId: string): Promise<PersonWithMemberships> {
  const [person, companies] = await Promise.all([findPerson(orm, personId), companiesOf(orm, personId)]);
  if (!person) throw new Error(`person ${personId} vanished while the command ran`);
  return { ...person, memberships: companies.map(({ company, role }) => ({ companyId: company.id, companyName: company.name, role })) };
}

const create: Command = {
  name: 'user create',
  summary: 'Create a person, or add an existing person to a company',
  usage: 'user create --email E (--password P | --password-stdin) --name N [--company ID --role ROLE] [--json]',
  details: [
    'For a new person, --password and --name are required. When a person with the email exists already,',
    'give --company and --role: they are added to the company, or their role in it is changed; their',
    'password and name are left as they are (change the password with opsbase user set-password).',
  ].join('\n'),
  json: true,
  options: {
    email: { type: 'string', value: 'E', description: 'Their email address (the sign-in name)', required: true },
    password: { type: 'string', value: 'P', description: 'Their password (at least 8 characters); only its argon2id hash is kept' },
    'password-stdin': PASSWORD_STDIN_OPTION,
    name: { type: 'string', value: 'N', description: 'Their name' },
    company: { type: 'string', value: 'ID', description: 'A company to make them a member of (with --role)' },
    role: { type: 'string', value: 'ROLE', description: `Their role in --company: ${ROLE_LIST}` },
  },
  async run(input) {
    const email = normaliseEmail(input.string('email')!);
    const [name, companyId, role] = ['name', 'company', 'role'].map((o) => input.string(o));
    const password = await passwordInput(input);
    if (role !== undefined && companyId === undefined) throw new UsageError('--role needs --company ID');
    if (companyId !== undefined && role === undefined) throw new UsageError(`--company needs --role ROLE (${ROLE_LIST})`);
    if (role !== undefined) parseRole(role);

    const result = await withDatabase(async ({ db }) => {
      // Check the membership before writing anything, so a bad company leaves no person behind.
      if (companyId !== undefined) {
        if (!(await findCompany(db.orm, companyId))) throw new TenancyInputError('company', `no company with id ${companyId}`);
      }
      const existing = await findPersonByEmail(db.orm, email);
      if (existing) {
        if (companyId === undefined) {
          throw new CliError(`--email: a person with the email ${existing.email} already exists; give --company ID --role ROLE to add them to a company`);
        }
        const before = await roleIn(db.orm, existing.id, companyId);
        await addMembership(db.orm, { companyId, personId: existing.id, role: role! });
        return { created: false, previousRole: before, person: await personWithMemberships(db.orm, existing.id) };
      }
      if (password === undefined) throw new UsageError('missing --password P or --password-stdin (needed to create a new person)');
      if (name === undefined) throw new UsageError('missing --name N (needed to create a new person)');
      const personId = await db.orm.transaction(async (tx) => {
        // The tenancy functions only build queries, which a transaction does as the pool would.
        const orm = tx as unknown as Orm;
        const person = await createPerson(orm, { email, password, name });
        if (companyId !== undefined) await addMembership(orm, { companyId, personId: person.id, role: role! });
        return person.id;
      });
      return { created: true, previousRole: null, person: await personWithMemberships(db.orm, personId) };
    });

    const { person, created, previousRole } = result;
    if (!created && (password !== undefined || name !== undefined)) {
      printNote(`${person.email} already exists: their password and name were left unchanged (use opsbase user set-password to change the password).`);
    }
    const membership = companyId ? person.memberships.find((m) => m.companyId === companyId) ?? null : null;
    if (input.json) {
      return printJson({ created, person: personJson(person), membership: membership && { company_id: membership.companyId, role: membership.role, previous_role: previousRole } });
    }
    printLine(created ? `Created ${person.email} (${person.id})` : `${person.email} (${person.id}) already exists`);
    if (membership) {
      const change = previousRole === null ? 'is now' : previousRole === membership.role ? 'stays' : `changed from ${previousRole} to`;
      printLine(`${person.email} ${change} ${membership.role} of ${membership.companyName} (${membership.companyId})`);
    }
  },
};

const setPasswordCommand: Command = {
  name: 'user set-password',
  summary: 'Set a person\'s password',
  usage: 'user set-password --email E (--password P | --password-stdin) [--json]',
  json: true,
  options: {
    email: { type: 'string', value: 'E', description: 'The person\'s email address', required: true },
    password: { type: 'string', value: 'P', description: 'The new password (at least 8 characters)' },
    'password-stdin': PASSWORD_STDIN_OPTION,
  },
  async run(input) {
    const email = normaliseEmail(input.string('email')!);
    const password = await passwordInput(input);
    if (password === undefined) throw new UsageError('missing --password P or --password-stdin');
    const person = await withDatabase(async ({ db }) => {
      const found = await findPersonByEmail(db.orm, email);
      if (!found) throw new CliError(`--email: no person with the email ${email}`);
      await setPassword(db.orm, found.id, password);
      return found;
    });
    if (input.json) return printJson({ id: person.id, email: person.email, password_changed: true });
    printLine(`Changed the password of ${person.email}.`);
  },
};

const list: Command = {
  name: 'user list',
  summary: 'List people and their memberships',
  json: true,
  options: {
    company: { type: 'string', value: 'ID', description: 'Only the members of this company' },
  },
  async run(input) {
    const companyId = input.string('company');
    const people = await withDatabase(async ({ db }) => {
      if (companyId !== undefined && !(await findCompany(db.orm, companyId))) throw new CliError(`--company: no company with id ${companyId}`);
      return listPeople(db.orm, { companyId });
    });
    if (input.json) return printJson(people.map(personJson));
    if (people.length === 0) return printLine(companyId ? 'The company has no members.' : 'No people yet. Create one with: opsbase user create --email E --password P --name N');
    printTable(
      ['ID', 'EMAIL', 'NAME', 'MEMBERSHIPS'],
      people.map((p) => [p.id, p.email, p.name, p.memberships.map((m) => `${m.role} of ${m.companyName} (${m.companyId})`).join(', ') || '-']),
    );
  },
};

export const user: CommandGroup = {
  name: 'user',
  summary: 'People who sign in to the console: create, add to companies, set passwords, list',
  commands: [create, setPasswordCommand, list],
};
