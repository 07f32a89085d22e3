import { eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.ts';
import { companies } from '../tenancy/schema.ts';
import { UNLIMITED_STORED } from './limits.ts';

/**
 * A custom limit as callers express it (`opsbase company set-limits ID --per-minute N ...`):
 *   a whole number >= 1   that many requests per window
 *   'unlimited'           no limit in that window
 *   'default'             back to the plan's figure
 * A window left `undefined` keeps whatever the company has now.
 */
export type LimitSetting = number | 'unlimited' | 'default';

export interface CompanyLimitSettings {
  perMinute?: LimitSetting;
  perDay?: LimitSetting;
  perMonth?: LimitSetting;
}

/** A custom limit that cannot be stored; `field` names the option, the message is safe to show. */
export class LimitInputError extends Error {
  constructor(readonly field: keyof CompanyLimitSettings, message: string) {
    super(message);
    this.name = 'LimitInputError';
  }
}

// The columns are PostgreSQL `integer`.
const MAX_LIMIT = 2_147_483_647;

/** Reads a command-line value: digits (`1000`, `1_000` or `1,000`), `unlimited` or `default`. */
export function parseLimitSetting(field: keyof CompanyLimitSettings, raw: string): LimitSetting {
  const value = raw.trim().toLowerCase();
  if (value === 'unlimited' || value === 'default') return value;
  if (!/^\d{1,3}([_,]?\d{3})*$/.test(value)) {
    throw new LimitInputError(field, `${field} must be a whole number, "unlimited" or "default" (got "${raw}")`);
  }
  const limit = Number(value.replace(/[_,]/g, ''));
  validateNumber(field, limit);
  return limit;
}

function validateNumber(field: keyof CompanyLimitSettings, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new LimitInputError(field, `${field} must be a whole number from 1 to ${MAX_LIMIT} (got ${limit}); use "unlimited" for no limit`);
  }
}

function toStored(field: keyof CompanyLimitSettings, setting: LimitSetting): number | null {
  if (setting === 'default') return null;
  if (setting === 'unlimited') return UNLIMITED_STORED;
  validateNumber(field, setting);
  return setting;
}

export interface StoredCompanyLimits {
  companyId: string;
  limitPerMinute: number | null;
  limitPerDay: number | null;
  limitPerMonth: number | null;
}

/**
 * Sets a company's custom rate limits (the CLI's `company set-limits`). Returns the stored values
 * (see UNLIMITED_STORED for their meaning), or null when there is no such company. A running server
 * picks the change up within its limiter's limits refresh (30 s).
 *
 * Two numbers given together must nest: a per-minute limit above the per-day limit (or per-day above
 * per-month) is a typo, not a contract.
 */
export async function setCompanyLimits(orm: Orm, companyId: string, settings: CompanyLimitSettings): Promise<StoredCompanyLimits | null> {
  const values: Partial<Record<'limitPerMinute' | 'limitPerDay' | 'limitPerMonth', number | null>> = {};
  if (settings.perMinute !== undefined) values.limitPerMinute = toStored('perMinute', settings.perMinute);
  if (settings.perDay !== undefined) values.limitPerDay = toStored('perDay', settings.perDay);
  if (settings.perMonth !== undefined) values.limitPerMonth = toStored('perMonth', settings.perMonth);
  if (Object.keys(values).length === 0) {
    throw new LimitInputError('perMinute', 'Give at least one of perMinute, perDay, perMonth');
  }
  const [minute, day, month] = [settings.perMinute, settings.perDay, settings.perMonth];
  if (typeof minute === 'number' && typeof day === 'number' && minute > day) {
    throw new LimitInputError('perMinute', `perMinute (${minute}) must not exceed perDay (${day})`);
  }
  if (typeof day === 'number' && typeof month === 'number' && day > month) {
    throw new LimitInputError('perDay', `perDay (${day}) must not exceed perMonth (${month})`);
  }
  const [row] = await orm
    .update(companies)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(companies.id, companyId))
    .returning({
      companyId: companies.id,
      limitPerMinute: companies.limitPerMinute,
      limitPerDay: companies.limitPerDay,
      limitPerMonth: companies.limitPerMonth,
    });
  return row ?? null;
}
