import { describe, expect, it } from 'vitest';
import { applyLiveDiff, livePath } from '../../shared/src/live/liveDiff.js';
import { LIVE_STATE_VERSION, NO_TODOS, childSessions, emptyLiveState } from '../../shared/src/live/liveState.js';
import type { LiveInstance, LiveSession, LiveState } from '../../shared/src/live/liveState.js';

const session = (id: string, parentId?: string, updatedMs = 1): LiveSession => ({
  id,
  title: id,
  directory: '/p',
  status: { type: 'idle' },
  tools: {},
  todos: NO_TODOS,
  updatedMs,
  ...(parentId ? { parentId } : {}),
});

const instance = (sessions: LiveSession[]): LiveInstance => ({
  id: 'i1',
  url: 'http://127.0.0.1:1',
  connection: 'connected',
  permissionApi: true,
  sessions: Object.fromEntries(sessions.map((s) => [s.id, s])),
  permissions: {},
  questions: {},
  ignoredEvents: 0,
});

const withInstance = (sessions: LiveSession[]): LiveState => ({ version: LIVE_STATE_VERSION, instances: { i1: instance(sessions) } });

describe('applyLiveDiff', () => {
  it('sets a nested value without mutating the input and shares untouched branches', () => {
    const before = withInstance([session('a'), session('b')]);
    const frozen = JSON.stringify(before);
    const after = applyLiveDiff(before, [{ op: 'set', path: [...livePath.session('i1', 'a'), 'status'], value: { type: 'busy' } }]);
    expect(after.instances.i1?.sessions.a?.status).toEqual({ type: 'busy' });
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after.instances.i1?.sessions.b).toBe(before.instances.i1?.sessions.b);
    expect(after.instances.i1?.permissions).toBe(before.instances.i1?.permissions);
  });

  it('creates missing parents on set and deletes keys', () => {
    const s = applyLiveDiff(emptyLiveState(), [
      { op: 'set', path: [...livePath.tool('i9', 's1', 'c1'), 'argument'], value: 'ls' },
      { op: 'set', path: livePath.instance('i2'), value: 1 },
      { op: 'delete', path: livePath.instance('i2') },
    ]);
    expect(s).toEqual({ version: 1, instances: { i9: { sessions: { s1: { tools: { c1: { argument: 'ls' } } } } } } });
  });

  it('treats deleting something absent, and an empty path, as no-ops', () => {
    const before = withInstance([session('a')]);
    const after = applyLiveDiff(before, [
      { op: 'delete', path: [...livePath.session('i1', 'zz'), 'tools', 'x'] },
      { op: 'delete', path: ['instances', 'nope'] },
      { op: 'set', path: [], value: {} },
    ]);
    expect(after).toBe(before);
  });

  it('returns the same object when a set does not change the value', () => {
    const before = withInstance([session('a')]);
    expect(applyLiveDiff(before, [{ op: 'set', path: [...livePath.instance('i1'), 'connection'], value: 'connected' }])).toBe(before);
  });

  it('replays the same diffs to the same result (a client mirrors the engine)', () => {
    const diffs = [
      { op: 'set', path: livePath.session('i1', 'c'), value: session('c', 'a', 5) },
      { op: 'delete', path: livePath.session('i1', 'b') },
    ] as const;
    const base = withInstance([session('a'), session('b')]);
    expect(applyLiveDiff(base, diffs)).toEqual(applyLiveDiff(base, diffs));
    expect(Object.keys(applyLiveDiff(base, diffs).instances.i1?.sessions ?? {})).toEqual(['a', 'c']);
  });
});

describe('childSessions', () => {
  it('lists direct sub-agents of a session, oldest change first', () => {
    const inst = instance([session('root'), session('k2', 'root', 9), session('k1', 'root', 3), session('g', 'k1')]);
    expect(childSessions(inst, 'root').map((s) => s.id)).toEqual(['k1', 'k2']);
    expect(childSessions(inst, 'k1').map((s) => s.id)).toEqual(['g']);
  });
});
