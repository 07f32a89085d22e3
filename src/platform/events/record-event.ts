import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../idempotency/idempotency.ts';
import { newId } from '../ids.ts';
import { fanOutStatement } from '../webhooks/fan-out.ts';
import { domainEvents } from './schema.ts';

export interface DomainEvent {
  id: string;
  companyId: string;
  api: string;
  type: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * Records an event inside the caller's transaction, together with its webhook deliveries (one per
 * matching subscription): event and deliveries commit or roll back with the change.
 */
export async function recordEvent(tx: Tx, event: { companyId: string; api: string; type: string; payload: Record<string, unknown> }): Promise<DomainEvent> {
  // One statement: the event's INSERT feeds the fan-out's INSERT ... SELECT through a CTE.
  const result = await tx.execute<{ id: string; company_id: string; api: string; type: string; payload: Record<string, unknown>; occurred_at: Date | string }>(sql`
    WITH ${recordEventCtes(sql`VALUES (${newId()}, ${event.companyId}, ${event.api}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb)`)}
    SELECT id, company_id, api, type, payload, occurred_at FROM recorded`);
  const row = result.rows[0]!;
  return {
    id: row.id,
    companyId: row.company_id,
    api: row.api,
    type: row.type,
    payload: row.payload,
    occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
  };
}

/**
 * The CTEs `recorded` (the event's INSERT) and `fanned_out` (its webhook deliveries), for a statement that
 * records an event along with the change it reports. `rows` gives the event's id, company_id, api, type
 * and payload (jsonb): a VALUES list, or a SELECT from an earlier CTE of the same statement.
 */
export function recordEventCtes(rows: SQL): SQL {
  return sql`recorded AS (
      INSERT INTO ${domainEvents} (id, company_id, api, type, payload) ${rows}
      RETURNING *
    ), fanned_out AS (${fanOutStatement(sql`recorded`)})`;
}
