import type { Plan } from '../tenancy/schema.ts';
import type { WindowKind } from './windows.ts';

/** Requests a company may make in each window; `null` means no limit in that window. */
export type WindowLimits = Record<WindowKind, number | null>;

/** What a company row contributes to its limits: its plan and the contract overrides. */
export interface CompanyLimitSource {
  plan: Plan;
  limitPerMinute: number | null;
  limitPerDay: number | null;
  limitPerMonth: number | null;
}

/**
 * How a custom limit is stored in companies.limit_per_minute / limit_per_day / limit_per_month:
 *   NULL      the plan's figure (the default; `opsbase company set-limits ... default` restores it)
 *   -1        unlimited in that window (an enterprise contract without a cap)
 *   1 .. 2^31-1  that many requests per window
 * Zero is never stored: "no API access" is a plan question (trial), answered before rate limiting.
 */
export const UNLIMITED_STORED = -1;

/** An API's limits per plan. A plan left out has no API access; asking for its limits is a bug. */
export type PlanLimitTable = Partial<Record<Plan, WindowLimits>>;

export class NoApiAccessError extends Error {
  constructor(readonly plan: Plan) {
    super(`The ${plan} plan has no API access; refuse the request before rate limiting it`);
    this.name = 'NoApiAccessError';
  }
}

function override(stored: number | null, planValue: number | null): number | null {
  if (stored === null) return planValue;
  if (stored === UNLIMITED_STORED) return null;
  return stored;
}

/** The usual `limitsFor`: the plan's row of `table`, with the company's custom limits on top. */
export function limitsFromPlanTable(table: PlanLimitTable): (company: CompanyLimitSource) => WindowLimits {
  return (company) => {
    const plan = table[company.plan];
    if (!plan) throw new NoApiAccessError(company.plan);
    return {
      minute: override(company.limitPerMinute, plan.minute),
      day: override(company.limitPerDay, plan.day),
      month: override(company.limitPerMonth, plan.month),
    };
  };
}
