/**
 * OpenCode identifiers (opencode.md §4.6, checked against the 1.18.33 binary and real rows):
 * `<prefix>_<12 hex><14 base62>`. The 12 hex digits are the low 48 bits of `ms * 4096 + counter`, where the
 * counter restarts at 1 whenever the millisecond changes. Session ids are "descending" (those 48 bits inverted,
 * so newer sessions sort first); message, part and event ids are ascending.
 */
import { base62 } from './random.js';
import type { Rng } from './random.js';

export type IdPrefix = 'ses' | 'msg' | 'prt' | 'evt' | 'per' | 'que' | 'wrk';

const MASK_48 = (1n << 48n) - 1n;
/** Length of the part after `<prefix>_`. */
export const ID_BODY_LENGTH = 26;

export interface IdFactory {
  ascending(prefix: IdPrefix, ms: number): string;
  descending(prefix: IdPrefix, ms: number): string;
}

/** An id factory with OpenCode's per-millisecond counter; the random tail comes from `rng`. */
export function createIdFactory(rng: Rng): IdFactory {
  let lastMs = -1;
  let counter = 0;
  const make = (prefix: IdPrefix, ms: number, descending: boolean): string => {
    if (ms !== lastMs) {
      lastMs = ms;
      counter = 0;
    }
    counter++;
    let value = BigInt(ms) * 4096n + BigInt(counter);
    if (descending) value = ~value;
    return `${prefix}_${(value & MASK_48).toString(16).padStart(12, '0')}${base62(rng, ID_BODY_LENGTH - 12)}`;
  };
  return {
    ascending: (prefix, ms) => make(prefix, ms, false),
    descending: (prefix, ms) => make(prefix, ms, true),
  };
}

/** The timestamp encoded in an id, modulo 2^36 ms (about 795 days), as OpenCode can recover it. */
export function idTimestampModulo(id: string, descending: boolean): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 13);
  let value = BigInt('0x' + body);
  if (descending) value = ~value & MASK_48;
  return Number(value / 4096n);
}

export const ID_PATTERN = /^(ses|msg|prt|evt|per|que|wrk)_[0-9a-f]{12}[0-9A-Za-z]{14}$/;
