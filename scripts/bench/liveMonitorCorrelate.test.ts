import { describe, expect, it } from 'vitest';
import { emptyLiveState } from '../../shared/src/index.js';
import type { LiveDiff, LiveState } from '../../shared/src/index.js';
import { createMatcher, createRawKeyer, diffKeys, todoSummaryKey } from './liveMonitorCorrelate.js';
import { stampsOf } from './liveMonitorLoad.js';
import { slope } from './liveMonitorReport.js';

const wrap = (type: string, properties: Record<string, unknown>) => ({ directory: '/p', payload: { id: 'evt_1', type, properties } });
const tool = (callID: string, status: string) => wrap('message.part.updated', { sessionID: 's1', part: { type: 'tool', tool: 'bash', callID, state: { status } } });

describe('createRawKeyer', () => {
  it('keys only the events that change the follower state', () => {
    const key = createRawKeyer();
    expect(key(wrap('session.status', { sessionID: 's1', status: { type: 'busy' } }))).toEqual(['status|s1|busy']);
    expect(key(wrap('session.status', { sessionID: 's1', status: { type: 'busy' } }))).toEqual([]);
    expect(key(tool('c1', 'pending'))).toEqual(['tool|c1|pending']);
    expect(key(tool('c1', 'pending'))).toEqual([]);
    expect(key(tool('c1', 'running'))).toEqual(['tool|c1|running']);
    expect(key(tool('c1', 'completed'))).toEqual(['tool|c1|gone']);
    expect(key(tool('c2', 'completed'))).toEqual([]);
    expect(key(wrap('message.part.delta', { sessionID: 's1', delta: 'x' }))).toEqual([]);
    expect(key(wrap('session.status', { sessionID: 's1', status: { type: 'idle' } }))).toEqual(['status|s1|idle']);
    expect(key(wrap('session.idle', { sessionID: 's1' }))).toEqual([]);
  });

  it('keys a todo list by the summary the reducer keeps', () => {
    const key = createRawKeyer();
    const todos = [{ content: 'a', status: 'completed' }, { content: 'b', status: 'in_progress' }, { content: 'c', status: 'pending' }];
    expect(key(wrap('todo.updated', { sessionID: 's1', todos }))).toEqual([`todos|s1|${todoSummaryKey(todos)}`]);
    expect(key(wrap('todo.updated', { sessionID: 's1', todos }))).toEqual([]);
    expect(todoSummaryKey(todos)).toBe('1/1/1/b/c');
  });
});

describe('diffKeys', () => {
  const previous: LiveState = {
    ...emptyLiveState(),
    instances: { i: { id: 'i', url: 'u', connection: 'connected', permissionApi: true, permissions: {}, questions: {}, ignoredEvents: 0, sessions: { s1: { id: 's1', title: '', directory: '/p', status: { type: 'busy' }, todos: { pending: 0, inProgress: 0, completed: 0 }, updatedMs: 0, tools: { c9: { callId: 'c9', messageId: 'm', tool: 'bash', status: 'running', argument: '', startedMs: 0 } } } } } },
  };

  it('spells the follower diffs as the raw keys', () => {
    const diffs: LiveDiff[] = [
      { op: 'set', path: ['instances', 'i', 'sessions', 's1', 'status'], value: { type: 'idle' } },
      { op: 'set', path: ['instances', 'i', 'sessions', 's1', 'tools'], value: {} },
      { op: 'set', path: ['instances', 'i', 'sessions', 's1', 'tools', 'c1'], value: { status: 'running' } },
      { op: 'delete', path: ['instances', 'i', 'sessions', 's1', 'tools', 'c2'] },
      { op: 'set', path: ['instances', 'i', 'sessions', 's1', 'todos'], value: { pending: 1, inProgress: 1, completed: 1, currentLabel: 'b', nextLabel: 'c' } },
      { op: 'set', path: ['instances', 'other', 'sessions', 's1', 'status'], value: { type: 'busy' } },
    ];
    expect(diffKeys(previous, 'i', diffs)).toEqual(['status|s1|idle', 'tool|c9|gone', 'tool|c1|running', 'tool|c2|gone', 'todos|s1|1/1/1/b/c']);
  });
});

describe('createMatcher', () => {
  it('pairs each side oldest first, in either order, and counts what never paired', () => {
    const m = createMatcher(1_000);
    m.raw('k', 100);
    m.raw('k', 110);
    m.follower('k', 103);
    m.follower('j', 200);
    m.raw('j', 201);
    m.raw('old', 0);
    m.follower('old', 5_000);
    expect(m.samples).toEqual([3, -1]);
    expect(m.unmatched()).toEqual({ raw: 2, follower: 1 });
  });
});

describe('stampsOf', () => {
  it('reads send times from tool arguments and todo labels only', () => {
    const diffs: LiveDiff[] = [
      { op: 'set', path: ['x'], value: { argument: 'bench 3@1700000000123.456' } },
      { op: 'set', path: ['y'], value: { currentLabel: 'Plan 4@1700000000200.000' } },
      { op: 'set', path: ['z'], value: { argument: 'ls' } },
      { op: 'delete', path: ['w'] },
    ];
    expect(stampsOf(diffs)).toEqual([1700000000123.456, 1700000000200]);
  });
});

describe('slope', () => {
  it('is the least-squares rate per second, null without enough points', () => {
    expect(slope([{ t: 1, y: 10 }, { t: 2, y: 12 }, { t: 3, y: 14 }])).toBe(2);
    expect(slope([{ t: 1, y: 10 }])).toBeNull();
  });
});
