import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { renderPage } from '../console/render.ts';
import { requireSignIn, type ConsoleSession } from '../console/sessions.ts';
import { notFound, pageErrors, sessionOf } from '../oauth/portal/pages.ts';
import { companiesManagedBy, companyManagedBy } from '../tenancy/tenancy.ts';
import { recentDeliveries, resendDelivery, sendTestEvent, type DeliveryView } from './deliveries.ts';
import { dailyQuotaFor, deliveriesCountedToday } from './quota.ts';
import type { WebhookApiSettings } from './settings.ts';
import { allSubscriptions } from './subscriptions.ts';

const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));
const DELIVERIES_PER_SUBSCRIPTION = 10;
const DEAD_SHOWN = 50;

const NOTICES: Record<string, string> = {
  resent: 'The delivery was queued again; it appears below as a new delivery.',
  tested: 'A test event was queued; it appears below within a few seconds.',
};

function describeSchedule(schedule: number[]): string {
  const human = (ms: number) => (ms === 0 ? 'immediately' : ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
  return schedule.map((ms, i) => (i === 0 ? human(ms) : `after ${human(ms)}`)).join(', ');
}

/**
 * The console's webhook pages for one API, for a company's owners and admins (anyone else gets 404, as on
 * the connected-apps page): its subscriptions, each one's recent deliveries with every attempt, the dead
 * deliveries, today's use of the plan's daily quota, "Resend" and "Send test event" (CSRF-protected forms).
 * `app` must serve `settings.consolePath` as given (register it where that path is not under a prefix, or
 * pass the prefix-relative instance with `base`).
 */
export function registerWebhookConsole(app: FastifyInstance, ctx: AppContext, settings: WebhookApiSettings, base = settings.consolePath): void {
  pageErrors(app, ctx);
  const signIn = requireSignIn(ctx);
  const home = settings.consolePath;

  async function managedCompany(request: FastifyRequest) {
    const session = await sessionOf(ctx, request);
    const companyId = (request.params as { companyId: string }).companyId;
    return { session, company: await companyManagedBy(ctx.db.orm, session.person.id, companyId) };
  }

  function page(reply: FastifyReply, session: ConsoleSession, template: string, title: string, data: Record<string, unknown>) {
    return renderPage(reply, { viewsDir: VIEWS, template, title, data: { ...data, home, apiTitle: settings.title }, person: session.person, csrfToken: reply.generateCsrf() });
  }

  app.get(base, { preHandler: signIn }, async (request, reply) => {
    const session = await sessionOf(ctx, request);
    const companies = await companiesManagedBy(ctx.db.orm, session.person.id);
    return page(reply, session, 'webhooks-index', `${settings.title} webhooks`, { companies });
  });

  app.get(`${base}/:companyId`, { preHandler: signIn }, async (request, reply) => {
    const { session, company } = await managedCompany(request);
    if (!company) return notFound(reply, session);
    const subscriptions = await allSubscriptions(ctx.db.orm, settings.api, company.id);
    const recent = await recentDeliveries(ctx.db.orm, settings.api, company.id, { limit: DELIVERIES_PER_SUBSCRIPTION * Math.max(1, subscriptions.length) });
    const bySubscription = new Map<string, DeliveryView[]>();
    for (const delivery of recent) {
      const list = bySubscription.get(delivery.subscriptionId) ?? [];
      if (list.length < DELIVERIES_PER_SUBSCRIPTION) list.push(delivery);
      bySubscription.set(delivery.subscriptionId, list);
    }
    const notice = NOTICES[String((request.query as { notice?: string }).notice ?? '')] ?? null;
    return page(reply, session, 'webhooks', `${settings.title} webhooks · ${company.name}`, {
      company,
      notice,
      subscriptions: subscriptions.map((s) => ({ ...s, deliveries: bySubscription.get(s.id) ?? [] })),
      dead: await recentDeliveries(ctx.db.orm, settings.api, company.id, { status: 'dead', limit: DEAD_SHOWN }),
      held: await recentDeliveries(ctx.db.orm, settings.api, company.id, { status: 'quota_exceeded', limit: DEAD_SHOWN }),
      usedToday: await deliveriesCountedToday(ctx.db.orm, settings.api, company.id),
      quota: dailyQuotaFor(settings, company.plan),
      schedule: describeSchedule(ctx.config.webhooks.retryScheduleMs),
    });
  });

  app.post(`${base}/:companyId/deliveries/:deliveryId/resend`, { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const { session, company } = await managedCompany(request);
    if (!company) return notFound(reply, session);
    const resent = await resendDelivery(ctx.db, settings.api, company.id, (request.params as { deliveryId: string }).deliveryId);
    if (!resent) return notFound(reply, session, 'Only a delivered or dead delivery of a live webhook of this company can be resent.');
    return reply.redirect(`${home}/${encodeURIComponent(company.id)}?notice=resent`, 303);
  });

  app.post(`${base}/:companyId/subscriptions/:subscriptionId/test`, { preHandler: [signIn, app.csrfProtection] }, async (request, reply) => {
    const { session, company } = await managedCompany(request);
    if (!company) return notFound(reply, session);
    const queued = await sendTestEvent(ctx.db, settings, company.id, (request.params as { subscriptionId: string }).subscriptionId);
    if (!queued) return notFound(reply, session, 'That webhook does not exist for this company.');
    return reply.redirect(`${home}/${encodeURIComponent(company.id)}?notice=tested`, 303);
  });
}
