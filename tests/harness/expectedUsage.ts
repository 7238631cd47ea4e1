/**
 * What OpenCode 1.18 stores for the usage a fake step reports (opencode.md §6.2), so tests can compare DB rows
 * with the script instead of hard-coding numbers.
 */
import { resolveUsage } from './fakeScript.js';
import type { FakeUsage } from './fakeScript.js';
import { FAKE_MODEL_COST } from './opencodeConfig.js';

export interface OpencodeTokens {
  total: number;
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/**
 * OpenAI format: input = prompt − cached, output = completion − reasoning (cache write cannot be reported).
 * Anthropic format: input excludes cache reads and writes, output = completion, reasoning is not reported.
 */
export function expectedTokens(usage: FakeUsage | undefined, format: 'openai' | 'anthropic' = 'openai'): OpencodeTokens {
  const u = resolveUsage(usage);
  if (format === 'anthropic') {
    const input = Math.max(0, u.prompt - u.cached - u.cacheWrite);
    return { total: input + u.completion + u.cached + u.cacheWrite, input, output: u.completion, reasoning: 0, cache: { read: u.cached, write: u.cacheWrite } };
  }
  return {
    total: u.prompt + u.completion,
    input: u.prompt - u.cached,
    output: u.completion - u.reasoning,
    reasoning: u.reasoning,
    cache: { read: u.cached, write: 0 },
  };
}

/** USD cost OpenCode computes from the configured per-1M prices; reasoning is billed at the output price. */
export function expectedCost(t: OpencodeTokens, price: { input: number; output: number; cache_read: number; cache_write: number } = FAKE_MODEL_COST): number {
  return (t.input * price.input + (t.output + t.reasoning) * price.output + t.cache.read * price.cache_read + t.cache.write * price.cache_write) / 1_000_000;
}
