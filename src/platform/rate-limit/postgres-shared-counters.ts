import { exhaustedWindow } from './decision.ts';
import type { AdmitResult, CounterStore } from './counter-store.ts';
import type { WindowLimits } from './limits.ts';
import { addUsage, purgeMinuteUsage, readUsage, type Queryable, type UsageDelta } from './usage-store.ts';
import { windowAt, type Window } from './windows.ts';

/**
 * Counts in this process's memory and shares the counts with other nodes through rate_usage.
 *
 * A check touches no database (after a company's first one): it compares, per window, the global total
 * this node last read from PostgreSQL plus what it admitted since, against the limit, and counts the
 * request in all three windows only if all three have room. Every flush interval one statement adds
 * this node's deltas to rate_usage and returns the new global totals (zero deltas only read), which
 * become the node's view.
 *
 * Overshoot bound. For one company and one window of limit L, with N nodes flushing every f, and a
 * flush taking at most d:
 *
 *     admitted ≤ L + (N − 1) × min(L, A(2·(f + d)))
 *
 * where A(t) is the most one node admits for that company in any span of length t. Why: take the node
 * that admitted last; it admitted only while (its view) < L, and its view holds everything it admitted
 * itself plus everything of the others it has read back. What it had not read back is what the others
 * admitted in the last 2·(f + d): a request counted on node j reaches PostgreSQL with j's next flush (up
 * to f + d later) and is read by the other node at its following flush (up to f + d after that). No node
 * admits more than L on its own, hence the min. A single node (N = 1) is exact. While PostgreSQL is
 * unreachable flushes fail, d grows without bound, and the bound becomes (N − 1) × L; each node still
 * enforces the full limits on its own.
 *
 * Memory: counters of past windows are dropped once flushed; a company idle for `idleMs` is forgotten
 * once it has nothing left to flush, and read again from rate_usage (one statement) if it comes back.
 * No timers per window: a window is recognised as past by its start, at the next flush.
 */
interface Counter {
  window: Window;
  /** Global total at the last read from PostgreSQL (includes this node's flushed counts). */
  seen: number;
  /** Admitted here and not yet sent. */
  pending: number;
  /** Admitted here and being sent by the current flush. */
  inFlight: number;
}

interface CompanyCounters {
  lastUsed: number;
  /** Keyed by `${kind}:${start}`; usually the three current windows, plus past ones awaiting their flush. */
  counters: Map<string, Counter>;
}

const PURGE_EVERY_MS = 10 * 60_000;

export class PostgresSharedCounters implements CounterStore {
  private readonly companies = new Map<string, CompanyCounters>();
  private readonly loading = new Map<string, Promise<CompanyCounters>>();
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Queryable,
    private readonly api: string,
    private readonly idleMs = 120_000,
  ) {}

  async admit(companyId: string, windows: readonly [Window, Window, Window], limits: WindowLimits, nowMs: number): Promise<AdmitResult> {
    const company = this.companies.get(companyId) ?? (await this.load(companyId, windows, nowMs));
    // From here to the return nothing awaits, so concurrent checks on this node cannot interleave:
    // a single node never admits past a limit.
    company.lastUsed = nowMs;
    const counters = windows.map((w) => counterFor(company, w));
    const views = counters.map((c) => c.seen + c.inFlight + c.pending);
    const refused = exhaustedWindow(views, limits, windows);
    if (refused !== null) return { refused, counts: views };
    for (const c of counters) c.pending += 1;
    return { refused: null, counts: views.map((v) => v + 1) };
  }

  /** The first check of a company on this node reads its current totals, so a restart resets no quota. */
  private load(companyId: string, windows: readonly Window[], nowMs: number): Promise<CompanyCounters> {
    let loading = this.loading.get(companyId);
    if (!loading) {
      loading = (async () => {
        const totals = await readUsage(this.db, this.api, companyId, windows.map((w) => ({ kind: w.kind, start: w.start })));
        // Marked as used now, so a flush running before this check resumes does not evict it as idle.
        const company: CompanyCounters = { lastUsed: nowMs, counters: new Map() };
        for (const w of windows) {
          const total = totals.find((t) => t.window === w.kind && t.windowStart === w.start);
          company.counters.set(counterKey(w), { window: w, seen: total?.count ?? 0, pending: 0, inFlight: 0 });
        }
        this.companies.set(companyId, company);
        return company;
      })().finally(() => this.loading.delete(companyId));
      this.loading.set(companyId, loading);
    }
    return loading;
  }

  async flush(nowMs: number): Promise<void> {
    const batch: UsageDelta[] = [];
    const sent: Counter[] = [];
    for (const [companyId, company] of this.companies) {
      const idle = nowMs - company.lastUsed > this.idleMs;
      let sending = false;
      for (const [key, c] of company.counters) {
        const current = windowAt(c.window.kind, nowMs).start === c.window.start;
        if (c.pending > 0) {
          c.inFlight = c.pending;
          c.pending = 0;
          batch.push({ companyId, window: c.window.kind, windowStart: c.window.start, delta: c.inFlight });
          sent.push(c);
          sending = true;
        } else if (current && !idle) {
          // Nothing to add, but other nodes may have: read the total back.
          batch.push({ companyId, window: c.window.kind, windowStart: c.window.start, delta: 0 });
          sent.push(c);
          sending = true;
        } else if (!current) {
          company.counters.delete(key);
        }
      }
      // Idle with nothing left to send: forget it; its next check reads rate_usage again.
      if (idle && !sending) this.companies.delete(companyId);
    }
    try {
      const totals = await addUsage(this.db, this.api, batch);
      for (const t of totals) {
        const c = this.companies.get(t.companyId)?.counters.get(`${t.window}:${t.windowStart}`);
        if (c) c.seen = t.count;
      }
      for (const c of sent) c.inFlight = 0;
    } catch (error) {
      // Nothing was added: keep the counts for the next flush.
      for (const c of sent) {
        c.pending += c.inFlight;
        c.inFlight = 0;
      }
      throw error;
    }
    if (nowMs - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = nowMs;
      await purgeMinuteUsage(this.db, nowMs);
    }
  }

  async close(): Promise<void> {}

  /** For tests and diagnostics: how many companies and counters this node holds. */
  get size(): { companies: number; counters: number } {
    let counters = 0;
    for (const company of this.companies.values()) counters += company.counters.size;
    return { companies: this.companies.size, counters };
  }
}

function counterKey(window: Window): string {
  return `${window.kind}:${window.start}`;
}

/** The counter of `window`, created at 0 when the window has just begun (other nodes' counts arrive with the next flush). */
function counterFor(company: CompanyCounters, window: Window): Counter {
  const key = counterKey(window);
  let counter = company.counters.get(key);
  if (!counter) {
    counter = { window, seen: 0, pending: 0, inFlight: 0 };
    company.counters.set(key, counter);
  }
  return counter;
}
