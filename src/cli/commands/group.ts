import type { ApiModule } from '../../platform/api-module.ts';
import type { Orm } from '../../platform/db/database.ts';
import { addGroupMember, createGroup, deleteGroup, findGroup, listGroups, removeGroupMember, renameGroup, type Group, type GroupWithMembers } from '../../platform/tenancy/groups.ts';
import { findCompany, findPersonByEmail, normaliseEmail, type Company } from '../../platform/tenancy/tenancy.ts';
import { CliError, printJson, printLine, printTable, type Command, type CommandGroup } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase group ...`: groups of a company's people (Clevertim's user groups and record `gid` masks). */

const COMPANY = { type: 'string', value: 'ID', description: 'The company (see opsbase company list)', required: true } as const;
const GROUP_ARG = { name: 'GROUP', description: 'The group\'s id (see opsbase group list --company ID)' };
const USER = { type: 'string', value: 'EMAIL', description: 'The person\'s email address (a member of the company)', required: true } as const;

function groupJson(group: GroupWithMembers) {
  return {
    id: group.id,
    company_id: group.companyId,
    name: group.name,
    gid: group.gid,
    members: group.members.map((m) => ({ person_id: m.personId, email: m.email, name: m.name })),
    created_at: group.createdAt.toISOString(),
  };
}

async function requireCompany(orm: Orm, companyId: string): Promise<Company> {
  const company = await findCompany(orm, companyId);
  if (!company) throw new CliError(`--company: no company with id ${companyId}`);
  return company;
}

async function requireGroup(orm: Orm, company: Company, groupId: string): Promise<Group> {
  const group = await findGroup(orm, company.id, groupId);
  if (!group) throw new CliError(`GROUP: ${company.name} (${company.id}) has no group with id ${groupId}`);
  return group;
}

async function requirePerson(orm: Orm, email: string) {
  const person = await findPersonByEmail(orm, normaliseEmail(email));
  if (!person) throw new CliError(`--user: no person with the email ${normaliseEmail(email)}`);
  return person;
}

async function withGroup(orm: Orm, companyId: string, groupId: string): Promise<GroupWithMembers> {
  return (await listGroups(orm, companyId, [groupId]))[0]!;
}

function printGroup(group: GroupWithMembers): void {
  printLine(`${group.id}  ${group.name}  (gid ${group.gid}; ${group.members.length === 0 ? 'no members' : group.members.map((m) => m.email).join(', ')})`);
}

const create: Command = {
  name: 'group create',
  summary: 'Create a group of a company\'s people',
  details: 'The group gets the lowest free gid bit (1, 2, 4, ...); a company has at most 31 groups.',
  json: true,
  options: { company: COMPANY, name: { type: 'string', value: 'NAME', description: 'The group\'s name (unique in the company)', required: true } },
  async run(input) {
    const group = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      const made = await createGroup(db.orm, company.id, { name: input.string('name')! });
      return withGroup(db.orm, company.id, made.id);
    });
    if (input.json) return printJson(groupJson(group));
    printLine('Created group:');
    printGroup(group);
  },
};

const list: Command = {
  name: 'group list',
  summary: 'List a company\'s groups with their members',
  json: true,
  options: { company: COMPANY },
  async run(input) {
    const groups = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      return listGroups(db.orm, company.id);
    });
    if (input.json) return printJson(groups.map(groupJson));
    if (groups.length === 0) return printLine(`No groups yet. Create one with: opsbase group create --company ${input.string('company')} --name NAME`);
    printTable(['ID', 'GID', 'NAME', 'MEMBERS'], groups.map((g) => [g.id, String(g.gid), g.name, g.members.map((m) => m.email).join(', ') || '-']));
  },
};

const rename: Command = {
  name: 'group rename',
  summary: 'Rename a group',
  json: true,
  args: [GROUP_ARG],
  options: { company: COMPANY, name: { type: 'string', value: 'NAME', description: 'The new name', required: true } },
  async run(input) {
    const group = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      await requireGroup(db.orm, company, input.arg('GROUP'));
      await renameGroup(db.orm, company.id, input.arg('GROUP'), input.string('name')!);
      return withGroup(db.orm, company.id, input.arg('GROUP'));
    });
    if (input.json) return printJson(groupJson(group));
    printLine('Renamed group:');
    printGroup(group);
  },
};

const remove: Command = {
  name: 'group delete',
  summary: 'Delete a group',
  details: 'Records its members alone could see become private to whoever made them (owners and admins still see them).',
  json: true,
  args: [GROUP_ARG],
  options: { company: COMPANY },
  async run(input) {
    // The APIs clear the group's bit from their records in the same transaction (loaded on use: they bring fastify).
    const { apis } = (await import('../../apis/index.ts')) as { apis: ApiModule[] };
    const hooks = apis.flatMap((api) => (api.groupDeleted ? [api.groupDeleted] : []));
    const group = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      await requireGroup(db.orm, company, input.arg('GROUP'));
      return (await deleteGroup(db.orm, company.id, input.arg('GROUP'), hooks))!;
    });
    if (input.json) return printJson({ id: group.id, company_id: group.companyId, name: group.name, deleted: true });
    printLine(`Deleted group ${group.id} (${group.name}).`);
  },
};

const addMember: Command = {
  name: 'group add-member',
  summary: 'Add a member of the company to a group',
  json: true,
  args: [GROUP_ARG],
  options: { company: COMPANY, user: USER },
  fieldNames: { person: '--user' },
  async run(input) {
    const group = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      await requireGroup(db.orm, company, input.arg('GROUP'));
      const person = await requirePerson(db.orm, input.string('user')!);
      await addGroupMember(db.orm, company.id, input.arg('GROUP'), person.id);
      return withGroup(db.orm, company.id, input.arg('GROUP'));
    });
    if (input.json) return printJson(groupJson(group));
    printLine('Added; the group now is:');
    printGroup(group);
  },
};

const removeMember: Command = {
  name: 'group remove-member',
  summary: 'Take a person out of a group',
  json: true,
  args: [GROUP_ARG],
  options: { company: COMPANY, user: USER },
  async run(input) {
    const group = await withDatabase(async ({ db }) => {
      const company = await requireCompany(db.orm, input.string('company')!);
      const existing = await requireGroup(db.orm, company, input.arg('GROUP'));
      const person = await requirePerson(db.orm, input.string('user')!);
      if (!(await removeGroupMember(db.orm, company.id, existing.id, person.id))) throw new CliError(`--user: ${person.email} is not in the group ${existing.name}`);
      return withGroup(db.orm, company.id, existing.id);
    });
    if (input.json) return printJson(groupJson(group));
    printLine('Removed; the group now is:');
    printGroup(group);
  },
};

export const group: CommandGroup = {
  name: 'group',
  summary: 'Groups of a company\'s people: create, list, rename, delete, add and remove members',
  commands: [create, list, rename, remove, addMember, removeMember],
};
