import { Type, type Static } from 'typebox';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from '../../../platform/db/database.ts';
import { isTransaction, prepared } from '../../../platform/db/prepared.ts';
import { gidOf } from '../../../platform/tenancy/groups.ts';
import { groupMembers, groups, memberships, people } from '../../../platform/tenancy/schema.ts';
import { ctCases, ctContacts, ctGroups, ctOpportunities, ctTasks, ctUsers } from '../schema.ts';
import { entitlementsOf, type Db } from './caller.ts';

/**
 * Clevertim users (spec 4.11) are the company's members, each with a numeric id of its own. The id is
 * made the first time the person is seen through Clevertim and kept for good. Users and groups are
 * read-only in the API: groups are the platform's groups of a company's people.
 */
export const UserSchema = Type.Object(
  {
    id: Type.Integer({ description: 'The user’s id (what `userId`, `leadUser`, `aUserId` and `puser` name)' }),
    user: Type.String({ description: 'Display name' }),
    email: Type.String(),
    is_owner: Type.Boolean(),
    is_admin: Type.Boolean(),
    permissions: Type.Array(Type.Enum(['canexport', 'canedit', 'candelete'], { type: 'string' }), { description: 'What the user may do beyond reading' }),
    pending: Type.Boolean({ description: 'Invited, not joined yet (always false here)' }),
  },
  { $id: 'ClevertimUser', additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

export const GroupSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    gid: Type.Integer({ description: 'A power of two: the bit records use in their `gid` mask' }),
    users: Type.Array(Type.Integer()),
  },
  { $id: 'ClevertimGroup', additionalProperties: false },
);
export type Group = Static<typeof GroupSchema>;

/** The person's Clevertim user id in the company, made on first use. */
export async function ensureUserId(db: Db, companyId: string, personId: string): Promise<number> {
  // Asked on every authenticated request: outside a transaction, a statement prepared once (prepared.ts).
  const [known] = isTransaction(db)
    ? await db.select({ id: ctUsers.id }).from(ctUsers).where(and(eq(ctUsers.companyId, companyId), eq(ctUsers.personId, personId)))
    : await prepared(db as Orm, 'ct_user_id_of_person', (orm) =>
        orm.select({ id: ctUsers.id }).from(ctUsers).where(and(eq(ctUsers.companyId, sql.placeholder('companyId')), eq(ctUsers.personId, sql.placeholder('personId')))),
      ).execute({ companyId, personId });
  if (known) return known.id;
  await db.insert(ctUsers).values({ companyId, personId }).onConflictDoNothing();
  const [made] = await db.select({ id: ctUsers.id }).from(ctUsers).where(and(eq(ctUsers.companyId, companyId), eq(ctUsers.personId, personId)));
  return made!.id;
}

/** Gives every current member without one a user id (one statement; inserts nothing when all have one). */
async function ensureMemberUserIds(db: Db, companyId: string): Promise<void> {
  await db.execute(sql`
    INSERT INTO ct_users (company_id, person_id)
    SELECT m.company_id, m.person_id FROM memberships m
    WHERE m.company_id = ${companyId}
      AND NOT EXISTS (SELECT 1 FROM ct_users u WHERE u.company_id = m.company_id AND u.person_id = m.person_id)
    ON CONFLICT DO NOTHING`);
}

/** The company's current members as Clevertim users, by ascending id. */
export async function listUsers(db: Db, companyId: string, ids?: number[]): Promise<User[]> {
  await ensureMemberUserIds(db, companyId);
  const rows = await db
    .select({ id: ctUsers.id, name: people.name, email: people.email, role: memberships.role })
    .from(ctUsers)
    .innerJoin(memberships, and(eq(memberships.companyId, ctUsers.companyId), eq(memberships.personId, ctUsers.personId)))
    .innerJoin(people, eq(people.id, ctUsers.personId))
    .where(and(eq(ctUsers.companyId, companyId), ids ? inArray(ctUsers.id, ids) : undefined))
    .orderBy(asc(ctUsers.id));
  return rows.map((row) => {
    const entitlements = entitlementsOf(row.role);
    return { id: row.id, user: row.name, email: row.email, is_owner: entitlements.isOwner, is_admin: entitlements.isAdmin, permissions: entitlements.permissions, pending: false };
  });
}

/** Which of these user ids are current members of the company (for `leadUser`, `aUserId`, `puser`). */
export async function existingUserIds(db: Db, companyId: string, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: ctUsers.id })
    .from(ctUsers)
    .innerJoin(memberships, and(eq(memberships.companyId, ctUsers.companyId), eq(memberships.personId, ctUsers.personId)))
    .where(and(eq(ctUsers.companyId, companyId), inArray(ctUsers.id, ids)));
  return new Set(rows.map((row) => row.id));
}

/**
 * The company's groups (the platform's groups of people, managed on the console page Groups and by
 * `opsbase group`) as Clevertim groups, by ascending id: each with its numeric id (made on first listing,
 * kept while the group lives), its `gid` bit and its members' user ids.
 */
export async function listGroups(db: Db, companyId: string, ids?: number[]): Promise<Group[]> {
  await db.execute(sql`
    INSERT INTO ct_groups (company_id, group_id)
    SELECT g.company_id, g.id FROM groups g
    WHERE g.company_id = ${companyId} AND NOT EXISTS (SELECT 1 FROM ct_groups c WHERE c.group_id = g.id)
    ON CONFLICT DO NOTHING`);
  await ensureMemberUserIds(db, companyId);
  const rows = await db
    .select({ id: ctGroups.id, groupId: groups.id, name: groups.name, bit: groups.bit })
    .from(ctGroups)
    .innerJoin(groups, and(eq(groups.companyId, ctGroups.companyId), eq(groups.id, ctGroups.groupId)))
    .where(and(eq(ctGroups.companyId, companyId), ids ? inArray(ctGroups.id, ids) : undefined))
    .orderBy(asc(ctGroups.id));
  if (rows.length === 0) return [];
  const members = await db
    .select({ groupId: groupMembers.groupId, userId: ctUsers.id })
    .from(groupMembers)
    .innerJoin(ctUsers, and(eq(ctUsers.companyId, groupMembers.companyId), eq(ctUsers.personId, groupMembers.personId)))
    .where(and(eq(groupMembers.companyId, companyId), inArray(groupMembers.groupId, rows.map((row) => row.groupId))))
    .orderBy(asc(ctUsers.id));
  return rows.map((row) => ({ id: row.id, name: row.name, gid: gidOf(row.bit), users: members.filter((m) => m.groupId === row.groupId).map((m) => m.userId) }));
}

/**
 * When a group is deleted (ApiModule.groupDeleted), its bit leaves every record's `gid`, so a group made
 * later with the same bit sees none of them. A record that only the deleted group could see does not
 * become everyone's: it becomes private to its `puser`, or else to whoever made it (owners and admins
 * still see it), never wider than before.
 */
export async function clearDeletedGroup(tx: Db, group: { companyId: string; gid: number }): Promise<void> {
  for (const table of [ctContacts, ctCases, ctOpportunities, ctTasks]) {
    const remaining = sql`(${table.gid} & ~${group.gid}::integer)`;
    await tx
      .update(table)
      .set({
        gid: remaining,
        isPrivate: sql`${table.isPrivate} OR ${remaining} = 0`,
        puser: sql`CASE WHEN ${remaining} = 0 THEN coalesce(${table.puser}, ${table.userId}) ELSE ${table.puser} END`,
        updatedAt: sql`now()`,
      } as never)
      .where(and(eq(table.companyId, group.companyId), sql`(${table.gid} & ${group.gid}::integer) <> 0`));
  }
}
