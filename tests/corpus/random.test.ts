import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, int, logNormal, sample, weighted } from './random.js';

describe('random', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(sa);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
  });

  it('keeps values in range and honours weights', () => {
    const rng = createRng(7);
    const table = weighted([['a', 9], ['b', 1]] as const);
    let a = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = int(rng, 3, 5);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(5);
      if (sample(rng, table) === 'a') a++;
      expect(rng.next()).toBeLessThan(1);
    }
    expect(a / 10_000).toBeGreaterThan(0.87);
    expect(a / 10_000).toBeLessThan(0.93);
    const values = Array.from({ length: 5001 }, () => logNormal(rng, 100, 1)).sort((x, y) => x - y);
    expect(values[2500]).toBeGreaterThan(85);
    expect(values[2500]).toBeLessThan(115);
  });
});
