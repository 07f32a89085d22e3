import { sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { Orm } from '../db/database.ts';

/**
 * The delivery log is kept for 30 days after a delivery finished (delivered, dead or cancelled), daily
 * counts for 40 days, and a deleted subscription until its last delivery is gone. Deleted in batches of
 * a thousand so no purge holds a long transaction (on the embedded database everything else would wait).
 */
export const DELIVERY_RETENTION_DAYS = 30;
const USAGE_RETENTION_DAYS = 40;
const BATCH = 1_000;
const PURGE_INTERVAL_MS = 10 * 60_000;

async function inBatches(step: () => Promise<number>, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < BATCH || signal?.aborted) return total;
  }
}

export async function purgeWebhookHistory(orm: Orm, api: string, signal?: AbortSignal, retentionDays = DELIVERY_RETENTION_DAYS): Promise<number> {
  const deliveries = await inBatches(async () => {
    // Their attempts go with them (ON DELETE CASCADE).
    const result = await orm.execute(sql`
      DELETE FROM webhook_deliveries WHERE (company_id, id) IN (
        SELECT company_id, id FROM webhook_deliveries
        WHERE api = ${api} AND status IN ('delivered', 'dead', 'cancelled') AND updated_at < now() - ${retentionDays}::int * interval '1 day'
        LIMIT ${BATCH})`);
    return result.rowCount ?? 0;
  }, signal);
  const subscriptions = await inBatches(async () => {
    const result = await orm.execute(sql`
      DELETE FROM webhook_subscriptions WHERE (company_id, id) IN (
        SELECT s.company_id, s.id FROM webhook_subscriptions s
        WHERE s.api = ${api} AND s.deleted_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.company_id = s.company_id AND d.subscription_id = s.id)
        LIMIT ${BATCH})`);
    return result.rowCount ?? 0;
  }, signal);
  await orm.execute(sql`DELETE FROM webhook_daily_usage WHERE api = ${api} AND day < (now() AT TIME ZONE 'UTC')::date - ${USAGE_RETENTION_DAYS}::int`);
  return deliveries + subscriptions;
}

export function scheduleWebhookPurge(ctx: Pick<AppContext, 'db' | 'background' | 'log'>, api: string): void {
  ctx.background.every(
    `${api} webhook history purge`,
    PURGE_INTERVAL_MS,
    async (signal) => {
      const purged = await purgeWebhookHistory(ctx.db.orm, api, signal);
      if (purged > 0) ctx.log.info({ purged, api }, 'old webhook deliveries purged');
    },
    (name, error) => ctx.log.error({ err: error }, `${name} failed`),
  );
}
