/**
 * Seeded pseudo-random numbers for the corpus generator. Everything random in the corpus comes from here, so
 * the same seed always gives the same corpus (no Math.random, no clock).
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast counting" PRNG, public domain), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. `deriveSeed` makes independent sub-streams (one per
 * session family, one for the schedule, …), which keeps a family's content stable when other options change.
 */

/** A stream of uniform numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes a seed with any number of integer keys into a new 32-bit seed. */
export function deriveSeed(seed: number, ...keys: number[]): number {
  let h = splitmix32(seed)();
  for (const key of keys) {
    h = splitmix32((h ^ Math.imul(key >>> 0, 0x27d4eb2d) ^ Math.floor(key / 0x100000000)) >>> 0)();
  }
  return h >>> 0;
}

/** Creates an sfc32 stream from a 32-bit seed. */
export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = 1;
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  return { u32, next: () => u32() / 0x100000000 };
}

/** Integer in [min, max], both inclusive. */
export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

/** One element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng.next() * items.length)];
  if (item === undefined) throw new Error('pick: empty array');
  return item;
}

/** Standard normal variate (Box–Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal variate with the given median and shape (sigma of the underlying normal). */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Log-normal rounded to an integer and clamped to [min, max]. */
export function logNormalInt(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(logNormal(rng, median, sigma))));
}

/** Number of failures before the first success, for a geometric distribution with the given mean. */
export function geometric(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - rng.next()) / Math.log(1 - p));
}

/** A weighted choice table, built once and sampled many times. */
export interface Weighted<T> {
  readonly items: readonly T[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

export function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  const items: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [item, weight] of entries) {
    if (weight <= 0) continue;
    total += weight;
    items.push(item);
    cumulative.push(total);
  }
  if (items.length === 0) throw new Error('weighted: no positive weights');
  return { items, cumulative, total };
}

export function sample<T>(rng: Rng, table: Weighted<T>): T {
  const x = rng.next() * table.total;
  let lo = 0;
  let hi = table.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((table.cumulative[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  const item = table.items[lo];
  if (item === undefined) throw new Error('sample: empty table');
  return item;
}

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random lower-case hex string. */
export function hex(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[rng.u32() & 15];
  return out;
}

/** Random base62 string (OpenCode's alphabet: digits, upper case, lower case). */
export function base62(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[rng.u32() % 62];
  return out;
}
