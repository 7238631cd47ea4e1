/**
 * Test support: loads a captured event fixture (see fixtures/*.json) and replays it through the reducer. Kept out
 * of the build by its use in tests only; it reads files, which the reducer itself never does.
 */
import { readFileSync } from 'node:fs';
import { emptyLiveState } from '../../../../shared/src/index.js';
import type { LiveDiff, LiveNotification, LiveState } from '../../../../shared/src/index.js';
import type { ReducerOptions } from './changes.js';
import { unwrapEvent } from './openCodeEvent.js';
import type { OpenCodeEvent } from './openCodeEvent.js';
import { addInstance, applyEvent } from './reducer.js';

export interface Fixture {
  sessionId: string;
  events: unknown[];
  seed?: Record<string, unknown>;
}

export const INSTANCE = 'oc-1';

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

export function fixtureEvents(f: Fixture): OpenCodeEvent[] {
  return f.events.map(unwrapEvent).filter((e): e is OpenCodeEvent => e !== undefined);
}

export interface Replay {
  initial: LiveState;
  state: LiveState;
  diffs: LiveDiff[];
  notifications: LiveNotification[];
  /** State after each event, in order. */
  states: LiveState[];
}

/** Replays events with a clock taken from the events' own `time` when they carry one. */
export function replay(events: readonly OpenCodeEvent[], opts: Omit<ReducerOptions, 'nowMs'> = {}, start?: LiveState): Replay {
  const initial = start ?? addInstance(emptyLiveState(), { id: INSTANCE, url: 'http://127.0.0.1:4096' }).state;
  let state = initial;
  let now = 1_796_179_800_000;
  const diffs: LiveDiff[] = [];
  const notifications: LiveNotification[] = [];
  const states: LiveState[] = [];
  for (const event of events) {
    now = typeof event.properties.time === 'number' ? event.properties.time : now + 1;
    const u = applyEvent(state, INSTANCE, event, { ...opts, nowMs: now });
    state = u.state;
    diffs.push(...u.diffs);
    notifications.push(...u.notifications);
    states.push(state);
  }
  return { initial, state, diffs, notifications, states };
}
