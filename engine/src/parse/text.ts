/** Small text helpers shared by the parsers: bounded previews and JSON field access without throwing. */

export const PREVIEW_CHARS = 160;
export const INPUT_JSON_CHARS = 2000;

/** Collapses whitespace and cuts to `max` characters, marking the cut with an ellipsis. */
export function preview(text: unknown, max = PREVIEW_CHARS): string | null {
  if (typeof text !== 'string') return null;
  // Cut before collapsing so a 50 MB output costs O(max), not O(size).
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const flat = head.replace(/\s+/g, ' ').trim();
  if (flat.length === 0) return null;
  return flat.length > max || head.length < text.length ? `${flat.slice(0, max)}…` : flat;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A finite number, else `fallback`; negative token counts (seen in the wild) are clamped to 0 by callers. */
export function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function count(value: unknown): number {
  return Math.max(0, Math.trunc(num(value)));
}
