/**
 * (1) Stream latency on a real OpenCode: the engine's follower and an independent raw SSE reader subscribe to the
 * same `/global/event` in this process. Each change the raw reader sees is stamped when its bytes arrive, each
 * change the follower reports is stamped in `onUpdate` (after parse, reduce and diff), and the two are paired by
 * change key (liveMonitorCorrelate.ts). Turns are driven with the harness scenarios until enough samples exist.
 */
import { followInstance } from '../../engine/src/live/follow/index.js';
import type { FollowTarget, InstanceFollower } from '../../engine/src/live/follow/index.js';
import { runScenario, scenarios } from '../../tests/harness/index.js';
import type { FakeModel, OpencodeInstance, Scenario } from '../../tests/harness/index.js';
import { createMatcher, createRawKeyer, diffKeys } from './liveMonitorCorrelate.js';
import type { Matcher } from './liveMonitorCorrelate.js';

/** Pairing window: a change one side never reports must not pair with a later one of the same key. */
const EXPIRY_MS = 5_000;
/** Bounded turns cycle through these (each has tools; some todos and a sub-agent). */
const TURNS: readonly Scenario[] = [scenarios.benignLs, scenarios.multiStep, scenarios.todos, scenarios.toolError, scenarios.subagent];

export interface StreamProbe {
  readonly follower: InstanceFollower;
  /** Starts a fresh pairing from now on (earlier changes are not counted). */
  beginMeasuring(): Matcher;
  readonly counts: { rawEvents: number; followerUpdates: number };
  stop(): Promise<void>;
}

export async function startStreamProbe(target: FollowTarget): Promise<StreamProbe> {
  let matcher: Matcher | undefined;
  const counts = { rawEvents: 0, followerUpdates: 0 };
  const keyRaw = createRawKeyer();
  const raw = openRawStream(`${target.url.replace(/\/$/, '')}/global/event`, (payload, atMs) => {
    counts.rawEvents += 1;
    for (const key of keyRaw(payload)) matcher?.raw(key, atMs);
  });
  let previous = { version: 1, instances: {} } as Parameters<typeof diffKeys>[0];
  const follower = followInstance(target, {
    onUpdate: (u) => {
      const atMs = performance.now();
      counts.followerUpdates += 1;
      for (const key of diffKeys(previous, target.id, u.diffs)) matcher?.follower(key, atMs);
      previous = u.state;
    },
  });
  await waitUntil(() => follower.instance()?.connection === 'connected', 20_000, 'the follower to connect');
  return {
    follower,
    beginMeasuring: () => (matcher = createMatcher(EXPIRY_MS)),
    counts,
    async stop() {
      raw.close();
      await follower.stop();
    },
  };
}

/** A minimal SSE reader of its own (not the engine's parser): every `data:` block with its chunk's arrival time. */
function openRawStream(url: string, onPayload: (payload: unknown, atMs: number) => void): { close(): void } {
  const abort = new AbortController();
  void (async () => {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      const atMs = performance.now();
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        buffer = buffer.slice(end + 2);
        try {
          if (data) onPayload(JSON.parse(data), atMs);
        } catch {
          // not JSON: not an event
        }
      }
    }
  })().catch(() => undefined);
  return { close: () => abort.abort() };
}

export interface TurnRun {
  readonly turns: number;
  readonly failedTurns: string[];
  readonly wallMs: number;
}

/**
 * Runs scripted turns one after another until `enough()` says so (checked after each turn), at most `maxTurns`
 * and within `budgetMs`. A failed turn is recorded and the next one starts.
 */
export async function driveTurns(oc: OpencodeInstance, fm: FakeModel, opts: { enough: (turns: number) => boolean; maxTurns: number; budgetMs: number }): Promise<TurnRun> {
  const began = performance.now();
  const failedTurns: string[] = [];
  let turns = 0;
  while (turns < opts.maxTurns && performance.now() - began < opts.budgetMs && !opts.enough(turns)) {
    const scenario = TURNS[turns % TURNS.length] as Scenario;
    turns += 1;
    try {
      await runScenario(oc, fm, scenario, { timeoutMs: 60_000 });
    } catch (error) {
      failedTurns.push(`${scenario.id}: ${(error as Error).message}`);
    }
  }
  return { turns, failedTurns, wallMs: performance.now() - began };
}

export async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
