import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../idempotency/idempotency.ts';
import type { DomainEvent } from '../events/record-event.ts';

/**
 * Creates one pending delivery per live subscription of the event's company and API that asked for its
 * type — in the event's own transaction, by a single INSERT ... SELECT. So a rolled-back change leaves no
 * delivery and a committed one always has all of its deliveries: nothing is lost between "committed" and
 * "queued", and nothing is queued for a change that did not happen.
 *
 * The statement reads the event from `source`, a row source with the columns of `domain_events` (the
 * table itself filtered to one id, or the `RETURNING` of the INSERT that records it, as recordEvent does,
 * so recording an event and fanning it out is one statement).
 *
 * Delivery ids are made in SQL (`c` + 24 hex characters from gen_random_uuid(), the same shape as our
 * CUIDs) because one statement writes a row per subscription.
 */
export function fanOutStatement(source: SQL): SQL {
  return sql`
    INSERT INTO webhook_deliveries (id, company_id, subscription_id, api, event_id, event_type, event_time, data, status, attempts, next_attempt_at)
    SELECT 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), s.company_id, s.id, s.api,
           e.id, e.type, e.occurred_at, e.payload, 'pending', 0, now()
    FROM ${source} AS e
    JOIN webhook_subscriptions s ON s.company_id = e.company_id AND s.api = e.api AND s.deleted_at IS NULL AND e.type = ANY(s.events)`;
}

/** Fans out an event already recorded (see fanOutStatement); returns how many deliveries it made. */
export async function fanOutEvent(tx: Tx, event: DomainEvent): Promise<number> {
  const result = await tx.execute(fanOutStatement(sql`(SELECT * FROM domain_events WHERE id = ${event.id})`));
  return result.rowCount ?? 0;
}
