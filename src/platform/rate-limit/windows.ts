/**
 * The three fixed windows every limit is counted in, aligned to UTC (BlueClerk R-19): the UTC minute,
 * the UTC day and the UTC calendar month. A window is identified by its kind and its start instant, so
 * a counter of a past window is recognisable by its start alone and needs no timer to expire; month
 * lengths would overflow setTimeout anyway (its maximum is ~24.8 days).
 */
export const WINDOW_KINDS = ['minute', 'day', 'month'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** The name a window has in 429 bodies and headers: BlueClerk's seed says `min` for the minute. */
export type WindowScope = 'min' | 'day' | 'month';
export const SCOPE_OF: Record<WindowKind, WindowScope> = { minute: 'min', day: 'day', month: 'month' };

export interface Window {
  kind: WindowKind;
  /** Inclusive start, epoch milliseconds. */
  start: number;
  /** Exclusive end = the next window's start = when this window resets, epoch milliseconds. */
  end: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export function windowAt(kind: WindowKind, nowMs: number): Window {
  switch (kind) {
    case 'minute': {
      const start = nowMs - mod(nowMs, MINUTE_MS);
      return { kind, start, end: start + MINUTE_MS };
    }
    case 'day': {
      const start = nowMs - mod(nowMs, DAY_MS);
      return { kind, start, end: start + DAY_MS };
    }
    case 'month': {
      const now = new Date(nowMs);
      const year = now.getUTCFullYear();
      const month = now.getUTCMonth();
      // Date.UTC rolls month 12 over into January of the next year.
      return { kind, start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
    }
  }
}

/** The current minute, day and month windows, in that order (shortest first). */
export function currentWindows(nowMs: number): [Window, Window, Window] {
  return [windowAt('minute', nowMs), windowAt('day', nowMs), windowAt('month', nowMs)];
}

/** Whole seconds until `window` resets, at least 1: a client told "0" would retry at once and be refused again. */
export function secondsUntilReset(window: Window, nowMs: number): number {
  return Math.max(1, Math.ceil((window.end - nowMs) / 1000));
}

// Epoch milliseconds before 1970 are negative; `%` would then give a negative remainder.
function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
