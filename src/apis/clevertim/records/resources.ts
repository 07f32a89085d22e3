import { Type } from 'typebox';
import { and, eq, sql } from 'drizzle-orm';
import { clevertimError } from '../errors.ts';
import { ctCases, ctComments, ctContacts, ctCustomFields, ctFolders, ctNoteContacts, ctNotes, ctOpportunities, ctTasks } from '../schema.ts';
import { choice, dateParts, decimalText, flag, integer, optionalChoice, recurrenceOptions, text, textList, typedPairs, type Attribute } from './attributes.ts';
import type { Db } from './caller.ts';
import { ELEM_TYPES, MODEL_TYPES } from './custom-field-values.ts';
import type { BackReference, Computed, ResourceSpec, Target, TargetTable } from './resource.ts';
import { createRecordStore } from './store.ts';

/**
 * Clevertim's resources (spec sections 3 and 4), one declaration each, with the enumerations the Python
 * client checks (spec 7.13). Everything a declaration does not say is the record store's common
 * behaviour (store.ts).
 */
export const PHONE_TYPES = ['Work', 'Home', 'Mobile', 'Fax', 'Pager'] as const;
export const SOCIAL_TYPES = [
  'BitBucket', 'Facebook', 'Github', 'Google+', 'Instagram', 'Kik', 'LinkedIn', 'MSN',
  'Pinterest', 'Reddit', 'Skype', 'Snapchat', 'Telegram', 'Twitter', 'Whatsapp', 'YouTube',
] as const;
/** `ctype`: C Customer, P Prospect, S Supplier, R Reseller, E Employee, O Competitor, N Consultant, T Contractor, D Distributor, X Influencer, I Investor, M Manufacturer, A Retailer, V Vendor, W Wholesaler, L Lead, F Friend, H Other. */
export const CONTACT_TYPES = ['C', 'P', 'S', 'R', 'E', 'O', 'N', 'T', 'D', 'X', 'I', 'M', 'A', 'V', 'W', 'L', 'F', 'H'] as const;
export const TASK_TYPES = ['Email', 'TO DO', 'Meeting', 'Not set', 'Call', 'Follow up', 'Appointment'] as const;
export const RECURRENCES = ['N', 'D', 'W', 'M', 'Y'] as const;
/** Note types a client may set; `E` (mail drop box) is only ever made by the server. */
export const SETTABLE_NOTE_TYPES = ['N', 'S', 'M'] as const;
export const NOTE_TYPES = ['N', 'E', 'S', 'M'] as const;

const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';

// ---- what contacts and companies share --------------------------------------------------------------

const address: Record<string, Attribute> = {
  description: text('Free text about them', 10000),
  email: textList('Email addresses', 50, 254, ['mike@example.com']),
  phones: typedPairs('no', PHONE_TYPES, 'Phone numbers: {"type": "Work", "no": "008745849854"}'),
  website: textList('Web sites (URLs)', 50, 500),
  address: text('Street address', 1000),
  city: text('City', 200),
  postcode: text('Postcode', 50),
  region: text('Region or state code, e.g. "US-FL"', 100),
  country: text('Country: a name or a code, stored as given (R-17)', 100),
  smids: typedPairs('smid', SOCIAL_TYPES, 'Social media ids: {"type": "Github", "smid": "octocat"}'),
  ctype: optionalChoice(CONTACT_TYPES, 'Contact type: C Customer, P Prospect, S Supplier, R Reseller, E Employee, O Competitor, N Consultant, T Contractor, D Distributor, X Influencer, I Investor, M Manufacturer, A Retailer, V Vendor, W Wholesaler, L Lead, F Friend, H Other; absent until set'),
  tags: textList('Tags', 100, 100),
};

const emptyList = (description: string): Computed => ({ schema: Type.Array(Type.Integer(), { description }), value: () => [] });
const fileLists: Record<string, Computed> = {
  files: emptyList('Attached files (file storage is not offered here: always empty, ignored on input)'),
  lfiles: emptyList('Linked files (not offered here: always empty, ignored on input)'),
};
const contactExtras = (isCompany: boolean): Record<string, Computed> => ({
  is_company: { schema: Type.Boolean({ description: `Always ${isCompany} here` }), value: () => isCompany },
  ...fileLists,
  lc: { schema: Type.Union([Type.String(), Type.Null()], { description: 'Last contacted (not tracked here: null)' }), value: () => null },
  cphoto: { schema: Type.Union([Type.String(), Type.Null()], { description: 'Photo file name for /getcphoto/{id}/{cphoto} (no photos here: null)' }), value: () => null },
});

const childrenOf = (column: 'custId'): Record<string, BackReference> => ({
  notes: { table: ctNoteContacts, parentColumn: 'contactId', childColumn: 'noteId', description: 'Notes whose `cust` includes this id' },
  opportunities: { table: ctOpportunities, parentColumn: column, childColumn: 'id', childVisibility: true, description: 'Opportunities whose `cust` is this id' },
  tasks: { table: ctTasks, parentColumn: column, childColumn: 'id', childVisibility: true, description: 'Tasks whose `cust` is this id' },
  cases: { table: ctCases, parentColumn: column, childColumn: 'id', childVisibility: true, description: 'Cases whose `cust` is this id' },
});

const ALL_COMMON = ['ao', 'lm', 'userId'] as const;
const cust = { column: 'custId', target: 'contactOrCompany', description: 'The contact or company it is about' } as const;
const leadUser = { column: 'leadUser', target: 'user', description: 'The user it is assigned to' } as const;

// ---- the resources -----------------------------------------------------------------------------------

export const contactResource: ResourceSpec = {
  name: 'contact',
  tag: 'Contacts',
  schemaName: 'Contact',
  label: 'contact',
  description: 'A person. Companies are at /company; both share one id space.',
  table: ctContacts,
  kind: { column: 'isCompany', value: false },
  satisfies: ['contactOrCompany'],
  attributes: {
    fn: text('First name', 200, '', 'Mike'),
    ln: text('Last name', 200, '', 'Doodley'),
    title: text('Job title', 200),
    ...address,
  },
  references: { companyId: { column: 'employerId', target: 'company', description: 'The company the person works for' } },
  backReferences: childrenOf('custId'),
  computed: contactExtras(false),
  visibility: true,
  customFields: 'customers',
  common: [...ALL_COMMON],
  required: (record) => (blank(record.fn) && blank(record.ln) ? 'fn or ln: a contact needs a first or a last name' : null),
};

export const companyResource: ResourceSpec = {
  name: 'company',
  tag: 'Companies',
  schemaName: 'Company',
  label: 'company',
  description: 'A company. People are at /contact; both share one id space.',
  table: ctContacts,
  kind: { column: 'isCompany', value: true },
  satisfies: ['contactOrCompany', 'company'],
  attributes: { cn: text('Company name', 300, '', 'Widgets Ltd'), ...address },
  backReferences: childrenOf('custId'),
  computed: contactExtras(true),
  visibility: true,
  customFields: 'companies',
  common: [...ALL_COMMON],
  required: (record) => (blank(record.cn) ? 'cn: a company needs a name' : null),
};

export const caseResource: ResourceSpec = {
  name: 'case',
  tag: 'Cases',
  schemaName: 'Case',
  label: 'case',
  description: 'A case: a matter handled for a contact or company.',
  table: ctCases,
  satisfies: ['case'],
  attributes: { name: text('Headline; required', 300, '', 'Leaking boiler'), description: text('Free text', 10000), tags: textList('Tags', 100, 100) },
  references: { cust, leadUser },
  backReferences: {
    tasks: { table: ctTasks, parentColumn: 'caseId', childColumn: 'id', childVisibility: true, description: 'Tasks whose `case` is this id' },
    notes: { table: ctNotes, parentColumn: 'caseId', childColumn: 'id', description: 'Notes whose `case` is this id' },
  },
  computed: { ...fileLists },
  visibility: true,
  customFields: 'cases',
  common: [...ALL_COMMON],
  required: (record) => (blank(record.name) ? 'name: a case needs a name' : null),
};

export const opportunityResource: ResourceSpec = {
  name: 'opportunity',
  tag: 'Opportunities',
  schemaName: 'Opportunity',
  label: 'opportunity',
  description: 'A sales opportunity (a deal).',
  table: ctOpportunities,
  satisfies: ['opportunity'],
  attributes: {
    name: text('Headline; required', 300, '', 'Kitchen refit'),
    description: text('Free text', 10000),
    status: text('Pipeline state, free text (R-18): Open, Closed, Won, Lost, ...; default Open', 100, 'Open'),
    value: decimalText('The amount, as decimal text, e.g. "4500" (a number is accepted and stored as text)'),
    currency: text('ISO 4217 code', 10, '', 'EUR'),
    tags: textList('Tags', 100, 100),
  },
  references: { cust, leadUser },
  backReferences: {
    tasks: { table: ctTasks, parentColumn: 'oppId', childColumn: 'id', childVisibility: true, description: 'Tasks whose `opp` is this id' },
    notes: { table: ctNotes, parentColumn: 'opportunityId', childColumn: 'id', description: 'Notes whose `opportunity` is this id' },
  },
  computed: { ...fileLists },
  visibility: true,
  customFields: 'opportunities',
  common: [...ALL_COMMON],
  required: (record) => (blank(record.name) ? 'name: an opportunity needs a name' : null),
};

export const taskResource: ResourceSpec = {
  name: 'task',
  tag: 'Tasks',
  schemaName: 'Task',
  label: 'task',
  description: 'A task or appointment. Complete it with `is_completed: true`; `is_deleted: true` marks it deleted and keeps it (DELETE removes it).',
  table: ctTasks,
  satisfies: ['task'],
  attributes: {
    name: text('Headline; required', 300, '', 'Call back about the quote'),
    location: text('Where it happens', 500),
    startDate: dateParts('Start: {"y":2013,"mo":12,"d":29,"h":4,"mi":4} (date, time or both)'),
    endDate: dateParts('End: {"y":2013,"mo":12,"d":29,"h":5,"mi":0} (date, time or both)'),
    is_completed: flag('Completed'),
    is_deleted: flag('Marked deleted (still readable)'),
    atype: choice(TASK_TYPES, 'Task type; default Not set', 'Not set'),
    rec: choice(RECURRENCES, 'Recurrence: N none, D daily, W weekly, M monthly, Y yearly; default N', 'N'),
    recevery: integer('Repeat every N periods; default 1', 1, 1000, 1),
    recopts: recurrenceOptions('Recurrence options: {} or {"type": "weekday"} (skip weekends)'),
  },
  references: {
    cust,
    case: { column: 'caseId', target: 'case', description: 'The case it belongs to', acceptsList: true },
    opp: { column: 'oppId', target: 'opportunity', description: 'The opportunity it belongs to', acceptsList: true },
    aUserId: { column: 'aUserId', target: 'user', description: 'The user it is assigned to' },
  },
  backReferences: { comments: { table: ctComments, parentColumn: 'taskId', childColumn: 'id', description: 'Comments on this task' } },
  computed: { atypet: { schema: Type.String({ description: 'Display label of `atype`' }), value: (record) => record.atype } },
  visibility: true,
  common: [...ALL_COMMON],
  required: (record) => (blank(record.name) ? 'name: a task needs a name' : null),
};

/** The first line of a note, as its headline. */
function headline(desc: unknown): string {
  const first = String(desc ?? '').trim().split('\n')[0] ?? '';
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
}

export const noteResource: ResourceSpec = {
  name: 'note',
  tag: 'Notes',
  schemaName: 'Note',
  label: 'note',
  description: 'A note about contacts and companies (`cust`, a list), a case or an opportunity.',
  table: ctNotes,
  satisfies: ['note'],
  attributes: {
    desc: text('The note’s text; required', 20000, '', 'Called: wants the quote by Friday.'),
    type: choice(SETTABLE_NOTE_TYPES, 'N plain note, S email note, M SMS note (E, a mail drop-box email, is made by the server only); default N', 'N', NOTE_TYPES),
    fmt: choice(['T'], 'Text format: T plain text', 'T'),
    is_deleted: flag('Marked deleted'),
  },
  links: { cust: { table: ctNoteContacts, ownerColumn: 'noteId', targetColumn: 'contactId', positionColumn: 'position', target: 'contactOrCompany', description: 'The contacts and companies it is about (R-8: a list; one id is accepted)' } },
  references: {
    case: { column: 'caseId', target: 'case', description: 'The case it is filed under' },
    opportunity: { column: 'opportunityId', target: 'opportunity', description: 'The opportunity it is filed under' },
  },
  backReferences: { comments: { table: ctComments, parentColumn: 'noteId', childColumn: 'id', description: 'Comments on this note' } },
  computed: {
    hl: { schema: Type.String({ description: 'Headline: the first line of `desc`' }), value: (record) => headline(record.desc) },
    delvry: { schema: Type.Enum(['N', 'F', 'S'], { type: 'string', description: 'SMS delivery: N no external delivery, F failed, S sent' }), value: () => 'N' },
    ...fileLists,
  },
  common: [...ALL_COMMON],
  required: (record) => (blank(record.desc) ? 'desc: a note needs text' : null),
};

export const commentResource: ResourceSpec = {
  name: 'comment',
  tag: 'Comments',
  schemaName: 'Comment',
  label: 'comment',
  description: 'A comment on a note (`nid`) or a task (`tid`). Comments cannot be edited: delete and add again.',
  table: ctComments,
  satisfies: [],
  attributes: { comment: text('The comment’s text; required', 10000, '', 'Done.') },
  references: {
    nid: { column: 'noteId', target: 'note', description: 'The note it is on', acceptsList: true, deletedWithTarget: true },
    tid: { column: 'taskId', target: 'task', description: 'The task it is on', acceptsList: true, deletedWithTarget: true },
  },
  createAliases: { name: 'comment' },
  unsupported: ['update'],
  common: ['userId', 'ao'],
  required: (record) => (blank(record.comment) ? 'comment: a comment needs text' : null),
  validate(record) {
    if ((record.nid === null) === (record.tid === null)) throw clevertimError('bad_request', 'nid or tid: a comment is on exactly one note (nid) or one task (tid)');
  },
};

export const customFieldResource: ResourceSpec = {
  name: 'customfield',
  tag: 'Custom fields',
  schemaName: 'CustomField',
  label: 'custom field',
  description: 'A custom field definition. Records carry its values in `cf` as {"<id>": value}.',
  table: ctCustomFields,
  satisfies: [],
  attributes: {
    name: text('Display name; required', 200, '', 'Lead source'),
    fullname: text('Name with an application prefix; defaults to `name`', 300),
    elemType: {
      input: Type.Union([Type.Enum([...ELEM_TYPES], { type: 'string' }), Type.Null()], { description: 'The kind of value; required' }),
      output: Type.Enum([...ELEM_TYPES], { type: 'string', description: 'The kind of value' }),
      fallback: undefined,
      expects: `must be one of ${ELEM_TYPES.join(', ')}`,
    },
    modelType: {
      input: Type.Union([Type.Array(Type.Enum([...MODEL_TYPES], { type: 'string' }), { minItems: 1, uniqueItems: true }), Type.Null()], {
        description: 'What it applies to: a non-empty list of customers (person contacts), companies, cases, opportunities; required',
        examples: [['customers', 'companies']],
      }),
      output: Type.Array(Type.Enum([...MODEL_TYPES], { type: 'string' }), { description: 'What it applies to' }),
      fallback: undefined,
      expects: `must be a non-empty list of distinct values from ${MODEL_TYPES.join(', ')}`,
    },
    values: textList('Allowed values: required for (and only used by) select fields', 500, 200),
    multiple: flag('Holds a list of values'),
    app: {
      input: Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'The owning application; null for fields people made' }),
      output: Type.Union([Type.String(), Type.Null()], { description: 'The owning application; null for fields people made' }),
      fallback: null,
      expects: 'must be text of at most 100 characters, or null',
    },
  },
  computed: { fullname: { schema: Type.String({ description: 'Name with an application prefix' }), value: (record) => (blank(record.fullname) ? record.name : record.fullname) } },
  common: [],
  required(record) {
    if (blank(record.name)) return 'name: a custom field needs a name';
    if (record.elemType === undefined) return `elemType: a custom field needs a type (${ELEM_TYPES.join(', ')})`;
    if (record.modelType === undefined) return `modelType: a custom field needs the models it applies to (${MODEL_TYPES.join(', ')})`;
    return null;
  },
  validate(record) {
    if (record.elemType === 'select' && (record.values as string[]).length === 0) throw clevertimError('bad_request', 'values: a select field needs its list of allowed values');
  },
  async beforeDelete(tx: Db, companyId: string, id: number) {
    // Spec 9: the values stored for a deleted field disappear from the records that had them.
    const key = String(id);
    for (const table of [ctContacts, ctCases, ctOpportunities]) {
      await tx
        .update(table)
        .set({ cf: sql`${table.cf} - ${key}::text`, updatedAt: sql`now()` })
        .where(and(eq(table.companyId, companyId), sql`${table.cf} ? ${key}::text`));
    }
  },
};

/** Whether `candidate` is `folderId` or lies inside it (walking up from the candidate to the root). */
async function isInside(tx: Db, companyId: string, candidate: number, folderId: number): Promise<boolean> {
  const result = await tx.execute(sql`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM ct_folders WHERE company_id = ${companyId} AND id = ${candidate}
      UNION ALL
      SELECT f.id, f.parent_id, up.depth + 1 FROM ct_folders f JOIN up ON f.company_id = ${companyId} AND f.id = up.parent_id
      WHERE up.depth < 10000
    )
    SELECT 1 AS hit FROM up WHERE id = ${folderId} LIMIT 1`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}

export const folderResource: ResourceSpec = {
  name: 'folder',
  tag: 'Files',
  schemaName: 'Folder',
  label: 'folder',
  description: 'A folder (R-15). Files cannot be uploaded on this server, so folders hold only folders. Deleting a folder deletes its sub-folders.',
  table: ctFolders,
  satisfies: ['folder'],
  attributes: { name: text('Folder name; required', 255, '', 'Contracts') },
  references: { parentId: { column: 'parentId', target: 'folder', description: 'The folder it is in; null = the root', deletedWithTarget: true } },
  computed: { is_dir: { schema: Type.Literal(true, { description: 'Always true: a folder' }), value: () => true } },
  common: [],
  required: (record) => (blank(record.name) ? 'name: a folder needs a name' : null),
  async checkWrite(tx, companyId, id, record) {
    const parentId = record.parentId as number | null;
    if (id === null || parentId === null) return;
    if (await isInside(tx, companyId, parentId, id)) throw clevertimError('bad_request', `parentId ${parentId}: a folder cannot be moved into itself or one of its sub-folders`);
  },
};

/** The resources served by the record store, in the spec's order. Users and groups are read-only lists (users.ts). */
export const RESOURCES: ResourceSpec[] = [contactResource, companyResource, caseResource, opportunityResource, taskResource, noteResource, commentResource, customFieldResource, folderResource];

const TARGETS: Record<Exclude<Target, 'user'>, TargetTable> = {
  contactOrCompany: { table: ctContacts, visibility: true, label: 'contact or company' },
  contact: { table: ctContacts, kind: { column: 'isCompany', value: false }, visibility: true, label: 'contact' },
  company: { table: ctContacts, kind: { column: 'isCompany', value: true }, visibility: true, label: 'company' },
  case: { table: ctCases, visibility: true, label: 'case' },
  opportunity: { table: ctOpportunities, visibility: true, label: 'opportunity' },
  note: { table: ctNotes, visibility: false, label: 'note' },
  task: { table: ctTasks, visibility: true, label: 'task' },
  folder: { table: ctFolders, visibility: false, label: 'folder' },
};

export const recordStore = createRecordStore(RESOURCES, TARGETS);
