import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Database, Orm } from '../db/database.ts';
import { newId, newSecret, sha256 } from '../ids.ts';
import { people } from '../tenancy/schema.ts';
import type { OAuthServerConfig } from './config.ts';
import { revokeGrant } from './tokens.ts';
import { oauthClients, oauthCodes, oauthGrants } from './schema.ts';

/** Authorizations (grants): created at consent, listed and revoked on the company's "Connected apps" page. */
export interface NewAuthorization {
  clientRowId: string;
  companyId: string;
  personId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string;
}

/** Records the person's consent and the single-use code for it, together or not at all. Returns the code. */
export async function createAuthorization(db: Database, config: OAuthServerConfig, input: NewAuthorization): Promise<string> {
  const code = newSecret('', 32);
  await db.orm.transaction(async (tx) => {
    const grantId = newId();
    await tx.insert(oauthGrants).values({ id: grantId, api: config.api, clientRowId: input.clientRowId, companyId: input.companyId, personId: input.personId, scopes: input.scopes });
    await tx.insert(oauthCodes).values({
      codeHash: sha256(code),
      grantId,
      clientRowId: input.clientRowId,
      redirectUri: input.redirectUri,
      codeChallenge: input.codeChallenge,
      expiresAt: new Date(Date.now() + config.lifetimes.authorizationCodeSeconds * 1000),
    });
  });
  return code;
}

export interface ConnectedApp {
  grantId: string;
  api: string;
  appName: string;
  scopes: string[];
  authorizedBy: { name: string; email: string };
  authorizedAt: Date;
}

/** A company's active authorizations. Company-scoped: there is no way to list another company's. */
export async function connectedApps(orm: Orm, companyId: string): Promise<ConnectedApp[]> {
  const rows = await orm
    .select({
      grantId: oauthGrants.id,
      api: oauthGrants.api,
      appName: oauthClients.name,
      scopes: oauthGrants.scopes,
      personName: people.name,
      personEmail: people.email,
      authorizedAt: oauthGrants.createdAt,
    })
    .from(oauthGrants)
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientRowId))
    .innerJoin(people, eq(people.id, oauthGrants.personId))
    .where(and(eq(oauthGrants.companyId, companyId), isNull(oauthGrants.revokedAt)))
    .orderBy(desc(oauthGrants.createdAt), desc(oauthGrants.id))
    .limit(500);
  return rows.map((r) => ({ grantId: r.grantId, api: r.api, appName: r.appName, scopes: r.scopes, authorizedBy: { name: r.personName, email: r.personEmail }, authorizedAt: r.authorizedAt }));
}

/** Revokes one of the company's authorizations; false when the id is not an active one of this company. */
export async function revokeCompanyAuthorization(db: Database, companyId: string, grantId: string): Promise<boolean> {
  return db.orm.transaction(async (tx) => {
    const [grant] = await tx
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, grantId), eq(oauthGrants.companyId, companyId), isNull(oauthGrants.revokedAt)));
    if (!grant) return false;
    await revokeGrant(tx, grant.id);
    return true;
  });
}
