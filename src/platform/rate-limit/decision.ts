import type { WindowLimits } from './limits.ts';
import { SCOPE_OF, secondsUntilReset, type Window, type WindowScope } from './windows.ts';

export type RateLimitDecision =
  | { allowed: true; headers: Record<string, string> }
  | {
      allowed: false;
      scope: WindowScope;
      limit: number;
      remaining: 0;
      resetAt: Date;
      retryAfterSeconds: number;
      /** The same rate-limit headers as on an allowed response, for this window, plus Retry-After. */
      headers: Record<string, string>;
    };

/** The three windows in the order they are checked: longest first (see `exhaustedWindow`). */
export const CHECK_ORDER = [2, 1, 0] as const;

/**
 * The window that refuses a request, or null. When several are exhausted the longest one is named:
 * retrying when the minute resets would only be refused again by the exhausted day. Counts and limits
 * are in minute, day, month order.
 */
export function exhaustedWindow(counts: readonly number[], limits: WindowLimits, windows: readonly Window[]): number | null {
  for (const i of CHECK_ORDER) {
    const limit = limits[windows[i]!.kind];
    if (limit !== null && counts[i]! >= limit) return i;
  }
  return null;
}

/**
 * Headers on every response of a rate-limited API (BlueClerk: issue 4 asks for them on every response;
 * the spec's R-19 leaves them undocumented in the seed):
 *
 *   X-RateLimit-Limit      size of the tightest window (the one with the fewest requests left)
 *   X-RateLimit-Remaining  requests left in it after this one
 *   X-RateLimit-Reset      when it resets, Unix epoch seconds (the GitHub convention most clients know)
 *   X-RateLimit-Scope      which window that is: min, day or month (the 429 body's `scope` vocabulary)
 *   RateLimit-Policy       every limited window, IETF draft-ietf-httpapi-ratelimit-headers syntax:
 *                          "min";q=30;w=60, "day";q=5000;w=86400, "month";q=50000;w=2678400
 *   RateLimit              the tightest window in the same draft's syntax: "min";r=12;t=31
 *                          (r = remaining, t = seconds until reset)
 *
 * Unlimited windows appear in none of them; a company without any limit gets no rate-limit headers.
 * On a refusal the named window is the refusing one, and Retry-After is added.
 */
export function rateLimitHeaders(windows: readonly Window[], limits: WindowLimits, counts: readonly number[], nowMs: number, named?: number): Record<string, string> {
  const limited = windows.map((w, i) => ({ w, i, limit: limits[w.kind] })).filter((x): x is { w: Window; i: number; limit: number } => x.limit !== null);
  if (limited.length === 0) return {};
  const remainingOf = (x: { i: number; limit: number }) => Math.max(0, x.limit - counts[x.i]!);
  // Fewest left wins; on a tie the window that resets later, since it binds longer.
  const tightest =
    named !== undefined
      ? limited.find((x) => x.i === named)!
      : limited.reduce((best, x) => (remainingOf(x) < remainingOf(best) || (remainingOf(x) === remainingOf(best) && x.w.end > best.w.end) ? x : best));
  const scope = SCOPE_OF[tightest.w.kind];
  const remaining = remainingOf(tightest);
  const untilReset = secondsUntilReset(tightest.w, nowMs);
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(tightest.limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(Math.floor(tightest.w.end / 1000)),
    'X-RateLimit-Scope': scope,
    'RateLimit-Policy': limited.map((x) => `"${SCOPE_OF[x.w.kind]}";q=${x.limit};w=${(x.w.end - x.w.start) / 1000}`).join(', '),
    RateLimit: `"${scope}";r=${remaining};t=${untilReset}`,
  };
  if (named !== undefined) headers['Retry-After'] = String(untilReset);
  return headers;
}

/** Turns the counts a store saw into the limiter's answer. `counts` are after counting when allowed. */
export function decide(windows: readonly Window[], limits: WindowLimits, counts: readonly number[], refused: number | null, nowMs: number): RateLimitDecision {
  if (refused === null) return { allowed: true, headers: rateLimitHeaders(windows, limits, counts, nowMs) };
  const window = windows[refused]!;
  return {
    allowed: false,
    scope: SCOPE_OF[window.kind],
    limit: limits[window.kind]!,
    remaining: 0,
    resetAt: new Date(window.end),
    retryAfterSeconds: secondsUntilReset(window, nowMs),
    headers: rateLimitHeaders(windows, limits, counts, nowMs, refused),
  };
}
