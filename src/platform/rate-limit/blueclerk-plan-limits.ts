import type { PlanLimitTable } from './limits.ts';

/**
 * BlueClerk's plan table (seed, section 5.4 of the spec): per minute, per day, monthly cap. The trial
 * plan is absent on purpose: trial companies get `403 plan_required` and never reach the limiter.
 * Kept beside the limiter so the API and the CLI (which shows the defaults) read one copy.
 */
export const BLUECLERK_PLAN_LIMITS: PlanLimitTable = {
  starter: { minute: 30, day: 5_000, month: 50_000 },
  pro: { minute: 60, day: 15_000, month: 250_000 },
  business: { minute: 120, day: 50_000, month: 1_500_000 },
  enterprise: { minute: 300, day: 200_000, month: null },
};
