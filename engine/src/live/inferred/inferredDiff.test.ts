import { describe, expect, it } from 'vitest';
import { NO_TODOS } from '../../../../shared/src/index.js';
import { diffInferred, EMPTY_INFERRED, toLiveSession } from './inferredDiff.js';
import type { InferredLive, InferredSession } from './inferredTypes.js';

const base: InferredSession = {
  id: 'ses_1', title: 'Fix the bug', directory: '/p', activity: 'busy', evidence: 'tool-running',
  tools: [{ callId: 'call_1', messageId: 'msg_1', tool: 'bash', status: 'running', argument: 'npm test', startedMs: 100 }],
  todos: { pending: 1, inProgress: 1, completed: 0, currentLabel: 'Test', nextLabel: 'Ship' },
  agent: 'build', model: 'fake/fake-model', lastActivityMs: 120,
};
const live = (...sessions: InferredSession[]): InferredLive => ({ sessions: Object.fromEntries(sessions.map((s) => [s.id, s])) });

describe('diffInferred', () => {
  it('lists added, changed and removed sessions, and nothing for an equal state', () => {
    const other: InferredSession = { ...base, id: 'ses_2', activity: 'idle', tools: [] };
    expect(diffInferred(EMPTY_INFERRED, live(base))).toEqual({ changed: [base], removed: [] });
    expect(diffInferred(live(base), live({ ...base, tools: [...base.tools] }))).toEqual({ changed: [], removed: [] });
    const idle: InferredSession = { ...base, activity: 'idle', tools: [] };
    expect(diffInferred(live(base, other), live(idle))).toEqual({ changed: [idle], removed: ['ses_2'] });
  });
});

describe('toLiveSession', () => {
  it('maps a busy session onto the shared record with tools keyed by call id', () => {
    expect(toLiveSession({ ...base, parentId: 'ses_0' })).toEqual({
      id: 'ses_1', title: 'Fix the bug', parentId: 'ses_0', directory: '/p', status: { type: 'busy' },
      agent: 'build', model: 'fake/fake-model',
      tools: { call_1: { callId: 'call_1', messageId: 'msg_1', tool: 'bash', status: 'running', argument: 'npm test', startedMs: 100 } },
      todos: base.todos, updatedMs: 120,
    });
  });

  it('shows a stale session as idle with no tools', () => {
    const stale: InferredSession = { id: 'ses_3', title: 't', directory: '/p', activity: 'stale', staleReason: 'process-gone', tools: [], todos: NO_TODOS, lastActivityMs: 5 };
    expect(toLiveSession(stale)).toMatchObject({ status: { type: 'idle' }, tools: {}, updatedMs: 5 });
  });
});
