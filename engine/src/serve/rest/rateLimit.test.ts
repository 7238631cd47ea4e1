import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rateLimit.js';

describe('rate limiter', () => {
  it('allows a burst, then refuses with a retry time, then refills at the rate', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(10, 20, () => now);
    const first = Array.from({ length: 25 }, () => limiter.take('a').allowed);
    expect(first.filter(Boolean)).toHaveLength(20);
    expect(first.slice(20)).toEqual([false, false, false, false, false]);
    expect(limiter.take('a').retryAfterSeconds).toBe(1);
    now += 300; // 3 tokens back at 10/s
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per client', () => {
    const limiter = createRateLimiter(1, 2, () => 0);
    expect([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true, false]);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('never refills past the burst, however long the pause', () => {
    let now = 0;
    const limiter = createRateLimiter(10, 3, () => now);
    limiter.take('a');
    now += 3_600_000;
    expect(Array.from({ length: 5 }, () => limiter.take('a').allowed)).toEqual([true, true, true, false, false]);
  });

  it('refuses a nonsensical configuration as a bug', () => {
    expect(() => createRateLimiter(0, 5, () => 0)).toThrow(/internal.bug/);
  });
});
