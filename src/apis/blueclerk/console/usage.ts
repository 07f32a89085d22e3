import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { BLUECLERK_PLAN_LIMITS, dailyUsage, limitsFromPlanTable, NoApiAccessError, type WindowLimits } from '../../../platform/rate-limit/index.ts';
import { accessOf, contractorPage, readGuards } from './pages.ts';

/** The usage page shows this many days, today last. */
export const USAGE_DAYS = 30;

const limitsFor = limitsFromPlanTable(BLUECLERK_PLAN_LIMITS);
const count = (n: number) => n.toLocaleString('en-US');
const limitText = (limit: number | null) => (limit === null ? 'unlimited' : count(limit));

/**
 * `<base>/usage`: the company's BlueClerk API requests per UTC day over the last 30 days, next to its
 * plan's limits (or its contract's, when set with `opsbase company set-limits`). Counts are the
 * totals the nodes flush every second or so, so today's figure trails live traffic slightly.
 */
export function registerUsagePage(app: FastifyInstance, ctx: AppContext): void {
  app.get('/usage', { preHandler: readGuards(ctx) }, async (request, reply) => {
    const { company } = accessOf(request);
    let limits: WindowLimits | null;
    try {
      limits = limitsFor(company);
    } catch (error) {
      if (!(error instanceof NoApiAccessError)) throw error;
      limits = null; // the trial plan: no API access at all
    }
    const now = new Date();
    const monthSoFar = now.getUTCDate();
    const days = await dailyUsage(ctx.db.orm, company.id, 'blueclerk', Math.max(USAGE_DAYS, monthSoFar), now);
    const thisMonth = now.toISOString().slice(0, 7);
    const monthTotal = days.filter((d) => d.day.startsWith(thisMonth)).reduce((sum, d) => sum + d.count, 0);
    const shown = days.slice(-USAGE_DAYS).reverse();
    const today = shown[0]!;
    const share = (used: number, limit: number | null) => (limit ? `${((used / limit) * 100).toFixed(1)}% of ${count(limit)}` : '');

    return contractorPage(reply, request, 'usage', `API usage · ${company.name}`, 'usage', {
      planLabel: company.plan.charAt(0).toUpperCase() + company.plan.slice(1),
      limits: limits && { minute: limitText(limits.minute), day: limitText(limits.day), month: limitText(limits.month) },
      customLimits: company.limitPerMinute !== null || company.limitPerDay !== null || company.limitPerMonth !== null,
      today: { count: count(today.count), share: limits ? share(today.count, limits.day) : '' },
      month: { count: count(monthTotal), share: limits ? share(monthTotal, limits.month) : '' },
      days: shown.map((d) => ({ day: d.day, count: count(d.count), share: limits ? share(d.count, limits.day) : '' })),
      total: count(shown.reduce((sum, d) => sum + d.count, 0)),
    });
  });
}
