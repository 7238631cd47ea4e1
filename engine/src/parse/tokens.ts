/**
 * OpenCode's token record → our five columns plus total. `input` is uncached input; the total is the sum of all
 * five kinds (peers.md §1: tools that dropped cache reads under-reported up to 70×). Both spellings of the cache
 * keys are accepted (`cache.read` and the older `cacheRead`).
 */
import { count, obj } from './text.js';

export interface Tokens {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
}

export const ZERO_TOKENS: Readonly<Tokens> = Object.freeze({ input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 });

export function parseTokens(value: unknown): Tokens {
  const tokens = obj(value);
  const cache = obj(tokens.cache);
  const t = {
    input: count(tokens.input),
    output: count(tokens.output),
    reasoning: count(tokens.reasoning),
    cacheRead: count(cache.read ?? tokens.cacheRead),
    cacheWrite: count(cache.write ?? tokens.cacheWrite),
    total: 0,
  };
  t.total = t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite;
  return t;
}

export function addTokens(into: Tokens, add: Readonly<Tokens>): void {
  into.input += add.input;
  into.output += add.output;
  into.reasoning += add.reasoning;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
  into.total += add.total;
}

/** Spreads tokens into table columns named `<prefix>_input`, … */
export function tokenCells<P extends string>(prefix: P, t: Readonly<Tokens>) {
  return {
    [`${prefix}_input`]: t.input,
    [`${prefix}_output`]: t.output,
    [`${prefix}_reasoning`]: t.reasoning,
    [`${prefix}_cache_read`]: t.cacheRead,
    [`${prefix}_cache_write`]: t.cacheWrite,
    [`${prefix}_total`]: t.total,
  } as Record<`${P}_${'input' | 'output' | 'reasoning' | 'cache_read' | 'cache_write' | 'total'}`, number>;
}
