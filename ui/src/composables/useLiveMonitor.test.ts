import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, reactive } from 'vue';
import { emptyLiveState, fail, ok, type LiveNotification, type LiveState, type Result } from '../../../shared/src/index.js';
import type { LiveActions } from '../connection/index.js';
import { useLiveMonitor, type LiveSource } from './useLiveMonitor.js';

const asked = (id: string): LiveNotification => ({ type: 'question.asked', instanceId: 'i', sessionId: 's', questionId: id, question: `Q ${id}?`, timeMs: 0 });

/** An engine stand-in whose answers the test releases one by one. */
function controlledApi() {
  const calls: string[] = [];
  const answers: ((r: Result<true>) => void)[] = [];
  const answer = (label: string) => {
    calls.push(label);
    return new Promise<Result<true>>((resolve) => answers.push(resolve));
  };
  const api: LiveActions = {
    replyPermission: (id, reply, message) => answer(`permission ${id} ${reply}${message ? ` "${message}"` : ''}`),
    replyQuestion: (id, a) => answer(`question ${id} ${JSON.stringify(a)}`),
    rejectQuestion: (id) => answer(`reject ${id}`),
  };
  return { api, calls, release: (r: Result<true>) => answers.shift()?.(r) };
}

function mount(source: LiveSource, api: LiveActions) {
  const scope = effectScope();
  const monitor = scope.run(() => useLiveMonitor(source, api))!;
  return { monitor, stop: () => scope.stop() };
}

describe('useLiveMonitor', () => {
  it('makes a toast of each notification that arrives while open, newest first, but not of older ones', async () => {
    const source = reactive({ live: emptyLiveState() as LiveState, notifications: [asked('old')] as LiveNotification[] });
    const { monitor, stop } = mount(source, controlledApi().api);
    source.notifications.push(asked('a'), asked('b'));
    await nextTick();
    expect(monitor.toasts.value.map((t) => t.detail)).toEqual(['Q b?', 'Q a?']);
    // The client's list is bounded: once the last seen entry is dropped, the next push still counts once.
    source.notifications.splice(0, 3, asked('c'));
    await nextTick();
    expect(monitor.toasts.value.map((t) => t.detail)).toEqual(['Q c?', 'Q b?', 'Q a?']);
    monitor.dismissToast(monitor.toasts.value[1]!.id);
    expect(monitor.toasts.value.map((t) => t.detail)).toEqual(['Q c?', 'Q a?']);
    stop();
  });

  it('follows the live state and counts it', async () => {
    const source = reactive({ live: emptyLiveState() as LiveState, notifications: [] as LiveNotification[] });
    const { monitor, stop } = mount(source, controlledApi().api);
    expect(monitor.instances.value).toEqual([]);
    source.live = { ...emptyLiveState(), instances: { i: { id: 'i', url: 'http://127.0.0.1:1', connection: 'connected', permissionApi: true, ignoredEvents: 0, sessions: {}, permissions: {}, questions: {} } } };
    expect(monitor.instances.value.map((v) => v.instance.id)).toEqual(['i']);
    expect(monitor.summary.value.connected).toBe(1);
    stop();
  });

  it('sends one reply at a time per request and keeps a failure inline until the next try', async () => {
    const { api, calls, release } = controlledApi();
    const { monitor, stop } = mount(reactive({ live: emptyLiveState() as LiveState, notifications: [] as LiveNotification[] }), api);
    const first = monitor.actions.replyPermission('per_1', 'reject', 'not in prod');
    void monitor.actions.replyPermission('per_1', 'once');
    expect(monitor.actions.requestState('per_1')).toEqual({ busy: true, error: '' });
    release(fail({ code: 'live.unreachable', message: 'the instance did not answer' }));
    await first;
    expect(monitor.actions.requestState('per_1')).toEqual({ busy: false, error: 'the instance did not answer (live.unreachable)' });
    const second = monitor.actions.replyQuestion('que_1', [['Blue']]);
    release(ok(true));
    await second;
    expect(monitor.actions.requestState('que_1')).toEqual({ busy: false, error: '' });
    expect(calls).toEqual(['permission per_1 reject "not in prod"', 'question que_1 [["Blue"]]']);
    stop();
  });
});
