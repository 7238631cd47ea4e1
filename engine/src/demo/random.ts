/**
 * Seeded randomness for the demo dataset. Everything variable in the demo comes from one of these streams (no
 * Math.random, no clock), so the same seed and `now` always give the same database, byte for byte.
 * The generator is mulberry32: tiny, public domain and plenty for picking words and token counts.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return ((z ^ (z >>> 14)) >>> 0) / 0x100000000;
    },
  };
}

/** Integer in [min, max], both inclusive. */
export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

export function chance(rng: Rng, probability: number): boolean {
  return rng.next() < probability;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng.next() * items.length)];
  if (item === undefined) throw new Error('pick: empty list');
  return item;
}

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function hex(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[Math.floor(rng.next() * 16)];
  return out;
}

export function base62(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[Math.floor(rng.next() * 62)];
  return out;
}

/**
 * OpenCode's identifiers: `<prefix>_<12 hex><14 base62>`, the hex being the low 48 bits of `ms * 4096 + counter`.
 * Session ids invert those bits so that newer sessions sort first; message and part ids ascend with time, which is
 * the order the engine and OpenCode itself rely on when they list a session's messages.
 */
export interface IdFactory {
  ascending(prefix: 'msg' | 'prt', ms: number): string;
  descending(prefix: 'ses', ms: number): string;
}

const MASK_48 = (1n << 48n) - 1n;

export function createIdFactory(rng: Rng): IdFactory {
  let lastMs = -1;
  let counter = 0;
  const make = (prefix: string, ms: number, descending: boolean): string => {
    counter = ms === lastMs ? counter + 1 : 1;
    lastMs = ms;
    let value = BigInt(ms) * 4096n + BigInt(counter);
    if (descending) value = ~value;
    return `${prefix}_${(value & MASK_48).toString(16).padStart(12, '0')}${base62(rng, 14)}`;
  };
  return { ascending: (prefix, ms) => make(prefix, ms, false), descending: (prefix, ms) => make(prefix, ms, true) };
}
