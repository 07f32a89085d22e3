import { Redis } from 'ioredis';
import type { AdmitResult, CounterStore } from './counter-store.ts';
import type { WindowLimits } from './limits.ts';
import { addUsage, type Queryable, type UsageDelta } from './usage-store.ts';
import type { Window } from './windows.ts';

/**
 * Checks and counts in Redis: one script per check reads the three window counters and, only when all
 * three have room, increments all three, atomically. Redis runs scripts one at a time, so the limits
 * are exact across any number of nodes. Keys carry the window's start and expire shortly after the
 * window ends, so nothing needs cleaning up.
 *
 * Windows are checked longest first and the first exhausted one is reported (see exhaustedWindow in
 * decision.ts); a limit of -1 means unlimited. The reply is {refused index (0 = none, else 1..3), the
 * three counts}: after counting when admitted, as found when refused.
 */
const CHECK_AND_COUNT = `
local counts = {}
for i = 1, 3 do counts[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
for i = 3, 1, -1 do
  local limit = tonumber(ARGV[i])
  if limit >= 0 and counts[i] >= limit then return {i, counts[1], counts[2], counts[3]} end
end
for i = 1, 3 do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3 + i]) end
end
return {0, counts[1], counts[2], counts[3]}
`;

// Keys outlive their window by a minute, so a node whose clock runs a little behind still finds them.
const KEY_GRACE_MS = 60_000;

type RateRedis = Redis & {
  opsbaseRateCheck(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<[number, number, number, number]>;
};

export function connectRedis(url: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    // Fail a check within seconds rather than queueing requests forever while Redis is away.
    maxRetriesPerRequest: 2,
    commandTimeout: 2_000,
    // Concurrent checks share round trips.
    enableAutoPipelining: true,
  });
  redis.on('error', onError);
  return redis;
}

export class RedisSharedCounters implements CounterStore {
  private readonly redis: RateRedis;
  /** Day and month counts admitted since the last flush, persisted to rate_usage for the usage page. */
  private usage = new Map<string, UsageDelta>();

  /** `keyPrefix` separates deployments (and test runs) sharing one Redis. `ownsRedis`: close it on close(). */
  constructor(
    redis: Redis,
    private readonly db: Queryable,
    private readonly api: string,
    private readonly keyPrefix: string,
    private readonly ownsRedis: boolean,
  ) {
    redis.defineCommand('opsbaseRateCheck', { numberOfKeys: 3, lua: CHECK_AND_COUNT });
    this.redis = redis as RateRedis;
  }

  async admit(companyId: string, windows: readonly [Window, Window, Window], limits: WindowLimits, nowMs: number): Promise<AdmitResult> {
    // The {hash tag} puts a company's three keys in one Redis Cluster slot, as a multi-key script needs.
    const keys = windows.map((w) => `${this.keyPrefix}{${this.api}:${companyId}}:${w.kind}:${w.start}`);
    const [refused, ...counts] = await this.redis.opsbaseRateCheck(
      keys[0]!,
      keys[1]!,
      keys[2]!,
      ...windows.map((w) => limits[w.kind] ?? -1),
      ...windows.map((w) => Math.max(1, w.end - nowMs) + KEY_GRACE_MS),
    );
    if (refused !== 0) return { refused: refused - 1, counts };
    for (const w of windows) {
      if (w.kind === 'minute') continue;
      const key = `${companyId}:${w.kind}:${w.start}`;
      const entry = this.usage.get(key);
      if (entry) entry.delta += 1;
      else this.usage.set(key, { companyId, window: w.kind, windowStart: w.start, delta: 1 });
    }
    return { refused: null, counts };
  }

  async flush(): Promise<void> {
    if (this.usage.size === 0) return;
    const batch = this.usage;
    this.usage = new Map();
    try {
      await addUsage(this.db, this.api, [...batch.values()]);
    } catch (error) {
      // Put the counts back (merging with what arrived meanwhile) for the next flush.
      for (const [key, entry] of batch) {
        const newer = this.usage.get(key);
        if (newer) newer.delta += entry.delta;
        else this.usage.set(key, entry);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsRedis) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
