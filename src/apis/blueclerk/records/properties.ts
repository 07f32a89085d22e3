import { Type, type Static } from 'typebox';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import { newId } from '../../../platform/ids.ts';
import type { ListQuery, Page } from '../../../platform/pagination/keyset.ts';
import { bcContacts, bcProperties } from '../schema.ts';
import { assertInput, findRecord, iso, listRecords, NOW, NullableIdInput, NullableRecordId, RecordId, RequiredTextInput, requireReference, Timestamp, type Db } from './common.ts';
import { recordBlueClerkEvent } from './events.ts';

/** Spec 4.4: a place work happens at, with its address as one string (structured addresses are v2). */
export const PropertySchema = Type.Object(
  {
    id: RecordId(),
    address: Type.String({ description: 'Single-line address' }),
    contactId: NullableRecordId('The owner (homeowner) Contact'),
    createdAt: Timestamp('When the property was created'),
    updatedAt: Timestamp('When the property last changed'),
  },
  { $id: 'Property', additionalProperties: false },
);
export type Property = Static<typeof PropertySchema>;

export const PropertyCreateInput = Type.Object(
  {
    address: RequiredTextInput('Single-line address', 500),
    contactId: Type.Optional(NullableIdInput('Id of the owner, one of the company’s contacts')),
  },
  { $id: 'PropertyCreate', additionalProperties: false },
);
export type PropertyCreate = Static<typeof PropertyCreateInput>;

export const PropertyUpdateInput = Type.Object(
  {
    address: Type.Optional(RequiredTextInput('Single-line address', 500)),
    contactId: Type.Optional(NullableIdInput('Owner contact id; null clears it')),
  },
  { $id: 'PropertyUpdate', additionalProperties: false },
);
export type PropertyUpdate = Static<typeof PropertyUpdateInput>;

type PropertyRow = typeof bcProperties.$inferSelect;

export function toProperty(row: PropertyRow): Property {
  return { id: row.id, address: row.address, contactId: row.contactId, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

export function listProperties(orm: Db, companyId: string, query: ListQuery): Promise<Page<Property>> {
  return listRecords(orm, bcProperties, companyId, query, toProperty);
}

export async function getProperty(db: Db, companyId: string, id: string): Promise<Property | null> {
  const row = await findRecord(db, bcProperties, companyId, id);
  return row ? toProperty(row) : null;
}

/** Creates a property and records `property.created` in the same transaction. */
export async function createProperty(tx: Tx, companyId: string, input: PropertyCreate): Promise<Property> {
  assertInput(PropertyCreateInput, input);
  await requireReference(tx, bcContacts, companyId, input.contactId, 'contactId', 'contact');
  const [row] = await tx
    .insert(bcProperties)
    .values({ id: newId(), companyId, address: input.address.trim(), contactId: input.contactId ?? null })
    .returning();
  const property = toProperty(row!);
  await recordBlueClerkEvent(tx, companyId, 'property.created', { id: property.id, address: property.address, createdAt: property.createdAt });
  return property;
}

/** Absent fields stay, null clears; null when the company has no such property. */
export async function updateProperty(tx: Tx, companyId: string, id: string, patch: PropertyUpdate): Promise<Property | null> {
  assertInput(PropertyUpdateInput, patch);
  const existing = await findRecord(tx, bcProperties, companyId, id, { forUpdate: true });
  if (!existing) return null;
  await requireReference(tx, bcContacts, companyId, patch.contactId, 'contactId', 'contact');
  const changes: Partial<PropertyRow> = {};
  if (patch.address !== undefined) changes.address = patch.address.trim();
  if (patch.contactId !== undefined) changes.contactId = patch.contactId;
  if (Object.keys(changes).length === 0) return toProperty(existing);
  const [row] = await tx
    .update(bcProperties)
    .set({ ...changes, updatedAt: NOW })
    .where(and(eq(bcProperties.companyId, companyId), eq(bcProperties.id, id)))
    .returning();
  return toProperty(row!);
}
