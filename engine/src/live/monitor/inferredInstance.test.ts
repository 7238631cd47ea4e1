import { describe, expect, it } from 'vitest';
import { NO_TODOS, emptyLiveState, type LiveState } from '../../../../shared/src/index.js';
import type { InferredLive, InferredSession } from '../inferred/index.js';
import { inferredInstanceChange, inferredInstanceId } from './inferredInstance.js';
import { createLiveHub } from './liveHub.js';

const NOW = 1_800_000_000_000;
const inferred = (activity: InferredSession['activity'], id = 'ses_t'): InferredLive => ({
  sessions: { [id]: { id, title: 'TUI turn', directory: '/p', activity, tools: [], todos: NO_TODOS, lastActivityMs: NOW } as unknown as InferredSession },
});

describe('database-inferred sessions as a pseudo-instance', () => {
  it('adds busy sessions, and announces the end of a turn when one leaves', () => {
    const hub = createLiveHub();
    hub.publish(inferredInstanceChange(hub.state(), '/d/opencode.db', inferred('busy'), NOW));
    expect(hub.state().instances[inferredInstanceId('/d/opencode.db')]?.sessions['ses_t']?.status).toEqual({ type: 'busy' });
    const done = inferredInstanceChange(hub.state(), '/d/opencode.db', inferred('idle'), NOW + 5);
    expect(done.notifications).toEqual([expect.objectContaining({ type: 'session.finished', sessionId: 'ses_t', timeMs: NOW + 5 })]);
    hub.publish(done);
    expect(hub.state().instances[inferredInstanceId('/d/opencode.db')]?.sessions).toEqual({});
  });

  it('leaves out sessions an instance already reports exactly, and adds nothing while nothing is busy', () => {
    const followed: LiveState = {
      ...emptyLiveState(),
      instances: { 'http://127.0.0.1:1': { id: 'http://127.0.0.1:1', url: 'http://127.0.0.1:1', connection: 'connected', permissionApi: true, sessions: { ses_t: {} as never }, permissions: {}, questions: {}, ignoredEvents: 0 } },
    };
    const change = inferredInstanceChange(followed, '/d/opencode.db', inferred('busy'), NOW);
    expect(change.diffs).toEqual([]);
    expect(inferredInstanceChange(emptyLiveState(), '/d/opencode.db', inferred('stale'), NOW)).toEqual({ diffs: [], notifications: [] });
  });
});
