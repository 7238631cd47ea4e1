/**
 * A token bucket per client for mutating calls: `perSecond` tokens refill continuously up to `burst`. Pure apart
 * from the injected clock, so tests drive time instead of sleeping.
 */

export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: whole seconds until one token is back (for Retry-After). */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  take(client: string): RateDecision;
}

/** Buckets idle long enough to be full again are dropped, so a scan of many clients cannot grow memory forever. */
const MAX_BUCKETS = 10_000;

export function createRateLimiter(perSecond: number, burst: number, now: () => number): RateLimiter {
  if (!(perSecond > 0) || !(burst >= 1)) throw new Error(`internal.bug: bad rate limit ${perSecond}/s burst ${burst}`);
  const buckets = new Map<string, { tokens: number; at: number }>();

  const prune = (t: number) => {
    for (const [key, b] of buckets) if (b.tokens + ((t - b.at) / 1000) * perSecond >= burst) buckets.delete(key);
  };

  return {
    take(client) {
      const t = now();
      if (buckets.size >= MAX_BUCKETS) prune(t);
      const bucket = buckets.get(client) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(client, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0 };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    },
  };
}
