import { describe, expect, it } from 'vitest';
import { BasicCredentials } from './credentials.js';
import type { DiscoveryRound, UnconfirmedCandidate } from './discover.js';
import { createDiscoveryPoller } from './poller.js';
import type { DiscoveryChange, PollerTimers } from './poller.js';
import type { DiscoveredInstance } from './types.js';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock(): PollerTimers & { now(): number; advance(ms: number): Promise<void>; pending(): number } {
  let t = 0;
  let nextId = 1;
  const queue = new Map<number, { at: number; fn: () => void }>();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const id = nextId++;
      queue.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimeout(h) {
      queue.delete(h as number);
    },
    pending: () => queue.size,
    async advance(ms) {
      const end = t + ms;
      for (;;) {
        await settle();
        const due = [...queue.entries()].filter(([, e]) => e.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        queue.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = end;
      await settle();
    },
  };
}

const inst = (port: number, extra: Partial<DiscoveredInstance> = {}): DiscoveredInstance => ({
  id: `http://127.0.0.1:${port}`,
  url: `http://127.0.0.1:${port}`,
  pid: port,
  port,
  mode: 'serve',
  auth: 'none',
  source: 'process',
  lastSeenMs: 0,
  ...extra,
});
const round = (instances: DiscoveredInstance[], unconfirmed: UnconfirmedCandidate[] = [], credentials = new Map<string, BasicCredentials>()): DiscoveryRound => ({
  instances,
  credentials,
  processes: [],
  unconfirmed,
  skipped: { vanished: 0, unreadable: 0 },
  problems: [],
});
const failing = (port: number): UnconfirmedCandidate => ({ id: `http://127.0.0.1:${port}`, pid: port, source: 'process', reason: 'timed out' });

/** Plays scripted rounds in order (the last one repeats) and counts calls. */
function scripted(rounds: DiscoveryRound[]): { discover: () => Promise<DiscoveryRound>; calls: () => number } {
  let calls = 0;
  return { discover: async () => rounds[Math.min(calls++, rounds.length - 1)] as DiscoveryRound, calls: () => calls };
}

const summary = (c: DiscoveryChange): string =>
  [...c.added.map((i) => `+${i.port}`), ...c.changed.map((i) => `~${i.port}`), ...c.removed.map((i) => `-${i.port}`)].join(' ');

describe('createDiscoveryPoller', () => {
  it('reports an instance on the first round and its removal on the round after its process ends', async () => {
    const clock = fakeClock();
    const changes: string[] = [];
    const script = scripted([round([inst(1)]), round([inst(1), inst(2)]), round([inst(2)])]);
    const poller = createDiscoveryPoller({ intervalMs: 2000, timers: clock, now: clock.now, discover: script.discover, onChange: (c) => changes.push(summary(c)) });
    poller.start();
    await clock.advance(0);
    expect(changes).toEqual(['+1']);
    await clock.advance(2000);
    expect(changes).toEqual(['+1', '+2']);
    await clock.advance(2000);
    expect(changes).toEqual(['+1', '+2', '-1']);
    expect(poller.instances().map((i) => i.port)).toEqual([2]);
    await poller.stop();
  });

  it('keeps an instance through one failed health check and removes it after the second', async () => {
    const clock = fakeClock();
    const changes: string[] = [];
    const script = scripted([round([inst(1)]), round([], [failing(1)]), round([inst(1)]), round([], [failing(1)]), round([], [failing(1)])]);
    const poller = createDiscoveryPoller({ timers: clock, now: clock.now, discover: script.discover, onChange: (c) => changes.push(summary(c)) });
    poller.start();
    await clock.advance(0);
    await clock.advance(2000); // miss 1: kept
    expect(poller.instances()).toHaveLength(1);
    await clock.advance(2000); // back: the miss count resets, nothing to report
    await clock.advance(2000); // miss 1 again
    expect(changes).toEqual(['+1']);
    await clock.advance(2000); // miss 2: removed
    expect(changes).toEqual(['+1', '-1']);
    await poller.stop();
  });

  it('reports changes in mode, auth or version but not in lastSeenMs', async () => {
    const clock = fakeClock();
    const changes: DiscoveryChange[] = [];
    const script = scripted([round([inst(1, { lastSeenMs: 1 })]), round([inst(1, { lastSeenMs: 2 })]), round([inst(1, { auth: 'locked', lastSeenMs: 3 })])]);
    const poller = createDiscoveryPoller({ timers: clock, now: clock.now, discover: script.discover, onChange: (c) => changes.push(c) });
    poller.start();
    await clock.advance(4000);
    expect(changes.map(summary)).toEqual(['+1', '~1']);
    expect(changes[1]?.instances[0]?.auth).toBe('locked');
    await poller.stop();
  });

  it('never overlaps rounds: a slow round delays the next one', async () => {
    const clock = fakeClock();
    let active = 0;
    let peak = 0;
    let calls = 0;
    let release: (() => void) | undefined;
    const discover = async (): Promise<DiscoveryRound> => {
      calls++;
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((r) => (release = r));
      active--;
      return round([]);
    };
    const poller = createDiscoveryPoller({ timers: clock, now: clock.now, discover, onChange: () => undefined });
    poller.start();
    await clock.advance(10_000); // the first round is still running: no second one starts
    const joined = poller.pollNow(); // joins the running round instead of starting another
    expect(calls).toBe(1);
    release?.();
    await joined;
    await clock.advance(2000);
    expect(calls).toBe(2);
    expect(peak).toBe(1);
    release?.();
    await poller.stop();
  });

  it('keeps credentials out of instances and stops scheduling on stop()', async () => {
    const clock = fakeClock();
    const secret = new BasicCredentials(undefined, 'do-not-leak');
    const script = scripted([round([inst(1, { auth: 'basic' })], [], new Map([['http://127.0.0.1:1', secret]])), round([], [failing(1)])]);
    const seen: string[] = [];
    const poller = createDiscoveryPoller({ timers: clock, now: clock.now, discover: script.discover, onChange: (c) => seen.push(JSON.stringify(c)) });
    poller.start();
    await clock.advance(0);
    expect(poller.credentialsFor('http://127.0.0.1:1')).toBe(secret);
    await clock.advance(2000); // one miss: credentials kept for the retry
    expect(poller.credentialsFor('http://127.0.0.1:1')).toBe(secret);
    expect(seen.join('')).not.toContain('do-not-leak');
    await poller.stop();
    const callsAtStop = script.calls();
    await clock.advance(10_000);
    expect(script.calls()).toBe(callsAtStop);
    expect(clock.pending()).toBe(0);
  });

  it('survives a round that throws and leaves state as it was', async () => {
    const clock = fakeClock();
    const errors: unknown[] = [];
    let n = 0;
    const discover = async (): Promise<DiscoveryRound> => {
      if (n++ === 1) throw new Error('bug');
      return round([inst(1)]);
    };
    const poller = createDiscoveryPoller({ timers: clock, now: clock.now, discover, onChange: () => undefined, onError: (e) => errors.push(e) });
    poller.start();
    await clock.advance(4000);
    expect(errors).toHaveLength(1);
    expect(poller.instances()).toHaveLength(1);
    expect(n).toBe(3);
    await poller.stop();
  });
});
