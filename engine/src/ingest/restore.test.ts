import { describe, expect, it } from 'vitest';
import { SESSIONS_TABLE, TODOS_TABLE, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { buildSessionTree, childRootMap } from '../derive/index.js';
import { IngestState } from './ingestState.js';
import { childRootsOf, restoreState, todoStatusCounts, type PersistedExtras } from './restore.js';

function session(id: string, parent: string | null, root: string, depth: number): RowOf<'sessions'> {
  return {
    id, project_id: 'p', project_name: null, directory: '/w', title: id, slug: null, version: null, parent_id: parent, root_id: root, depth,
    agent: null, provider_id: null, model_id: null, created_at: 1, updated_at: 2, archived_at: null, additions: 0, deletions: 0,
    files_changed: 0, user_messages: 0, assistant_messages: 0, tokens_input: 0, tokens_output: 0, tokens_reasoning: 0,
    tokens_cache_read: 0, tokens_cache_write: 0, tokens_total: 0, cost: 0, zero_cost_steps: 0, fork_copies: 0,
    is_archived: false, is_deleted: false, source: 'sqlite',
  };
}

function todo(id: string, status: string): RowOf<'todos'> {
  return { id, session_id: 's1', position: 0, content: id, status, priority: 'high', updated_at: null, source: 'sqlite' };
}

const sessions = [session('s1', null, 's1', 0), session('s2', 's1', 's1', 1), session('s3', 's2', 's1', 2), session('s4', null, 's4', 0)];
const extras: PersistedExtras = {
  watermarks: {}, sessionAggregates: {}, delegations: [], sessionDb: {}, deletedSessionIds: [], partTypes: {}, toolsByName: {},
  toolsByStatus: {}, sources: [], issues: {}, duplicates: 0,
};

describe('restoring a warm start', () => {
  it('turns sessions, projects and todos into objects only when first read', () => {
    const state = new IngestState();
    restoreState(state, { sessions: () => [buildIpc(SESSIONS_TABLE, sessions)], projects: () => [], todos: () => [buildIpc(TODOS_TABLE, [todo('t1', 'pending')])] }, extras);
    expect(state.restored('sessions')).toBe(false);
    expect(state.restored('todos')).toBe(false);
    expect(state.sessions.get('s3')).toMatchObject({ id: 's3', parent_id: 's2', project_id: 'p' });
    expect(state.restored('sessions')).toBe(true);
    expect(state.restored('todos')).toBe(false);
    expect([...state.todos.keys()]).toEqual(['t1']);
    expect(state.sessions.size).toBe(4);
  });

  it('reads sub-agent roots and todo counts from the saved tables as the objects would give them', () => {
    const chunks = [buildIpc(SESSIONS_TABLE, sessions.slice(0, 2)), buildIpc(SESSIONS_TABLE, sessions.slice(2))];
    expect(childRootsOf(chunks)).toEqual(childRootMap(buildSessionTree(sessions)));
    expect(childRootsOf(chunks)).toEqual({ s2: 's1', s3: 's1' });
    expect(todoStatusCounts([buildIpc(TODOS_TABLE, [todo('a', 'pending'), todo('b', 'completed'), todo('c', 'pending')])])).toEqual({ pending: 2, completed: 1 });
  });
});
