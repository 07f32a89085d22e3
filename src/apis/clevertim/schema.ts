import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { companies, groups, people } from '../../platform/tenancy/schema.ts';

/**
 * Clevertim's records (spec section 4). Every table is keyed (company_id, id) and every link between
 * records is a composite foreign key on (company_id, <link>), so a record can never point at another
 * company's record.
 *
 * Ids are numbers, as Clevertim clients need (spec 7.4), drawn from ONE sequence for every Clevertim
 * table: contacts and companies (one table) share an id space, as clients resolving a bare `cust` id
 * rely on (spec 7.7, R-9), and no id is ever reused. A global sequence rather than one counter per
 * company: no hot counter row that every insert of a company must lock, at the cost of ids that are
 * not dense per company (which Clevertim never promised).
 *
 * A record's plain attributes (names, emails, phones, tags, ...) are kept in `attrs`, a JSON object under
 * their Clevertim names, validated field by field on the way in (records/resources.ts): Clevertim has no
 * filtering or sorting on them, and every read returns whole records. What the database must enforce is
 * in columns: the tenant, links to other records (so back-references are an index lookup and deletes
 * can clear them), visibility, timestamps and custom-field values.
 */
export const ctIdSequence = pgSequence('ct_id_seq', { startWith: 1, increment: 1 });

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const ref = (name: string) => bigint(name, { mode: 'number' });

const recordColumns = () => ({
  companyId: text('company_id')
    .notNull()
    .references(() => companies.id, { onDelete: 'cascade' }),
  id: bigint('id', { mode: 'number' })
    .notNull()
    .default(sql`nextval('ct_id_seq')`),
  /** The Clevertim user (ct_users.id) who created the record: `userId`. */
  userId: ref('user_id'),
  attrs: jsonb('attrs').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Spec 4.1: `is_private` + `puser` (one user sees it) and `gid` (a bitmask of groups; 0 = everyone). */
const visibilityColumns = () => ({
  isPrivate: boolean('is_private').notNull().default(false),
  puser: ref('puser'),
  gid: integer('gid').notNull().default(0),
});

/** Custom-field values `{"<customFieldId>": value}` (spec 4.10). */
const customFieldValues = () => jsonb('cf').$type<Record<string, unknown>>().notNull().default({});

/**
 * Clevertim's numeric user ids for the platform's people: one per person per company, made when the
 * person is first seen through Clevertim (their token, the user list). Ended memberships keep their row,
 * so `userId` on old records still names someone.
 */
export const ctUsers = pgTable(
  'ct_users',
  {
    companyId: text('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    id: bigint('id', { mode: 'number' })
      .notNull()
      .default(sql`nextval('ct_id_seq')`),
    personId: text('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'ct_users_pk', columns: [t.companyId, t.id] }), uniqueIndex('ct_users_person_key').on(t.companyId, t.personId)],
);

/** People (`is_company` false, served at /contact) and companies (`is_company` true, at /company). */
export const ctContacts = pgTable(
  'ct_contacts',
  {
    ...recordColumns(),
    ...visibilityColumns(),
    isCompany: boolean('is_company').notNull(),
    /** A person's company: `companyId` in the API. */
    employerId: ref('employer_id'),
    cf: customFieldValues(),
  },
  (t) => [
    primaryKey({ name: 'ct_contacts_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_contacts_employer_fk', columns: [t.companyId, t.employerId], foreignColumns: [t.companyId, t.id] }),
    index('ct_contacts_employer_idx').on(t.companyId, t.employerId),
  ],
);

export const ctCases = pgTable(
  'ct_cases',
  {
    ...recordColumns(),
    ...visibilityColumns(),
    custId: ref('cust_id'),
    leadUser: ref('lead_user'),
    cf: customFieldValues(),
  },
  (t) => [
    primaryKey({ name: 'ct_cases_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_cases_cust_fk', columns: [t.companyId, t.custId], foreignColumns: [ctContacts.companyId, ctContacts.id] }),
    index('ct_cases_cust_idx').on(t.companyId, t.custId),
  ],
);

export const ctOpportunities = pgTable(
  'ct_opportunities',
  {
    ...recordColumns(),
    ...visibilityColumns(),
    custId: ref('cust_id'),
    leadUser: ref('lead_user'),
    cf: customFieldValues(),
  },
  (t) => [
    primaryKey({ name: 'ct_opportunities_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_opportunities_cust_fk', columns: [t.companyId, t.custId], foreignColumns: [ctContacts.companyId, ctContacts.id] }),
    index('ct_opportunities_cust_idx').on(t.companyId, t.custId),
  ],
);

export const ctTasks = pgTable(
  'ct_tasks',
  {
    ...recordColumns(),
    ...visibilityColumns(),
    custId: ref('cust_id'),
    caseId: ref('case_id'),
    oppId: ref('opp_id'),
    aUserId: ref('a_user_id'),
  },
  (t) => [
    primaryKey({ name: 'ct_tasks_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_tasks_cust_fk', columns: [t.companyId, t.custId], foreignColumns: [ctContacts.companyId, ctContacts.id] }),
    foreignKey({ name: 'ct_tasks_case_fk', columns: [t.companyId, t.caseId], foreignColumns: [ctCases.companyId, ctCases.id] }),
    foreignKey({ name: 'ct_tasks_opp_fk', columns: [t.companyId, t.oppId], foreignColumns: [ctOpportunities.companyId, ctOpportunities.id] }),
    index('ct_tasks_cust_idx').on(t.companyId, t.custId),
    index('ct_tasks_case_idx').on(t.companyId, t.caseId),
    index('ct_tasks_opp_idx').on(t.companyId, t.oppId),
  ],
);

export const ctNotes = pgTable(
  'ct_notes',
  {
    ...recordColumns(),
    caseId: ref('case_id'),
    opportunityId: ref('opportunity_id'),
  },
  (t) => [
    primaryKey({ name: 'ct_notes_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_notes_case_fk', columns: [t.companyId, t.caseId], foreignColumns: [ctCases.companyId, ctCases.id] }),
    foreignKey({ name: 'ct_notes_opportunity_fk', columns: [t.companyId, t.opportunityId], foreignColumns: [ctOpportunities.companyId, ctOpportunities.id] }),
    index('ct_notes_case_idx').on(t.companyId, t.caseId),
    index('ct_notes_opportunity_idx').on(t.companyId, t.opportunityId),
  ],
);

/** A note's `cust` list (spec 7.12): the contacts and companies it is about, in the order given. */
export const ctNoteContacts = pgTable(
  'ct_note_contacts',
  {
    companyId: text('company_id').notNull(),
    noteId: bigint('note_id', { mode: 'number' }).notNull(),
    contactId: bigint('contact_id', { mode: 'number' }).notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ name: 'ct_note_contacts_pk', columns: [t.companyId, t.noteId, t.contactId] }),
    foreignKey({ name: 'ct_note_contacts_note_fk', columns: [t.companyId, t.noteId], foreignColumns: [ctNotes.companyId, ctNotes.id] }).onDelete('cascade'),
    foreignKey({ name: 'ct_note_contacts_contact_fk', columns: [t.companyId, t.contactId], foreignColumns: [ctContacts.companyId, ctContacts.id] }).onDelete('cascade'),
    index('ct_note_contacts_contact_idx').on(t.companyId, t.contactId),
  ],
);

/** A comment belongs to exactly one note (`nid`) or task (`tid`) and is deleted with it. */
export const ctComments = pgTable(
  'ct_comments',
  {
    ...recordColumns(),
    noteId: ref('note_id'),
    taskId: ref('task_id'),
  },
  (t) => [
    primaryKey({ name: 'ct_comments_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_comments_note_fk', columns: [t.companyId, t.noteId], foreignColumns: [ctNotes.companyId, ctNotes.id] }).onDelete('cascade'),
    foreignKey({ name: 'ct_comments_task_fk', columns: [t.companyId, t.taskId], foreignColumns: [ctTasks.companyId, ctTasks.id] }).onDelete('cascade'),
    index('ct_comments_note_idx').on(t.companyId, t.noteId),
    index('ct_comments_task_idx').on(t.companyId, t.taskId),
    check('ct_comments_one_parent', sql`(${t.noteId} is null) <> (${t.taskId} is null)`),
  ],
);

/** Custom-field definitions (spec 4.9), per company. */
export const ctCustomFields = pgTable('ct_custom_fields', { ...recordColumns() }, (t) => [primaryKey({ name: 'ct_custom_fields_pk', columns: [t.companyId, t.id] })]);

/**
 * Clevertim's numeric group ids for the platform's groups (tenancy `groups`), made when a group is first
 * listed through Clevertim, gone with the group. The group's `gid` bit is the platform's.
 */
export const ctGroups = pgTable(
  'ct_groups',
  {
    companyId: text('company_id').notNull(),
    id: bigint('id', { mode: 'number' })
      .notNull()
      .default(sql`nextval('ct_id_seq')`),
    groupId: text('group_id').notNull(),
  },
  (t) => [
    primaryKey({ name: 'ct_groups_pk', columns: [t.companyId, t.id] }),
    uniqueIndex('ct_groups_group_key').on(t.groupId),
    foreignKey({ name: 'ct_groups_group_fk', columns: [t.companyId, t.groupId], foreignColumns: [groups.companyId, groups.id] }).onDelete('cascade'),
  ],
);

/** Folders: `name` in attrs, `parentId` (null = the root); deleting a folder deletes its sub-folders. */
export const ctFolders = pgTable(
  'ct_folders',
  {
    ...recordColumns(),
    parentId: ref('parent_id'),
  },
  (t) => [
    primaryKey({ name: 'ct_folders_pk', columns: [t.companyId, t.id] }),
    foreignKey({ name: 'ct_folders_parent_fk', columns: [t.companyId, t.parentId], foreignColumns: [t.companyId, t.id] }).onDelete('cascade'),
    index('ct_folders_parent_idx').on(t.companyId, t.parentId),
  ],
);
