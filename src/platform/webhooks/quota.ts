import { and, eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.ts';
import type { Tx } from '../idempotency/idempotency.ts';
import type { Plan } from '../tenancy/schema.ts';
import { webhookDailyUsage } from './schema.ts';
import type { WebhookApiSettings } from './settings.ts';

/**
 * The plan's "webhook deliveries/day" (seed rate-limit table). A delivery counts once, when its first
 * attempt is made (its retries do not count again; a resend is a new delivery and counts). Past the
 * quota a delivery is not sent and not dropped: it waits as `quota_exceeded` until the next UTC day
 * (spec R-21), visible as such in the delivery log and the console, and counts against that day.
 * Days are UTC days of the database clock, so every node agrees on them.
 */
export function dailyQuotaFor(settings: Pick<WebhookApiSettings, 'dailyQuota'>, plan: Plan): number {
  return settings.dailyQuota[plan] ?? 0;
}

/** Takes one delivery from today's quota; false when the quota is used up (nothing is taken then). */
export async function takeFromDailyQuota(tx: Tx, api: string, companyId: string, day: string, limit: number): Promise<boolean> {
  if (limit <= 0) return false;
  const taken = await tx.execute(sql`
    INSERT INTO webhook_daily_usage (company_id, api, day, deliveries) VALUES (${companyId}, ${api}, ${day}::date, 1)
    ON CONFLICT (company_id, api, day) DO UPDATE SET deliveries = webhook_daily_usage.deliveries + 1
      WHERE webhook_daily_usage.deliveries < ${limit}
    RETURNING deliveries`);
  return taken.rows.length > 0;
}

/**
 * Takes up to `wanted` deliveries from today's quota at once (a worker's batch of one company) and
 * returns how many it got: what is left of the quota, at most `wanted`. The subquery locks the row and
 * reads it as it was before this update, so concurrent workers never take the same units.
 */
export async function takeManyFromDailyQuota(tx: Tx, api: string, companyId: string, day: string, limit: number, wanted: number): Promise<number> {
  if (limit <= 0 || wanted <= 0) return 0;
  if (wanted === 1) return (await takeFromDailyQuota(tx, api, companyId, day, limit)) ? 1 : 0;
  await tx.execute(sql`
    INSERT INTO webhook_daily_usage (company_id, api, day, deliveries) VALUES (${companyId}, ${api}, ${day}::date, 0)
    ON CONFLICT (company_id, api, day) DO NOTHING`);
  const taken = await tx.execute<{ granted: number }>(sql`
    UPDATE webhook_daily_usage u SET deliveries = LEAST(u.deliveries + ${wanted}::int, ${limit}::int)
    FROM (SELECT deliveries FROM webhook_daily_usage
          WHERE company_id = ${companyId} AND api = ${api} AND day = ${day}::date FOR UPDATE) AS before
    WHERE u.company_id = ${companyId} AND u.api = ${api} AND u.day = ${day}::date AND before.deliveries < ${limit}::int
    RETURNING u.deliveries - before.deliveries AS granted`);
  return Number(taken.rows[0]?.granted ?? 0);
}

/** Deliveries counted today (UTC) for a company, for the console. */
export async function deliveriesCountedToday(orm: Orm, api: string, companyId: string): Promise<number> {
  const [row] = await orm
    .select({ deliveries: webhookDailyUsage.deliveries })
    .from(webhookDailyUsage)
    .where(and(eq(webhookDailyUsage.companyId, companyId), eq(webhookDailyUsage.api, api), sql`${webhookDailyUsage.day} = (now() AT TIME ZONE 'UTC')::date`));
  return row?.deliveries ?? 0;
}

/** SQL for the start of the next UTC day, when deliveries past today's quota become due again. */
export const NEXT_UTC_DAY = sql`((date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC')`;
export const TODAY_UTC = sql`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
