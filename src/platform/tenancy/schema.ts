import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
