import { Type, type Static } from 'typebox';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcContacts, CONTACT_TYPES } from '../schema.ts';
import { assertInput, blankToNull, findRecord, iso, listRecords, NOW, NullableText, NullableTextInput, RecordId, RequiredTextInput, StringEnum, Timestamp, type Db } from './common.ts';

/** Spec 4.7: the seed's "homeowner and builder contact records". */
export const ContactType = StringEnum(CONTACT_TYPES, 'HOMEOWNER or BUILDER');

export const ContactSchema = Type.Object(
  {
    id: RecordId(),
    type: ContactType,
    name: Type.String({ description: 'Person’s name' }),
    businessName: NullableText('Business name (builders)'),
    email: NullableText('Email'),
    phone: NullableText('Phone'),
    address: NullableText('Single-line address'),
    createdAt: Timestamp('When the contact was created'),
    updatedAt: Timestamp('When the contact last changed'),
  },
  { $id: 'Contact', additionalProperties: false },
);
export type Contact = Static<typeof ContactSchema>;

const contactFields = {
  businessName: Type.Optional(NullableTextInput('Business name', 200)),
  email: Type.Optional(NullableTextInput('Email', 254)),
  phone: Type.Optional(NullableTextInput('Phone, E.164 recommended', 50)),
  address: Type.Optional(NullableTextInput('Single-line address', 500)),
};

export const ContactCreateInput = Type.Object(
  { type: ContactType, name: RequiredTextInput('Person’s name', 200), ...contactFields },
  { $id: 'ContactCreate', additionalProperties: false },
);
export type ContactCreate = Static<typeof ContactCreateInput>;

export const ContactUpdateInput = Type.Object(
  { type: Type.Optional(ContactType), name: Type.Optional(RequiredTextInput('Person’s name', 200)), ...contactFields },
  { $id: 'ContactUpdate', additionalProperties: false },
);
export type ContactUpdate = Static<typeof ContactUpdateInput>;

type ContactRow = typeof bcContacts.$inferSelect;

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    businessName: row.businessName,
    email: row.email,
    phone: row.phone,
    address: row.address,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function listContacts(orm: Db, companyId: string, query: ListQuery): Promise<Page<Contact>> {
  return listRecords(orm, bcContacts, companyId, query, toContact);
}

export async function getContact(db: Db, companyId: string, id: string): Promise<Contact | null> {
  const row = await findRecord(db, bcContacts, companyId, id);
  return row ? toContact(row) : null;
}

export async function createContact(tx: Tx, companyId: string, input: ContactCreate): Promise<Contact> {
  assertInput(ContactCreateInput, input);
  const [row] = await tx
    .insert(bcContacts)
    .values({
      id: newId(),
      companyId,
      type: input.type,
      name: input.name.trim(),
      businessName: blankToNull(input.businessName),
      email: blankToNull(input.email),
      phone: blankToNull(input.phone),
      address: blankToNull(input.address),
    })
    .returning();
  return toContact(row!);
}

/** Absent fields stay, null clears; null when the company has no such contact. */
export async function updateContact(tx: Tx, companyId: string, id: string, patch: ContactUpdate): Promise<Contact | null> {
  assertInput(ContactUpdateInput, patch);
  const existing = await findRecord(tx, bcContacts, companyId, id, { forUpdate: true });
  if (!existing) return null;
  const changes: Partial<ContactRow> = {};
  if (patch.type !== undefined) changes.type = patch.type;
  if (patch.name !== undefined) changes.name = patch.name.trim();
  for (const field of ['businessName', 'email', 'phone', 'address'] as const) {
    if (patch[field] !== undefined) changes[field] = blankToNull(patch[field]);
  }
  if (Object.keys(changes).length === 0) return toContact(existing);
  const [row] = await tx
    .update(bcContacts)
    .set({ ...changes, updatedAt: NOW })
    .where(and(eq(bcContacts.companyId, companyId), eq(bcContacts.id, id)))
    .returning();
  return toContact(row!);
}
