/**
 * The loose input side of the reducer: OpenCode events and API records as received, read defensively because
 * every OpenCode release may add, rename or drop fields (opencode.md §6–§7).
 */

/** One bus event, unwrapped from `/global/event`'s `{directory, payload}` envelope. */
export interface OpenCodeEvent {
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Project directory of the OpenCode instance that emitted it; `global` or absent for process events. */
  readonly directory?: string;
}

export type Loose = Readonly<Record<string, unknown>>;

export const isLoose = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
export const loose = (v: unknown): Loose => (isLoose(v) ? v : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
export const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : list(v).filter((x): x is string => typeof x === 'string'));

/**
 * Unwraps one SSE `data:` payload. `/global/event` wraps each event as `{directory, project, payload}` (process
 * events such as the heartbeat come as `{payload}` alone); `/event` sends the event itself. Returns undefined
 * for anything that is not an event.
 */
export function unwrapEvent(raw: unknown): OpenCodeEvent | undefined {
  if (!isLoose(raw)) return undefined;
  const inner = isLoose(raw.payload) ? raw.payload : raw;
  const type = str(inner.type);
  if (type === undefined) return undefined;
  const directory = str(raw.directory);
  return { type, properties: loose(inner.properties), ...(directory !== undefined && directory !== 'global' ? { directory } : {}) };
}
