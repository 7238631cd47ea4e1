/**
 * Subscription to OpenCode's SSE stream (`/global/event` by default): collects events into a bounded list, lets a
 * test wait for one, and can be consumed as an async iterator.
 */
import type { OpencodeClient } from './opencodeClient.js';
import type { OpencodeEvent } from './opencodeTypes.js';

export interface EventSubscriptionOptions {
  /** `/global/event` (all instances, enveloped) or `/event` (the client's directory). @default '/global/event' */
  path?: string;
  /** Oldest collected events are dropped beyond this. @default 5000 */
  maxEvents?: number;
  /** How long to wait for the stream to open. @default 10000 */
  connectTimeoutMs?: number;
}

export interface EventSubscription extends AsyncIterable<OpencodeEvent> {
  /** Everything received so far (bounded), oldest first. */
  readonly events: readonly OpencodeEvent[];
  /** Resolves with the first event (already received or future) matching `predicate`. */
  waitFor(predicate: (e: OpencodeEvent) => boolean, opts?: { timeoutMs?: number }): Promise<OpencodeEvent>;
  close(): void;
}

/** Unwraps `/global/event`'s `{directory, payload}` envelope; `/event` payloads are already flat. */
export function parseEvent(raw: unknown): OpencodeEvent | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const inner = (r.payload && typeof r.payload === 'object' ? r.payload : r) as Record<string, unknown>;
  if (typeof inner.type !== 'string') return undefined;
  const properties = (inner.properties && typeof inner.properties === 'object' ? inner.properties : {}) as Record<string, unknown>;
  return {
    type: inner.type,
    properties,
    ...(typeof r.directory === 'string' ? { directory: r.directory } : {}),
    receivedAt: Date.now(),
    raw,
  };
}

/** Opens the stream and resolves once the server has answered (so no event emitted afterwards is missed). */
export async function subscribeEvents(client: OpencodeClient, opts: EventSubscriptionOptions = {}): Promise<EventSubscription> {
  const max = opts.maxEvents ?? 5000;
  const events: OpencodeEvent[] = [];
  const waiters = new Set<(e: OpencodeEvent | undefined) => void>();
  const ac = new AbortController();
  let closed = false;

  // The stream lives until close(); only the connection phase is bounded.
  const connectTimer = setTimeout(() => ac.abort(), opts.connectTimeoutMs ?? 10_000);
  let res: Response;
  try {
    res = await client.fetch(opts.path ?? '/global/event', {
      headers: { accept: 'text/event-stream' },
      signal: ac.signal,
      timeoutMs: 24 * 3600_000,
    });
  } finally {
    clearTimeout(connectTimer);
  }
  if (!res.ok || !res.body) {
    ac.abort();
    throw new Error(`event stream: HTTP ${res.status}`);
  }
  const reader = res.body.getReader();

  const emit = (e: OpencodeEvent): void => {
    events.push(e);
    if (events.length > max) events.splice(0, events.length - max);
    for (const w of [...waiters]) w(e);
  };

  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let idx: number;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (!data) continue;
          try {
            const e = parseEvent(JSON.parse(data));
            if (e) emit(e);
          } catch {
            // A malformed frame is skipped, not fatal.
          }
        }
      }
    } catch {
      // Aborted by close() or the server went away.
    } finally {
      closed = true;
      for (const w of [...waiters]) w(undefined);
    }
  })();

  const close = (): void => {
    closed = true;
    ac.abort();
    for (const w of [...waiters]) w(undefined);
  };

  const waitFor = (predicate: (e: OpencodeEvent) => boolean, o: { timeoutMs?: number } = {}): Promise<OpencodeEvent> => {
    const found = events.find(predicate);
    if (found) return Promise.resolve(found);
    const timeoutMs = o.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(undefined, `event not seen within ${timeoutMs} ms`), timeoutMs);
      const finish = (e: OpencodeEvent | undefined, why?: string): void => {
        clearTimeout(timer);
        waiters.delete(listener);
        if (e) resolve(e);
        else reject(new Error(`event stream: ${why ?? 'closed before the event arrived'}`));
      };
      const listener = (e: OpencodeEvent | undefined): void => {
        if (e === undefined) finish(undefined);
        else if (predicate(e)) finish(e);
      };
      waiters.add(listener);
    });
  };

  async function* iterate(): AsyncGenerator<OpencodeEvent> {
    // Yields from the moment of iteration; a small local queue decouples producer and consumer.
    const queue: OpencodeEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: OpencodeEvent | undefined): void => {
      if (e) queue.push(e);
      wake?.();
    };
    waiters.add(listener);
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (closed) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      waiters.delete(listener);
    }
  }

  return { events, waitFor, close, [Symbol.asyncIterator]: iterate };
}
