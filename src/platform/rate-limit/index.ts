// The platform rate limiter: what APIs, the CLI and the console call.
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.ts';
export type { RateLimitDecision } from './decision.ts';
export { limitsFromPlanTable, NoApiAccessError, UNLIMITED_STORED, type PlanLimitTable, type WindowLimits } from './limits.ts';
export { BLUECLERK_PLAN_LIMITS } from './blueclerk-plan-limits.ts';
export { setCompanyLimits, parseLimitSetting, LimitInputError, type LimitSetting, type CompanyLimitSettings, type StoredCompanyLimits } from './company-limits.ts';
export { dailyUsage, type DailyUsage } from './usage-store.ts';
export type { WindowScope } from './windows.ts';
