/**
 * Rediscovers every interval and reports what changed. An instance appears on the first round that confirms
 * it; it goes away as soon as its process or port is gone, or after `missesToRemove` rounds in which it still
 * exists but fails its health check (a busy server may miss one probe). Rounds never overlap: the next one is
 * scheduled only when the current one has finished.
 */
import type { BasicCredentials } from './credentials.js';
import { discoverInstances } from './discover.js';
import type { DiscoveryOptions, DiscoveryRound } from './discover.js';
import type { DiscoveredInstance } from './types.js';

export interface DiscoveryChange {
  readonly added: readonly DiscoveredInstance[];
  readonly removed: readonly DiscoveredInstance[];
  readonly changed: readonly DiscoveredInstance[];
  /** All current instances after the change, sorted by id. */
  readonly instances: readonly DiscoveredInstance[];
}

/** The subset of the timer API the poller needs, so tests can drive it with a fake clock. */
export interface PollerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DiscoveryPollerOptions extends DiscoveryOptions {
  /** @default 2000 */
  readonly intervalMs?: number;
  /** Consecutive failed health checks of a still-present candidate before it is removed. @default 2 */
  readonly missesToRemove?: number;
  readonly onChange: (change: DiscoveryChange) => void;
  /** Every finished round, e.g. to log skipped counts and problems. */
  readonly onRound?: (round: DiscoveryRound) => void;
  /** A round that threw (a bug, since rounds report expected problems as data). State is left as it was. */
  readonly onError?: (error: unknown) => void;
  /** Replaces `discoverInstances` (tests). */
  readonly discover?: (opts: DiscoveryOptions) => Promise<DiscoveryRound>;
  readonly timers?: PollerTimers;
}

export interface DiscoveryPoller {
  /** Starts polling at once. Idempotent. */
  start(): void;
  /** Stops scheduling and waits for a round in flight. */
  stop(): Promise<void>;
  /** Runs a round now, or joins the one already running. */
  pollNow(): Promise<void>;
  instances(): DiscoveredInstance[];
  /** The credentials that opened this instance, for the live client; never part of `instances()`. */
  credentialsFor(id: string): BasicCredentials | undefined;
}

interface Tracked {
  instance: DiscoveredInstance;
  misses: number;
}

/** Differences that matter to clients; `lastSeenMs` moves every round and is not a change. */
function sameInstance(a: DiscoveredInstance, b: DiscoveredInstance): boolean {
  return a.pid === b.pid && a.port === b.port && a.mode === b.mode && a.cwd === b.cwd && a.version === b.version && a.auth === b.auth && a.source === b.source;
}

export function createDiscoveryPoller(opts: DiscoveryPollerOptions): DiscoveryPoller {
  const intervalMs = opts.intervalMs ?? 2_000;
  const missesToRemove = opts.missesToRemove ?? 2;
  const timers: PollerTimers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const now = opts.now ?? Date.now;
  const discover = opts.discover ?? discoverInstances;
  const tracked = new Map<string, Tracked>();
  let credentials: ReadonlyMap<string, BasicCredentials> = new Map();
  let running = false;
  let timer: unknown;
  let inFlight: Promise<void> | undefined;

  const current = (): DiscoveredInstance[] => [...tracked.values()].map((t) => t.instance).sort((a, b) => a.id.localeCompare(b.id));

  const apply = (round: DiscoveryRound): void => {
    const added: DiscoveredInstance[] = [];
    const changed: DiscoveredInstance[] = [];
    const removed: DiscoveredInstance[] = [];
    const confirmed = new Set<string>();
    for (const instance of round.instances) {
      confirmed.add(instance.id);
      const known = tracked.get(instance.id);
      if (!known) added.push(instance);
      else if (!sameInstance(known.instance, instance)) changed.push(instance);
      tracked.set(instance.id, { instance, misses: 0 });
    }
    const stillThere = new Set(round.unconfirmed.map((u) => u.id));
    for (const [id, t] of tracked) {
      if (confirmed.has(id)) continue;
      t.misses++;
      if (!stillThere.has(id) || t.misses >= missesToRemove) {
        tracked.delete(id);
        removed.push(t.instance);
      }
    }
    // A server that missed one probe keeps the credentials that opened it last time.
    const nextCredentials = new Map(round.credentials);
    for (const [id, c] of credentials) if (tracked.has(id) && !confirmed.has(id)) nextCredentials.set(id, c);
    credentials = nextCredentials;
    opts.onRound?.(round);
    if (added.length + changed.length + removed.length > 0) opts.onChange({ added, removed, changed, instances: current() });
  };

  const runRound = async (): Promise<void> => {
    try {
      apply(await discover(opts));
    } catch (err) {
      opts.onError?.(err);
    }
  };

  const pollNow = (): Promise<void> => {
    inFlight ??= runRound().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const loop = async (): Promise<void> => {
    timer = undefined;
    const started = now();
    await pollNow();
    // Keep the cadence when a round is slow, but always yield between rounds.
    if (running) timer = timers.setTimeout(() => void loop(), Math.max(0, intervalMs - (now() - started)));
  };

  return {
    start() {
      if (running) return;
      running = true;
      void loop();
    },
    async stop() {
      running = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
    pollNow,
    instances: current,
    credentialsFor: (id) => credentials.get(id),
  };
}
