import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';

export const PLANS = ['trial', 'starter', 'pro', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
/**
 * A person's role in a company. Owners and admins manage it; members work in it; viewers read its data
 * and change nothing (each API maps these to its own permissions, e.g. Clevertim's canedit/candelete).
 */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
/** Roles whose holders may change a company's data (create, update, delete records). */
export const WRITING_ROLES: readonly Role[] = ['owner', 'admin', 'member'];

const stamp = (name: string) => timestamp(name, { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** A tenant. Every row of tenant data carries `company_id` and is only reached through it. */
export const companies = pgTable(
  'companies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    plan: text('plan').$type<Plan>().notNull(),
    // Enterprise contracts override the plan's rate limits; null means "the plan's figure".
    limitPerMinute: integer('limit_per_minute'),
    limitPerDay: integer('limit_per_day'),
    limitPerMonth: integer('limit_per_month'),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  },
  (t) => [check('companies_plan_check', sql`${t.plan} in ('trial','starter','pro','business','enterprise')`)],
);

/** Someone who signs in to the console. Belongs to zero or more companies. */
export const people = pgTable(
  'people',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  },
  (t) => [uniqueIndex('people_email_key').on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  'memberships',
  {
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    personId: text('person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    createdAt: stamp('created_at'),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.personId] }),
    index('memberships_person_idx').on(t.personId),
    check('memberships_role_check', sql`${t.role} in ('owner','admin','member','viewer')`),
  ],
);

/**
 * A named group of a company's people (Clevertim's user groups, approver groups, ...). Each live group of
 * a company holds one bit of a 31-bit mask (`bit` 0..30, so `gid` = 2^bit fits a positive 32-bit int):
 * APIs that restrict records to groups store such masks. A bit is free again once its group is deleted;
 * APIs clear it from what they stored in the deleting transaction (ApiModule.groupDeleted).
 */
export const GROUP_BITS = 31;

export const groups = pgTable(
  'groups',
  {
    id: text('id').primaryKey(),
    companyId: text('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    bit: integer('bit').notNull(),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  },
  (t) => [
    unique('groups_company_id_key').on(t.companyId, t.id),
    uniqueIndex('groups_company_bit_key').on(t.companyId, t.bit),
    uniqueIndex('groups_company_name_key').on(t.companyId, sql`lower(${t.name})`),
    check('groups_bit_check', sql`${t.bit} between 0 and 30`),
  ],
);

/** Who is in which group: only members of the group's company (ending the membership ends this too). */
export const groupMembers = pgTable(
  'group_members',
  {
    companyId: text('company_id').notNull(),
    groupId: text('group_id').notNull(),
    personId: text('person_id').notNull(),
    createdAt: stamp('created_at'),
  },
  (t) => [
    primaryKey({ name: 'group_members_pk', columns: [t.groupId, t.personId] }),
    foreignKey({ name: 'group_members_group_fk', columns: [t.companyId, t.groupId], foreignColumns: [groups.companyId, groups.id] }).onDelete('cascade'),
    foreignKey({ name: 'group_members_membership_fk', columns: [t.companyId, t.personId], foreignColumns: [memberships.companyId, memberships.personId] }).onDelete('cascade'),
    index('group_members_person_idx').on(t.companyId, t.personId),
  ],
);
