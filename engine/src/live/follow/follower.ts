/**
 * Follows one OpenCode instance in real time: opens `/global/event`, seeds the state from the API, applies
 * every event through the pure reducer and reports each change. A stream that ends, errors or stays silent past
 * the heartbeat is treated as dead: the instance is marked disconnected and the follower reconnects with
 * exponential back-off, re-seeding each time because events missed in between are gone.
 */
import { emptyLiveState } from '../../../../shared/src/index.js';
import type { LiveInstance, LiveState } from '../../../../shared/src/index.js';
import { DEFAULT_RECENT_MS, addInstance, applyEvent, markSlowTools, seedInstance, setConnection, unwrapEvent } from '../state/index.js';
import type { LiveUpdate, RecordOptions } from '../state/index.js';
import { fetchSeed } from './fetchSeed.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, describeError, instanceUrl } from './instanceHttp.js';
import type { FollowTarget } from './instanceHttp.js';
import { createSseParser } from './sseParser.js';

export interface FollowOptions extends RecordOptions {
  /** Called for every change, with the follower's state (this one instance) after it. */
  readonly onUpdate: (update: LiveUpdate) => void;
  /**
   * OpenCode sends a heartbeat every 10 s; a stream silent for longer than this is dead. The default leaves
   * 5 s of grace so one late heartbeat does not cost a reconnect. @default 15000
   */
  readonly heartbeatTimeoutMs?: number;
  /** Bound on each API request and on opening the stream. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Reconnect delays double from `initialMs` up to `maxMs`. @default { initialMs: 250, maxMs: 5000 } */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How often the "may need permission" fallback is evaluated. @default 1000 */
  readonly tickMs?: number;
  readonly recentMs?: number;
  readonly now?: () => number;
}

export interface InstanceFollower {
  readonly id: string;
  /** The follower's current state, holding only this instance. */
  state(): LiveState;
  instance(): LiveInstance | undefined;
  /** Closes the stream, cancels requests and timers; the instance is left marked disconnected. */
  stop(): Promise<void>;
}

export function reconnectDelay(attempt: number, backoff: { initialMs: number; maxMs: number }): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 20));
}

export function followInstance(target: FollowTarget, opts: FollowOptions): InstanceFollower {
  const now = opts.now ?? Date.now;
  const heartbeatMs = opts.heartbeatTimeoutMs ?? 15_000;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const backoff = opts.backoff ?? { initialMs: 250, maxMs: 5_000 };
  const stopController = new AbortController();
  let state = emptyLiveState();

  const emit = (u: LiveUpdate): void => {
    state = u.state;
    if (u.diffs.length > 0 || u.notifications.length > 0) opts.onUpdate(u);
  };
  const reducerOpts = () => ({ nowMs: now(), ...(opts.redact ? { redact: opts.redact } : {}), ...(opts.scorePermission ? { scorePermission: opts.scorePermission } : {}) });

  emit(addInstance(state, target));
  const ticker = setInterval(() => emit(markSlowTools(state, target.id, { nowMs: now() })), opts.tickMs ?? 1_000);
  ticker.unref?.();

  /** One connection: stream + seed + events until the stream dies. Resolves with why it ended. */
  async function connectOnce(): Promise<{ reason: string; seeded: boolean }> {
    const conn = new AbortController();
    const abortConn = () => conn.abort();
    stopController.signal.addEventListener('abort', abortConn);
    let lastSeen = now();
    let deadReason: string | undefined;
    const openTimer = setTimeout(() => ((deadReason = `event stream did not open within ${timeoutMs} ms`), conn.abort()), timeoutMs);
    const watchdog = setInterval(() => {
      if (now() - lastSeen > heartbeatMs) {
        deadReason = `no heartbeat for ${Math.round((now() - lastSeen) / 1000)} s`;
        conn.abort();
      }
    }, Math.min(1_000, heartbeatMs));
    let seeded = false;
    try {
      const res = await fetch(instanceUrl(target, '/global/event'), { headers: { accept: 'text/event-stream', ...target.headers }, signal: conn.signal });
      clearTimeout(openTimer);
      if (!res.ok || !res.body) return { reason: `event stream answered ${res.status}`, seeded };
      // Events that arrive while the seed is fetched are held and applied after it, so none is lost.
      const held: unknown[] = [];
      const parser = createSseParser((data) => {
        let raw: unknown;
        try {
          raw = JSON.parse(data);
        } catch {
          return; // A malformed frame is skipped, not fatal.
        }
        if (!seeded) held.push(raw);
        else applyRaw(raw);
      });
      const reading = readAll(res.body, (chunk) => {
        lastSeen = now();
        parser.push(chunk);
      });
      // Awaited below; this only keeps an early return (failed seed) from leaving a rejection unhandled.
      reading.catch(() => undefined);
      const seed = await fetchSeed(target, { timeoutMs, nowMs: now(), recentMs: opts.recentMs ?? DEFAULT_RECENT_MS, signal: conn.signal });
      if (!seed.ok) return { reason: seed.problem.message, seeded };
      emit(seedInstance(state, target.id, seed.value, { ...reducerOpts(), ...(opts.recentMs !== undefined ? { recentMs: opts.recentMs } : {}) }));
      emit(setConnection(state, target.id, 'connected'));
      seeded = true;
      for (const raw of held.splice(0)) applyRaw(raw);
      await reading;
      return { reason: deadReason ?? 'event stream ended', seeded };
    } catch (err) {
      return { reason: deadReason ?? describeError(err), seeded };
    } finally {
      clearTimeout(openTimer);
      clearInterval(watchdog);
      stopController.signal.removeEventListener('abort', abortConn);
      conn.abort();
    }
  }

  function applyRaw(raw: unknown): void {
    const event = unwrapEvent(raw);
    if (event) emit(applyEvent(state, target.id, event, reducerOpts()));
  }

  const running = (async () => {
    let attempt = 0;
    while (!stopController.signal.aborted) {
      const { reason, seeded } = await connectOnce();
      if (stopController.signal.aborted) break;
      emit(setConnection(state, target.id, 'disconnected', reason));
      attempt = seeded ? 0 : attempt + 1;
      await sleep(reconnectDelay(attempt, backoff), stopController.signal);
    }
  })();

  return {
    id: target.id,
    state: () => state,
    instance: () => state.instances[target.id],
    async stop() {
      stopController.abort();
      clearInterval(ticker);
      await running;
      emit(setConnection(state, target.id, 'disconnected', 'stopped'));
    },
  };
}

async function readAll(body: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onChunk(value);
    }
  } finally {
    reader.releaseLock();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
