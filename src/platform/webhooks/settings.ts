import type { Plan } from '../tenancy/schema.ts';

/**
 * What one API says about its webhooks. The mechanism (fan-out, claiming, signing, retries, the SSRF
 * guard, the log) is shared; each API supplies these settings, e.g. src/apis/blueclerk/webhooks/settings.ts.
 * Process-wide settings (retry schedule, private addresses, https only) come from the configuration.
 */
export interface WebhookApiSettings {
  /** The `api` of its domain events and subscriptions, e.g. `blueclerk`. */
  api: string;
  /** Shown in the console. */
  title: string;
  /** Event names a subscription may ask for. */
  eventTypes: readonly string[];
  /** The event sent by "Send test event"; never fanned out, never subscribable. */
  testEventType: string;
  /** The API's own signature header, e.g. `X-BlueClerk-Signature`. */
  signatureHeader: string;
  /** That header's value for one attempt (`timestamp` in Unix seconds, `body` the exact bytes sent). */
  signatureValue(secret: string, timestamp: number, body: string): string;
  /** The JSON body of a delivery. */
  envelope(event: DeliveryEvent): unknown;
  /** Deliveries per UTC day by plan; a plan left out gets none (its deliveries wait, see quota.ts). */
  dailyQuota: Partial<Record<Plan, number>>;
  /** `User-Agent` of the deliveries. */
  userAgent: string;
  /** Where the console pages live, e.g. `/blueclerk/console/webhooks` (no trailing slash). */
  consolePath: string;
  /** Most live subscriptions one company may have for this API (bounds the fan-out of one change). */
  maxSubscriptionsPerCompany: number;
}

export interface DeliveryEvent {
  id: string;
  type: string;
  occurredAt: Date;
  companyId: string;
  data: Record<string, unknown>;
}

/** How long one attempt may take (seed: "Webhook timeout is 5 seconds"). */
export const DELIVERY_TIMEOUT_MS = 5_000;
