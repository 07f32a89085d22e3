import type { Tx } from '../idempotency/idempotency.ts';
import { newId } from '../ids.ts';
import { fanOutEvent } from '../webhooks/fan-out.ts';
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
  const [row] = await tx.insert(domainEvents).values({ id: newId(), ...event }).returning();
  const recorded = row as DomainEvent;
  await fanOutEvent(tx, recorded);
  return recorded;
}
