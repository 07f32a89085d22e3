import type { WindowLimits } from './limits.ts';
import type { Window } from './windows.ts';

/** Counts in minute, day, month order: after counting when the request was admitted, as seen when refused. */
export interface AdmitResult {
  /** Index (0 minute, 1 day, 2 month) of the window that refused the request, or null when admitted. */
  refused: number | null;
  counts: number[];
}

/**
 * Where a limiter keeps its counts. Both implementations check all three windows before counting and
 * count in all three only when none is exhausted, so a refused request uses up no quota.
 */
export interface CounterStore {
  admit(companyId: string, windows: readonly [Window, Window, Window], limits: WindowLimits, nowMs: number): Promise<AdmitResult>;
  /** Persists what was counted since the last flush (one statement), and refreshes shared totals. */
  flush(nowMs: number): Promise<void>;
  /** Releases connections the store opened itself. */
  close(): Promise<void>;
}
