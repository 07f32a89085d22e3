import { recordEvent } from '../../../platform/events/record-event.ts';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';

/**
 * BlueClerk's webhook events (seed "Events", spec 6.2) and exactly the fields each payload includes.
 * Record functions write them into the outbox in the same transaction as the change; the webhook
 * deliverer reads them from there and wraps them in the delivery envelope (spec 6.3).
 */
export interface BlueClerkEventPayloads {
  'job.created': { id: string; title: string; status: string; propertyId: string | null; createdAt: string };
  'job.status_changed': { id: string; oldStatus: string; newStatus: string; changedAt: string };
  'ticket.created': { id: string; title: string; status: string; createdAt: string };
  'estimate.sent': { id: string; estimateNumber: string; totalAmount: string; sentAt: string };
  'estimate.approved': { id: string; estimateNumber: string; approvedAt: string };
  'property.created': { id: string; address: string; createdAt: string };
  'invoice.paid': { id: string; invoiceNumber: string; totalAmount: string; paidAt: string };
}

export type BlueClerkEventType = keyof BlueClerkEventPayloads;

export const BLUECLERK_EVENT_TYPES = [
  'job.created',
  'job.status_changed',
  'ticket.created',
  'estimate.sent',
  'estimate.approved',
  'property.created',
  'invoice.paid',
] as const satisfies readonly BlueClerkEventType[];

export async function recordBlueClerkEvent<E extends BlueClerkEventType>(tx: Tx, companyId: string, type: E, payload: BlueClerkEventPayloads[E]): Promise<void> {
  await recordEvent(tx, { companyId, api: 'blueclerk', type, payload: { ...payload } });
}
