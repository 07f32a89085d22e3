import { eq } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.ts';
import { parametersByResource, type GuardRails, type GuardRailTenant, type OperationRef } from '../../platform/guard-rails.ts';
import { newId } from '../../platform/ids.ts';
import { registerClient } from '../../platform/oauth/clients.ts';
import { oauthGrants } from '../../platform/oauth/schema.ts';
import { issueTokenPair } from '../../platform/oauth/tokens.ts';
import { setCompanyLimits } from '../../platform/rate-limit/index.ts';
import { addMembership, createCompany, createPerson } from '../../platform/tenancy/tenancy.ts';
import { webhookDeliveries } from '../../platform/webhooks/schema.ts';
import { createSubscription } from '../../platform/webhooks/subscriptions.ts';
import { BLUECLERK_SCOPES, blueClerkOAuth } from './oauth.ts';
import { createContact, createEstimate, createInvoice, createJob, createLead, createProperty, createTicket } from './records/index.ts';
import { blueClerkWebhooks } from './webhooks/settings.ts';

/**
 * BlueClerk's fixtures for the guard-rail tests: a Pro company without rate limits (the tests make
 * hundreds of calls), an app it authorized, one record of every resource and a webhook subscription that
 * already has deliveries. A credential "lacking" an operation is a token of the same app and company
 * granted every scope except the ones the operation documents.
 */
const ALL_SCOPES = Object.keys(BLUECLERK_SCOPES);

export const blueClerkGuardRails: GuardRails = {
  openApiDocument: '/blueclerk/api/openapi.json',
  async seedTenant(ctx: AppContext, label: string): Promise<GuardRailTenant> {
    const orm = ctx.db.orm;
    const company = await createCompany(orm, { name: 'Guard Rails Plumbing', plan: 'pro' });
    await setCompanyLimits(orm, company.id, { perMinute: 'unlimited', perDay: 'unlimited', perMonth: 'unlimited' });
    const owner = await createPerson(orm, { email: `${label}.owner@guard-rails.example`, password: `${label} correct horse battery`, name: `${label} Owner` });
    await addMembership(orm, { companyId: company.id, personId: owner.id, role: 'owner' });
    const { client } = await registerClient(orm, blueClerkOAuth, owner.id, {
      name: `${label} app`,
      redirectUris: ['https://partner.example/callback'],
      scopes: ALL_SCOPES,
      contactEmail: `${label}.dev@guard-rails.example`,
    });
    const tokens = new Map<string, string>();
    const tokenWith = async (scopes: string[]): Promise<string> => {
      const key = scopes.join(' ');
      if (!tokens.has(key)) {
        const grant = { id: newId(), scopes };
        await orm.insert(oauthGrants).values({ id: grant.id, api: blueClerkOAuth.api, clientRowId: client.id, companyId: company.id, personId: owner.id, scopes });
        tokens.set(key, (await orm.transaction((tx) => issueTokenPair(tx, blueClerkOAuth, grant))).access_token);
      }
      return tokens.get(key)!;
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const full = await tokenWith(ALL_SCOPES);

    const records = await orm.transaction(async (tx) => {
      // First, so the records' events fan out into deliveries of this subscription.
      const webhook = await createSubscription(tx, blueClerkWebhooks, { allowPrivate: false, httpsOnly: true }, company.id, {
        url: `https://${label}.example/hooks`,
        events: [...blueClerkWebhooks.eventTypes],
      });
      const contact = await createContact(tx, company.id, { type: 'HOMEOWNER', name: `${label} Customer`, email: `${label}.customer@guard-rails.example`, phone: '+15125550199', address: `1 ${label} Street` });
      const property = await createProperty(tx, company.id, { address: `1 ${label} Street`, contactId: contact.id });
      const ticket = await createTicket(tx, company.id, { title: `${label} leaking tap`, description: `${label} ticket`, contactId: contact.id, propertyId: property.id }, 'console');
      const lead = await createLead(tx, company.id, { contactName: `${label} Lead`, email: `${label}.lead@guard-rails.example`, notes: `${label} lead`, source: label });
      const job = await createJob(tx, company.id, { title: `${label} replace tap`, propertyId: property.id, ticketId: ticket.id });
      const estimate = await createEstimate(tx, company.id, { totalAmount: '4321.09', jobId: job.id, propertyId: property.id });
      const invoice = await createInvoice(tx, company.id, { totalAmount: '4321.09', jobId: job.id });
      return { contacts: contact.id, properties: property.id, tickets: ticket.id, lead: lead.id, jobs: job.id, estimates: estimate.id, invoices: invoice.id, webhooks: webhook.id, secret: webhook.secret };
    });
    const deliveries = await orm.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, records.webhooks));
    if (deliveries.length === 0) throw new Error('the guard-rail webhook subscription has no deliveries; the matrix would check nothing');

    const { secret, lead, ...byResource } = records;
    return {
      companyId: company.id,
      fullAccess: bearer(full),
      async lacking(operation: OperationRef) {
        const needed = operation.security.flatMap((requirement) => requirement.oauth2 ?? []);
        if (needed.length === 0) return null;
        return bearer(await tokenWith(ALL_SCOPES.filter((scope) => !needed.includes(scope))));
      },
      pathParameters: (path) => parametersByResource(path, byResource),
      sampleBody({ method, path }) {
        const samples: Record<string, unknown> = {
          'POST /tickets': { title: `${label} new ticket`, contactId: byResource.contacts },
          'PATCH /tickets/{id}': { title: `${label} renamed ticket` },
          'POST /leads': { contactName: `${label} New Lead`, phone: '+15125550123', notes: `${label} new lead` },
          'POST /webhooks': { url: `https://${label}.example/more-hooks`, events: ['job.created'] },
        };
        return samples[`${method} ${path}`];
      },
      secrets: {
        ids: [company.id, owner.id, client.clientId, lead, ...Object.values(byResource), ...deliveries.map((d) => d.id)],
        texts: [label, secret, full],
      },
    };
  },
};
