import { sql } from 'drizzle-orm';
import type { Tx } from '../idempotency/idempotency.ts';
import type { DomainEvent } from '../events/record-event.ts';

/**
 * Creates one pending delivery per live subscription of the event's company and API that asked for its
 * type — in the event's own transaction, by a single INSERT ... SELECT. So a rolled-back change leaves no
 * delivery and a committed one always has all of its deliveries: nothing is lost between "committed" and
 * "queued", and nothing is queued for a change that did not happen.
 *
 * Delivery ids are made in SQL (`c` + 24 hex characters from gen_random_uuid(), the same shape as our
 * CUIDs) because one statement writes a row per subscription.
 */
export async function fanOutEvent(tx: Tx, event: DomainEvent): Promise<number> {
  const result = await tx.execute(sql`
    INSERT INTO webhook_deliveries (id, company_id, subscription_id, api, event_id, event_type, event_time, data, status, attempts, next_attempt_at)
    SELECT 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), s.company_id, s.id, s.api,
           ${event.id}, ${event.type}, ${event.occurredAt}, ${JSON.stringify(event.payload)}::jsonb, 'pending', 0, now()
    FROM webhook_subscriptions s
    WHERE s.company_id = ${event.companyId} AND s.api = ${event.api} AND s.deleted_at IS NULL AND ${event.type} = ANY(s.events)`);
  return result.rowCount ?? 0;
}
