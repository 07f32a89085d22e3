import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.ts';
import type { Tx } from '../idempotency/idempotency.ts';
import { newId } from '../ids.ts';
import { companies, GROUP_BITS, groupMembers, groups, memberships, people } from './schema.ts';
import { TenancyInputError } from './tenancy.ts';

/**
 * Groups of a company's people (schema.ts `groups`): made, renamed and deleted by the company's owners
 * and admins (console page, `opsbase group ...`), and used by APIs that restrict records to groups
 * (Clevertim's `gid` masks). Every function takes the company id: a group is only ever reached through
 * its company.
 */
export type Group = typeof groups.$inferSelect;

export interface GroupMember {
  personId: string;
  email: string;
  name: string;
}

export interface GroupWithMembers extends Group {
  /** 2^bit: the group's flag in a mask. */
  gid: number;
  members: GroupMember[];
}

/** What an API does, in the deleting transaction, when a group goes (its bit may be given to a new group). */
export type GroupDeletedHook = (tx: Tx, group: { companyId: string; id: string; bit: number; gid: number }) => Promise<void>;

const MAX_NAME = 100;

export const gidOf = (bit: number) => 2 ** bit;

function groupName(value: string): string {
  const name = value.trim();
  if (name === '') throw new TenancyInputError('name', 'name must not be empty');
  if (name.length > MAX_NAME) throw new TenancyInputError('name', `name must be at most ${MAX_NAME} characters`);
  return name;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let cause: unknown = error, depth = 0; cause && depth < 3; depth++, cause = (cause as { cause?: unknown }).cause) {
    const e = cause as { code?: unknown; constraint?: unknown; message?: unknown };
    if (e.code === '23505' && (e.constraint === constraint || String(e.message ?? '').includes(constraint))) return true;
  }
  return false;
}

async function nameTaken(db: Orm | Tx, companyId: string, name: string, except?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.companyId, companyId), sql`lower(${groups.name}) = lower(${name})`, except ? ne(groups.id, except) : undefined));
  return row !== undefined;
}

/**
 * A new group with the lowest free bit. The company's row is locked while the bit is chosen, so two
 * groups made at once never pick the same bit.
 */
export async function createGroup(orm: Orm, companyId: string, input: { name: string }): Promise<Group> {
  const name = groupName(input.name);
  try {
    return await orm.transaction(async (tx) => {
      const [company] = await tx.select({ id: companies.id }).from(companies).where(eq(companies.id, companyId)).for('update');
      if (!company) throw new TenancyInputError('company', `No company with id ${companyId}`);
      if (await nameTaken(tx, companyId, name)) throw new TenancyInputError('name', `This company already has a group named "${name}"`);
      const used = new Set((await tx.select({ bit: groups.bit }).from(groups).where(eq(groups.companyId, companyId))).map((row) => row.bit));
      const bit = [...Array(GROUP_BITS).keys()].find((candidate) => !used.has(candidate));
      if (bit === undefined) throw new TenancyInputError('name', `A company has at most ${GROUP_BITS} groups; delete one first`);
      const [group] = await tx.insert(groups).values({ id: newId(), companyId, name, bit }).returning();
      return group!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'groups_company_name_key')) throw new TenancyInputError('name', `This company already has a group named "${name}"`);
    throw error;
  }
}

export async function findGroup(db: Orm | Tx, companyId: string, groupId: string): Promise<Group | null> {
  if (groupId.length > 64) return null;
  const [group] = await db.select().from(groups).where(and(eq(groups.companyId, companyId), eq(groups.id, groupId)));
  return group ?? null;
}

export async function renameGroup(orm: Orm, companyId: string, groupId: string, newName: string): Promise<Group | null> {
  const name = groupName(newName);
  if (await nameTaken(orm, companyId, name, groupId)) throw new TenancyInputError('name', `This company already has a group named "${name}"`);
  try {
    const [group] = await orm
      .update(groups)
      .set({ name, updatedAt: sql`now()` })
      .where(and(eq(groups.companyId, companyId), eq(groups.id, groupId)))
      .returning();
    return group ?? null;
  } catch (error) {
    if (isUniqueViolation(error, 'groups_company_name_key')) throw new TenancyInputError('name', `This company already has a group named "${name}"`);
    throw error;
  }
}

/** Deletes the group and its member list; each API's hook clears the group's bit from what it stored, in the same transaction. */
export async function deleteGroup(orm: Orm, companyId: string, groupId: string, hooks: GroupDeletedHook[]): Promise<Group | null> {
  return orm.transaction(async (tx) => {
    const [group] = await tx.select().from(groups).where(and(eq(groups.companyId, companyId), eq(groups.id, groupId))).for('update');
    if (!group) return null;
    for (const hook of hooks) await hook(tx, { companyId, id: group.id, bit: group.bit, gid: gidOf(group.bit) });
    await tx.delete(groups).where(and(eq(groups.companyId, companyId), eq(groups.id, groupId)));
    return group;
  });
}

/** Adds a member of the company to the group (again: no change). Outsiders are refused. */
export async function addGroupMember(orm: Orm, companyId: string, groupId: string, personId: string): Promise<Group | null> {
  const group = await findGroup(orm, companyId, groupId);
  if (!group) return null;
  const [member] = await orm.select({ personId: memberships.personId }).from(memberships).where(and(eq(memberships.companyId, companyId), eq(memberships.personId, personId)));
  if (!member) throw new TenancyInputError('person', 'Only members of the company can be in its groups');
  await orm.insert(groupMembers).values({ companyId, groupId, personId }).onConflictDoNothing();
  return group;
}

/** Takes the person out of the group; null when the group does not exist, false when they were not in it. */
export async function removeGroupMember(orm: Orm, companyId: string, groupId: string, personId: string): Promise<boolean | null> {
  const group = await findGroup(orm, companyId, groupId);
  if (!group) return null;
  const removed = await orm
    .delete(groupMembers)
    .where(and(eq(groupMembers.companyId, companyId), eq(groupMembers.groupId, groupId), eq(groupMembers.personId, personId)))
    .returning({ personId: groupMembers.personId });
  return removed.length > 0;
}

/** The company's groups by name, each with its members by email. `ids`: only those. */
export async function listGroups(db: Orm | Tx, companyId: string, ids?: string[]): Promise<GroupWithMembers[]> {
  const rows = await db
    .select()
    .from(groups)
    .where(and(eq(groups.companyId, companyId), ids ? inArray(groups.id, ids) : undefined))
    .orderBy(asc(sql`lower(${groups.name})`), asc(groups.id));
  if (rows.length === 0) return [];
  const members = await db
    .select({ groupId: groupMembers.groupId, personId: people.id, email: people.email, name: people.name })
    .from(groupMembers)
    .innerJoin(people, eq(people.id, groupMembers.personId))
    .where(and(eq(groupMembers.companyId, companyId), inArray(groupMembers.groupId, rows.map((row) => row.id))))
    .orderBy(asc(people.email));
  return rows.map((row) => ({
    ...row,
    gid: gidOf(row.bit),
    members: members.filter((m) => m.groupId === row.id).map(({ personId, email, name }) => ({ personId, email, name })),
  }));
}

/** The OR of the bits of the person's groups in the company (0: in none). */
export async function groupMaskOf(db: Orm | Tx, companyId: string, personId: string): Promise<number> {
  const rows = await db
    .select({ bit: groups.bit })
    .from(groupMembers)
    .innerJoin(groups, and(eq(groups.companyId, groupMembers.companyId), eq(groups.id, groupMembers.groupId)))
    .where(and(eq(groupMembers.companyId, companyId), eq(groupMembers.personId, personId)));
  return rows.reduce((mask, row) => mask | gidOf(row.bit), 0);
}

/** The OR of the bits of every group of the company: a mask with any other bit names no group. */
export async function companyGroupMask(db: Orm | Tx, companyId: string): Promise<number> {
  const rows = await db.select({ bit: groups.bit }).from(groups).where(eq(groups.companyId, companyId));
  return rows.reduce((mask, row) => mask | gidOf(row.bit), 0);
}
