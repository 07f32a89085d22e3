import type { WebhookApiSettings } from '../../../platform/webhooks/settings.ts';
import { timestampedHexSignature } from '../../../platform/webhooks/signing.ts';
import { BLUECLERK_EVENT_TYPES } from '../records/events.ts';

/**
 * BlueClerk's webhooks (seed "Webhooks", spec section 6): its seven events, the `X-BlueClerk-Signature`
 * header, the delivery envelope of R-20 and the plan table's "Webhook deliveries/day".
 */
export const BLUECLERK_TEST_EVENT = 'webhook.test';

export const blueClerkWebhooks: WebhookApiSettings = {
  api: 'blueclerk',
  title: 'BlueClerk',
  eventTypes: BLUECLERK_EVENT_TYPES,
  testEventType: BLUECLERK_TEST_EVENT,
  signatureHeader: 'X-BlueClerk-Signature',
  signatureValue: timestampedHexSignature,
  // Spec 6.3: `data` holds exactly the seed's "payload includes" fields; `id` is the event's and
  // stays the same across retries.
  envelope: (event) => ({ id: event.id, event: event.type, createdAt: event.occurredAt.toISOString(), companyId: event.companyId, data: event.data }),
  dailyQuota: { starter: 2_000, pro: 7_500, business: 25_000, enterprise: 100_000 },
  userAgent: 'BlueClerk-Webhooks/1.0 (Opsbase)',
  consolePath: '/blueclerk/console/webhooks',
  maxSubscriptionsPerCompany: 50,
};
