/**
 * Query-string parsing with strict rules: every value a route uses is checked here, and a bad one is a
 * `serve.bad-request` naming the parameter, never a silent default. Strings that reach SQL are further confined
 * to an id alphabet or a length cap (and are always bound as literals, see sql.ts).
 */
import { fail, ok, type Result } from '../../../../shared/src/index.js';

const DAY_MS = 86_400_000;

function bad(message: string): Result<never> {
  return fail({ code: 'serve.bad-request', message });
}

export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): Result<number> {
  const raw = query.get(name);
  if (raw === null || raw === '') return ok(fallback);
  if (!/^-?\d{1,12}$/.test(raw)) return bad(`?${name}= must be an integer, got "${raw.slice(0, 40)}"`);
  const value = Number(raw);
  if (value < min || value > max) return bad(`?${name}= must be between ${min} and ${max}, got ${value}`);
  return ok(value);
}

export function boolParam(query: URLSearchParams, name: string, fallback: boolean): Result<boolean> {
  const raw = query.get(name);
  if (raw === null || raw === '') return ok(fallback);
  if (/^(true|1|yes)$/i.test(raw)) return ok(true);
  if (/^(false|0|no)$/i.test(raw)) return ok(false);
  return bad(`?${name}= must be true or false, got "${raw.slice(0, 40)}"`);
}

export interface Page {
  readonly limit: number;
  readonly offset: number;
  /** Set when the page was asked for as `?page=&per_page=` (the original's documented scheme, seed study §3.3). */
  readonly page?: number;
}

/**
 * `?limit=&offset=` with a per-route default and maximum (the original capped lists at 1000 or 5000), or
 * `?page=&per_page=` (1-based pages, same maximum); the two cannot be mixed.
 */
export function pageParams(query: URLSearchParams, defaultLimit: number, maxLimit: number): Result<Page> {
  if (query.has('page') || query.has('per_page')) {
    if (query.has('limit') || query.has('offset')) return bad('use ?page=&per_page= or ?limit=&offset=, not both');
    const perPage = intParam(query, 'per_page', defaultLimit, 1, maxLimit);
    if (!perPage.ok) return perPage;
    const page = intParam(query, 'page', 1, 1, 1_000_000_000);
    if (!page.ok) return page;
    return ok({ limit: perPage.value, offset: (page.value - 1) * perPage.value, page: page.value });
  }
  const limit = intParam(query, 'limit', defaultLimit, 1, maxLimit);
  if (!limit.ok) return limit;
  const offset = intParam(query, 'offset', 0, 0, 1_000_000_000);
  if (!offset.ok) return offset;
  return ok({ limit: limit.value, offset: offset.value });
}

/** `?days=N` (default 30 as in the original, up to 100 years) as the epoch-ms cutoff relative to `now`. */
export function sinceParam(query: URLSearchParams, now: number, fallbackDays = 30): Result<{ days: number; sinceMs: number }> {
  const days = intParam(query, 'days', fallbackDays, 1, 36_500);
  if (!days.ok) return days;
  return ok({ days: days.value, sinceMs: now - days.value * DAY_MS });
}

/** OpenCode ids (`ses_…`, `msg_…`, `prt_…`, `per_…`) and our derived ones (`<part id>:<n>`). */
const ID = /^[A-Za-z0-9_.:-]{1,200}$/;

export function idValue(value: string, what: string): Result<string> {
  return ID.test(value) ? ok(value) : bad(`${what} "${value.slice(0, 40)}" is not a valid id (letters, digits, _ . : -)`);
}

/** An optional id filter such as `?session=`. */
export function idParam(query: URLSearchParams, name: string): Result<string | undefined> {
  const raw = query.get(name);
  if (raw === null || raw === '') return ok(undefined);
  return idValue(raw, `?${name}=`);
}

/** An optional value from a fixed set, e.g. `?level=critical`. */
export function choiceParam<T extends string>(query: URLSearchParams, name: string, choices: readonly T[]): Result<T | undefined> {
  const raw = query.get(name);
  if (raw === null || raw === '') return ok(undefined);
  return (choices as readonly string[]).includes(raw) ? ok(raw as T) : bad(`?${name}= must be one of ${choices.join(', ')}, got "${raw.slice(0, 40)}"`);
}

/** Free text for a search (`?q=`): required, printable, at most 200 characters. */
export function textParam(query: URLSearchParams, name: string, required: boolean): Result<string | undefined> {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return required ? bad(`?${name}= is required`) : ok(undefined);
  // eslint-disable-next-line no-control-regex
  if (raw.length > 200 || /[\u0000-\u001f\u007f]/.test(raw)) return bad(`?${name}= must be at most 200 printable characters`);
  return ok(raw.trim());
}

type Values<T extends Record<string, Result<unknown>>> = { [K in keyof T]: T[K] extends Result<infer V> ? V : never };

/** All parameters at once: the first problem, or every value by name. */
export function collect<T extends Record<string, Result<unknown>>>(results: T): Result<Values<T>> {
  const values: Record<string, unknown> = {};
  for (const [key, result] of Object.entries(results)) {
    if (!result.ok) return result;
    values[key] = result.value;
  }
  return ok(values as Values<T>);
}
