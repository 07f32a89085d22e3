import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { companies, people } from '../tenancy/schema.ts';

/**
 * The OAuth 2.0 authorization server's tables, shared by every API (`api` says whose row it is). Codes,
 * tokens and client secrets are stored only as SHA-256 hex: they are random and long, so a leaked table
 * cannot be replayed and a slow hash would add nothing but latency on every API call.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** A registered application (RFC 6749 client). `secret_hash` is null for public clients (PKCE only). */
export const oauthClients = pgTable(
  'oauth_clients',
  {
    id: text('id').primaryKey(),
    api: text('api').notNull(),
    clientId: text('client_id').notNull().unique('oauth_clients_client_id_key'),
    secretHash: text('secret_hash'),
    ownerPersonId: text('owner_person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    contactEmail: text('contact_email').notNull(),
    logoUrl: text('logo_url'),
    createdAt: ts('created_at').notNull().defaultNow(),
    secretRotatedAt: ts('secret_rotated_at'),
  },
  (t) => [
    index('oauth_clients_owner_idx').on(t.ownerPersonId),
    check('oauth_clients_name_length', sql`char_length(${t.name}) between 1 and 100`),
    check('oauth_clients_logo_https', sql`${t.logoUrl} is null or ${t.logoUrl} like 'https://%'`),
  ],
);

/** An authorization: one person connected one company to one client for these scopes, until revoked. */
export const oauthGrants = pgTable(
  'oauth_grants',
  {
    id: text('id').primaryKey(),
    api: text('api').notNull(),
    clientRowId: text('client_row_id').notNull().references(() => oauthClients.id, { onDelete: 'cascade' }),
    companyId: text('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
    personId: text('person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('oauth_grants_client_idx').on(t.clientRowId), index('oauth_grants_company_idx').on(t.companyId)],
);

/** Authorization codes: single use (`used_at`), short-lived, bound to client, redirect URI and PKCE challenge. */
export const oauthCodes = pgTable(
  'oauth_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    grantId: text('grant_id').notNull().references(() => oauthGrants.id, { onDelete: 'cascade' }),
    clientRowId: text('client_row_id').notNull().references(() => oauthClients.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    codeChallenge: text('code_challenge').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('oauth_codes_grant_idx').on(t.grantId), index('oauth_codes_expires_idx').on(t.expiresAt)],
);

export const TOKEN_KINDS = ['access', 'refresh'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Access and refresh tokens. A refresh token is `rotated_at` once exchanged; presenting it again is theft. */
export const oauthTokens = pgTable(
  'oauth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    kind: text('kind').$type<TokenKind>().notNull(),
    grantId: text('grant_id').notNull().references(() => oauthGrants.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    rotatedAt: ts('rotated_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    index('oauth_tokens_grant_idx').on(t.grantId),
    index('oauth_tokens_expires_idx').on(t.expiresAt),
    check('oauth_tokens_kind_check', sql`${t.kind} in ('access','refresh')`),
  ],
);
