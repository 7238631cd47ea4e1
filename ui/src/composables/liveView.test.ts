import { describe, expect, it } from 'vitest';
import { emptyLiveState, NO_TODOS, type LiveInstance, type LiveSession, type LiveState } from '../../../shared/src/index.js';
import { buildInstanceViews, displayTitle, formatElapsed, instanceLabel, isAnswerable, sessionForest, statusLabel, summarizeLive, todoLine, type SessionNode } from './liveView.js';

const session = (id: string, extra: Partial<LiveSession> = {}): LiveSession => ({
  id, title: `Session ${id}`, directory: '/home/dev/app', status: { type: 'idle' }, tools: {}, todos: NO_TODOS, updatedMs: 1_000, ...extra,
});
const instance = (id: string, sessions: LiveSession[], extra: Partial<LiveInstance> = {}): LiveInstance => ({
  id, url: id, connection: 'connected', permissionApi: true, ignoredEvents: 0, permissions: {}, questions: {},
  sessions: Object.fromEntries(sessions.map((s) => [s.id, s])), ...extra,
});
const stateOf = (...instances: LiveInstance[]): LiveState => ({ ...emptyLiveState(), instances: Object.fromEntries(instances.map((i) => [i.id, i])) });
const shape = (nodes: readonly SessionNode[]): unknown => nodes.map((n) => (n.children.length ? { [n.session.id]: shape(n.children) } : n.session.id));

describe('sessionForest', () => {
  it('nests sub-agents under their parent, busy before idle, newest change first', () => {
    const forest = sessionForest(instance('i', [
      session('old-idle', { updatedMs: 1 }),
      session('root', { status: { type: 'busy' }, updatedMs: 5 }),
      session('child-a', { parentId: 'root', updatedMs: 7 }),
      session('child-b', { parentId: 'root', status: { type: 'busy' }, updatedMs: 6 }),
      session('grandchild', { parentId: 'child-b', status: { type: 'busy' } }),
      session('new-idle', { updatedMs: 9 }),
    ]));
    expect(shape(forest)).toEqual([{ root: [{ 'child-b': ['grandchild'] }, 'child-a'] }, 'new-idle', 'old-idle']);
  });

  it('shows a sub-agent whose parent is unknown as a root, and survives a parent cycle', () => {
    expect(shape(sessionForest(instance('i', [session('orphan', { parentId: 'gone' })])))).toEqual(['orphan']);
    const cyclic = sessionForest(instance('i', [session('a', { parentId: 'b', updatedMs: 5_000 }), session('b', { parentId: 'a' }), session('self', { parentId: 'self' })]));
    expect(shape(cyclic)).toEqual(['self', { a: ['b'] }]);
  });
});

describe('buildInstanceViews', () => {
  it('puts connected instances first and lists requests oldest first with their session title', () => {
    const busy = instance('http://127.0.0.1:2', [session('s1', { title: 'Fix the build' })], {
      permissions: {
        p2: { id: 'p2', sessionId: 's1', permission: 'bash', patterns: [], always: [], summary: 'rm b', askedMs: 20 },
        p1: { id: 'p1', sessionId: 'gone', permission: 'edit', patterns: [], always: [], summary: 'a.ts', askedMs: 10 },
      },
    });
    const down = instance('http://127.0.0.1:1', [], { connection: 'disconnected' });
    const views = buildInstanceViews(stateOf(down, busy));
    expect(views.map((v) => v.instance.id)).toEqual(['http://127.0.0.1:2', 'http://127.0.0.1:1']);
    expect(views[0]?.permissions.map((p) => [p.permission.id, p.sessionTitle])).toEqual([['p1', 'gone'], ['p2', 'Fix the build']]);
  });
});

describe('summarizeLive', () => {
  it('counts busy and retrying sessions, everything waiting for the user, and open todos', () => {
    const i = instance('i', [
      session('a', { status: { type: 'busy' }, todos: { pending: 2, inProgress: 1, completed: 4 } }),
      session('b', { status: { type: 'retry', attempt: 2, message: 'overloaded', nextMs: 0 } }),
      session('c', { askUser: { callId: 'x', title: 't', question: 'q', options: [], urgency: 'normal', askedMs: 0 } }),
    ], { questions: { q1: { id: 'q1', sessionId: 'a', questions: [], askedMs: 0 } } });
    expect(summarizeLive(stateOf(i, instance('j', [], { connection: 'connecting' })))).toEqual({ instances: 2, connected: 1, sessions: 3, busy: 2, waiting: 2, openTodos: 3 });
  });
});

describe('texts', () => {
  it('formats elapsed time for seconds, minutes and hours, never negative', () => {
    expect([formatElapsed(-5), formatElapsed(999), formatElapsed(42_000), formatElapsed(185_000), formatElapsed(7_620_000)]).toEqual(['0s', '0s', '42s', '3m 05s', '2h 07m']);
  });

  it('labels a retry with its attempt and the countdown to the next try', () => {
    const retry = { type: 'retry', attempt: 3, message: 'rate limited', nextMs: 10_000 } as const;
    expect(statusLabel(retry, 4_500)).toBe('retry #3 in 5s');
    expect(statusLabel(retry, 10_000)).toBe('retry #3 now');
    expect(statusLabel({ type: 'busy' }, 0)).toBe('busy');
  });

  it('summarises todos as done/total with current and next, and nothing without a list', () => {
    expect(todoLine(NO_TODOS)).toBeUndefined();
    expect(todoLine({ pending: 2, inProgress: 1, completed: 3, currentLabel: 'Run tests', nextLabel: 'Ship' })).toEqual({ done: 3, total: 6, current: 'Run tests', next: 'Ship' });
  });

  it('drops OpenCode’s sub-agent suffix from titles and falls back to the id', () => {
    expect(displayTitle(session('s', { title: 'Find callers (@explore subagent)' }))).toBe('Find callers');
    expect(displayTitle(session('ses_x', { title: '' }))).toBe('ses_x');
  });
});

describe('instances without an API', () => {
  it('are named for what they are and cannot be answered from the page', () => {
    const db = instance('db:/home/u/.local/share/opencode/opencode.db', [], { url: 'file:///home/u/.local/share/opencode/opencode.db' });
    const plugin = instance('plugin:4242', [], { url: 'plugin://4242' });
    const served = instance('http://127.0.0.1:4096', []);
    expect([db, plugin, served].map(isAnswerable)).toEqual([false, false, true]);
    expect([db, plugin, served].map(instanceLabel)).toEqual([
      'terminal sessions (from /home/u/.local/share/opencode/opencode.db)',
      'terminal with the monitor plugin (pid 4242)',
      'http://127.0.0.1:4096',
    ]);
  });
});
