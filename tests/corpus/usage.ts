/**
 * Token and cost figures for one assistant step, following OpenCode's semantics (opencode.md §6.2):
 * `input` is uncached input, `output` excludes reasoning, `cache.read`/`cache.write` are separate, and
 * `total = input + output + reasoning + cache.read + cache.write`. Cost is tokens × list price, 0 for free,
 * subscription or local models. Also the message errors OpenCode records on failed steps.
 */
import { chance, int, pick } from './random.js';
import type { Rng } from './random.js';
import type { ModelInfo } from './catalog.js';
import type { Usage } from './records.js';

export interface StepSize {
  /** Context tokens already in the conversation. */
  previous: number;
  /** New tokens sent this step (prompt, tool results). */
  fresh: number;
  firstStep: boolean;
  output: number;
  reasoning: number;
}

/** Rounds to 12 decimals, as OpenCode's decimal arithmetic gives short values like 0.003666. */
export function roundCost(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

export function usageFor(rng: Rng, model: ModelInfo, size: StepSize): Usage {
  const system = size.firstStep ? int(rng, 9000, 16_000) : 0;
  const fresh = Math.round(size.fresh) + system;
  const previous = Math.round(size.previous);
  let input: number;
  let cacheRead = 0;
  let cacheWrite = 0;
  if (model.cache === 'anthropic') {
    input = int(rng, 1, 12);
    cacheRead = previous;
    cacheWrite = fresh;
  } else if (model.cache === 'openai' && chance(rng, 0.9)) {
    cacheRead = Math.floor(previous / 1024) * 1024;
    input = previous + fresh - cacheRead;
  } else {
    input = previous + fresh;
  }
  const output = Math.max(1, Math.round(size.output * (0.8 + rng.next() * 0.4)));
  const reasoning = model.reasoning ? Math.round(size.reasoning * (0.8 + rng.next() * 0.4)) : 0;
  const p = model.price;
  const cost = roundCost((input * p.input + (output + reasoning) * p.output + cacheRead * p.cacheRead + cacheWrite * p.cacheWrite) / 1e6);
  return { cost, input, output, reasoning, cacheRead, cacheWrite };
}

/** The `error` object of a failed assistant message. */
export function messageError(rng: Rng, providerID: string): Record<string, unknown> {
  const roll = rng.next();
  if (roll < 0.5) return { name: 'MessageAbortedError', data: { message: 'Aborted' } };
  if (roll < 0.9) {
    const [statusCode, message, retryable] = pick(rng, [
      [529, 'Overloaded', true],
      [429, 'Rate limit exceeded, please retry later', true],
      [500, 'Internal server error', true],
      [400, 'prompt is too long: 212345 tokens > 200000 maximum', false],
    ] as const);
    return {
      name: 'APIError',
      data: { message, statusCode, isRetryable: retryable, responseBody: JSON.stringify({ type: 'error', error: { type: 'api_error', message } }), metadata: { url: `https://api.${providerID}.example/v1/messages` } },
    };
  }
  if (roll < 0.95) return { name: 'ProviderAuthError', data: { providerID, message: 'Invalid API key.' } };
  return { name: 'MessageOutputLengthError', data: {} };
}
