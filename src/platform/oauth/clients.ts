import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { Orm } from '../db/database.ts';
import { newId, newSecret, safeEqual, sha256 } from '../ids.ts';
import { findPersonByEmail } from '../tenancy/tenancy.ts';
import { people } from '../tenancy/schema.ts';
import type { OAuthServerConfig } from './config.ts';
import { ClientInputError, validateClientInput, type ClientInput } from './client-input.ts';
import { oauthServerFor } from './registry.ts';
import { oauthClients, oauthGrants } from './schema.ts';

/**
 * Registered applications: creation (developer portal and `opsbase app create`), secret rotation,
 * deletion, and client authentication at the token and revocation endpoints.
 */
export type OAuthClient = typeof oauthClients.$inferSelect;

export interface IssuedCredentials {
  clientId: string;
  /** Shown once; only its SHA-256 is kept. */
  clientSecret: string;
}

// Readable and greppable: a client id says which API it belongs to.
const newClientId = (api: string) => `${api}_${newSecret('', 18)}`;
const newClientSecret = (api: string) => `${api}_cs_${newSecret()}`;

/** Registers an app owned by a person; used by the developer portal. */
export async function registerClient(orm: Orm, config: OAuthServerConfig, ownerPersonId: string, input: ClientInput): Promise<IssuedCredentials & { client: OAuthClient }> {
  const valid = validateClientInput(config, input);
  const clientId = newClientId(config.api);
  const clientSecret = newClientSecret(config.api);
  const [client] = await orm
    .insert(oauthClients)
    .values({ id: newId(), api: config.api, clientId, secretHash: sha256(clientSecret), ownerPersonId, ...valid })
    .returning();
  return { client: client!, clientId, clientSecret };
}

export interface CreateClientInput extends Omit<ClientInput, 'contactEmail'> {
  api: string;
  ownerEmail: string;
  /** Defaults to the owner's email. */
  contactEmail?: string;
}

/**
 * What `opsbase app create` calls. Input problems come back as ClientInputError (field + message) so the
 * CLI can print them; an unknown API or owner is reported the same way.
 */
export async function createClient(ctx: Pick<AppContext, 'db'>, input: CreateClientInput): Promise<IssuedCredentials> {
  const config = await oauthServerFor(input.api);
  if (!config) throw new ClientInputError([{ field: 'api', message: `The API "${input.api}" has no OAuth server; apps can be created for the APIs that do.` }]);
  const owner = await findPersonByEmail(ctx.db.orm, input.ownerEmail);
  if (!owner) throw new ClientInputError([{ field: 'ownerEmail', message: `No person with the email ${input.ownerEmail}; create them first.` }]);
  const { clientId, clientSecret } = await registerClient(ctx.db.orm, config, owner.id, { ...input, contactEmail: input.contactEmail || owner.email });
  return { clientId, clientSecret };
}

/** The client a request names, if it exists for this API. */
export async function findClient(orm: Orm, api: string, clientId: string): Promise<OAuthClient | null> {
  if (clientId.length > 200) return null;
  const [client] = await orm.select().from(oauthClients).where(and(eq(oauthClients.api, api), eq(oauthClients.clientId, clientId)));
  return client ?? null;
}

/** Compares the presented secret's SHA-256 with the stored one in constant time. */
export function secretMatches(client: Pick<OAuthClient, 'secretHash'>, presentedSecret: string): boolean {
  if (!client.secretHash) return false;
  return safeEqual(sha256(presentedSecret), client.secretHash);
}

// Every lookup below is owner-scoped: a person can only reach their own apps.
function ownedBy(ownerPersonId: string, clientRowId: string) {
  return and(eq(oauthClients.id, clientRowId), eq(oauthClients.ownerPersonId, ownerPersonId));
}

export interface ClientSummary {
  client: OAuthClient;
  /** Companies with at least one active authorization of this app. */
  authorizedCompanies: number;
}

export async function clientsOwnedBy(orm: Orm, ownerPersonId: string): Promise<ClientSummary[]> {
  const rows = await orm
    .select({
      client: oauthClients,
      authorizedCompanies: sql<number>`count(distinct ${oauthGrants.companyId})::int`,
    })
    .from(oauthClients)
    .leftJoin(oauthGrants, and(eq(oauthGrants.clientRowId, oauthClients.id), isNull(oauthGrants.revokedAt)))
    .where(eq(oauthClients.ownerPersonId, ownerPersonId))
    .groupBy(oauthClients.id)
    .orderBy(desc(oauthClients.createdAt), desc(oauthClients.id))
    .limit(500);
  return rows;
}

export async function ownedClient(orm: Orm, ownerPersonId: string, clientRowId: string): Promise<ClientSummary | null> {
  const [client] = await orm.select().from(oauthClients).where(ownedBy(ownerPersonId, clientRowId));
  if (!client) return null;
  const [row] = await orm
    .select({ n: count(sql`distinct ${oauthGrants.companyId}`) })
    .from(oauthGrants)
    .where(and(eq(oauthGrants.clientRowId, client.id), isNull(oauthGrants.revokedAt)));
  return { client, authorizedCompanies: Number(row?.n ?? 0) };
}

/**
 * Every registered app, optionally of one API, with its owner's email: for operators (`opsbase app list`),
 * never for a person's own pages (those go through clientsOwnedBy).
 */
export async function listClients(orm: Orm, filter: { api?: string } = {}): Promise<(ClientSummary & { ownerEmail: string })[]> {
  return orm
    .select({
      client: oauthClients,
      ownerEmail: people.email,
      authorizedCompanies: sql<number>`count(distinct ${oauthGrants.companyId})::int`,
    })
    .from(oauthClients)
    .innerJoin(people, eq(people.id, oauthClients.ownerPersonId))
    .leftJoin(oauthGrants, and(eq(oauthGrants.clientRowId, oauthClients.id), isNull(oauthGrants.revokedAt)))
    .where(filter.api ? eq(oauthClients.api, filter.api) : undefined)
    .groupBy(oauthClients.id, people.email)
    .orderBy(desc(oauthClients.createdAt), desc(oauthClients.id));
}

/** Replaces the secret; the old one stops working with this statement. Returns the new secret, or null when not the owner's app. */
export async function rotateClientSecret(orm: Orm, ownerPersonId: string, clientRowId: string): Promise<string | null> {
  const [existing] = await orm.select({ api: oauthClients.api }).from(oauthClients).where(ownedBy(ownerPersonId, clientRowId));
  if (!existing) return null;
  const secret = newClientSecret(existing.api);
  const updated = await orm
    .update(oauthClients)
    .set({ secretHash: sha256(secret), secretRotatedAt: sql`now()` })
    .where(ownedBy(ownerPersonId, clientRowId))
    .returning({ id: oauthClients.id });
  return updated.length > 0 ? secret : null;
}

/** Deletes the app; its authorizations, codes and tokens go with it (foreign keys cascade). */
export async function deleteClient(orm: Orm, ownerPersonId: string, clientRowId: string): Promise<boolean> {
  const deleted = await orm.delete(oauthClients).where(ownedBy(ownerPersonId, clientRowId)).returning({ id: oauthClients.id });
  return deleted.length > 0;
}
