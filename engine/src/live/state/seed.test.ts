import { describe, expect, it } from 'vitest';
import { emptyLiveState } from '../../../../shared/src/index.js';
import type { LiveState } from '../../../../shared/src/index.js';
import { markSlowTools } from './heuristics.js';
import { addInstance, applyEvent } from './reducer.js';
import { INSTANCE, loadFixture } from './replay.fixture.js';
import { seedInstance } from './seed.js';
import type { LiveSeed } from './seed.js';

const fresh = (): LiveState => addInstance(emptyLiveState(), { id: INSTANCE, url: 'http://127.0.0.1:4096' }).state;
const inst = (s: LiveState) => s.instances[INSTANCE] ?? (() => { throw new Error('instance missing'); })();

/** The seed the follower built from the real API while a permission was pending (fixture permission-approved). */
function recordedSeed(): { seed: LiveSeed; sessionId: string; nowMs: number } {
  const f = loadFixture('permission-approved');
  const raw = f.seed as { status: Record<string, unknown>; session: unknown[]; experimentalSession: unknown[]; permission: unknown[]; question: unknown[]; todo: unknown; messages: unknown };
  return {
    sessionId: f.sessionId,
    nowMs: 1796179836000,
    seed: {
      statuses: raw.status,
      sessions: [...raw.session, ...raw.experimentalSession],
      permissions: raw.permission.map((request) => ({ directory: '/home/dev/project', request })),
      questions: raw.question.map((request) => ({ request })),
      todos: { [f.sessionId]: raw.todo },
      messages: { [f.sessionId]: raw.messages },
      version: '1.18.33',
    },
  };
}

describe('seedInstance', () => {
  it('builds busy sessions, their running tools and pending permissions from the real API answers', () => {
    const { seed, sessionId, nowMs } = recordedSeed();
    const u = seedInstance(fresh(), INSTANCE, seed, { nowMs });
    const i = inst(u.state);
    expect(i.version).toBe('1.18.33');
    expect(i.sessions[sessionId]).toMatchObject({ status: { type: 'busy' }, title: 'Fake session title', agent: 'build', model: 'fake/fake-model' });
    expect(Object.values(i.sessions[sessionId]?.tools ?? {})).toEqual([expect.objectContaining({ tool: 'bash', status: 'running', argument: 'touch approved.txt' })]);
    expect(Object.keys(i.permissions)).toEqual(['per_234a93679001AySa55jqsT0cw8']);
    expect(u.notifications.map((n) => n.type)).toEqual(['permission.asked']);
    // Five other sessions of the capture are idle and were changed within the last half hour.
    expect(Object.values(i.sessions).filter((s) => s.status.type === 'idle')).toHaveLength(5);
  });

  it('announces only what is new on a re-seed, and a turn that ended while disconnected', () => {
    const { seed, sessionId, nowMs } = recordedSeed();
    const first = seedInstance(fresh(), INSTANCE, seed, { nowMs });
    expect(seedInstance(first.state, INSTANCE, seed, { nowMs }).notifications).toEqual([]);
    const later = seedInstance(first.state, INSTANCE, { ...seed, statuses: {}, permissions: [] }, { nowMs: nowMs + 1000 });
    expect(later.notifications).toEqual([expect.objectContaining({ type: 'session.finished', sessionId })]);
    expect(inst(later.state).permissions).toEqual({});
    expect(inst(later.state).sessions[sessionId]?.tools).toEqual({});
  });

  it('leaves out old idle sessions but keeps the parent of an active sub-agent', () => {
    const old = 1_000;
    const seed: LiveSeed = {
      statuses: { child: { type: 'busy' } },
      sessions: [
        { id: 'parent', title: 'P', directory: '/p', time: { updated: old } },
        { id: 'child', title: 'C', directory: '/p', parentID: 'parent', time: { updated: old } },
        { id: 'stale', title: 'S', directory: '/p', time: { updated: old } },
      ],
      permissions: [],
      questions: [],
      todos: {},
    };
    const s = inst(seedInstance(fresh(), INSTANCE, seed, { nowMs: old + 3_600_000 }).state);
    expect(Object.keys(s.sessions).sort()).toEqual(['child', 'parent']);
    expect(s.sessions.child?.parentId).toBe('parent');
  });
});

describe('markSlowTools (no permission API)', () => {
  const running = (tool: string, callID: string) => ({
    type: 'message.part.updated',
    properties: { sessionID: 's1', part: { type: 'tool', tool, callID, messageID: 'm', state: { status: 'running', input: { command: 'x' }, time: { start: 1_000 } } } },
  });

  function withTools(permissions: LiveSeed['permissions']): LiveState {
    let state = seedInstance(fresh(), INSTANCE, { statuses: { s1: { type: 'busy' } }, sessions: [], permissions, questions: [], todos: {} }, { nowMs: 1_000 }).state;
    for (const e of [running('bash', 'c1'), running('task', 'c2')]) state = applyEvent(state, INSTANCE, e, { nowMs: 1_000 }).state;
    return state;
  }

  it('flags a non-task tool running longer than 5 s when the server has no permission API', () => {
    const state = withTools(undefined);
    expect(inst(state).permissionApi).toBe(false);
    expect(markSlowTools(state, INSTANCE, { nowMs: 5_900 }).diffs).toEqual([]);
    const u = markSlowTools(state, INSTANCE, { nowMs: 6_100 });
    expect(u.diffs).toEqual([{ op: 'set', path: ['instances', INSTANCE, 'sessions', 's1', 'tools', 'c1', 'mayNeedPermission'], value: true }]);
    expect(markSlowTools(u.state, INSTANCE, { nowMs: 9_000 }).diffs).toEqual([]);
    // A later update of the same call keeps the flag.
    expect(inst(applyEvent(u.state, INSTANCE, running('bash', 'c1'), { nowMs: 9_000 }).state).sessions.s1?.tools.c1?.mayNeedPermission).toBe(true);
  });

  it('stays quiet when exact permissions are available', () => {
    expect(markSlowTools(withTools([]), INSTANCE, { nowMs: 60_000 }).diffs).toEqual([]);
  });
});
