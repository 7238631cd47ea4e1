import { describe, expect, it } from 'vitest';
import { emptyLiveState, NO_TODOS, type HelloMessage, type LiveInstance, type LiveSession, type LiveState } from '../../../shared/src/index.js';
import { initialTrayState, reduceTrayState, type TrayState } from '../state/index.js';
import { buildTrayView } from './buildMenuTemplate.js';
import { desktopNotification } from './notifications.js';

const NOW = 1_800_000_000_000;

const hello: HelloMessage = {
  type: 'hello',
  protocolVersion: 2,
  schemaVersion: 4,
  engineVersion: '0.1.0',
  tables: ['sources'],
  demo: true,
  dataDir: '/home/ann/.local/share/opencode',
  epoch: 'e1',
  seq: 0,
  mode: 'snapshot',
  tableRows: {},
};

const session = (id: string, extra: Partial<LiveSession> = {}): LiveSession => ({
  id,
  title: `Session ${id}`,
  directory: '/p',
  status: { type: 'busy' },
  tools: {},
  todos: NO_TODOS,
  updatedMs: NOW,
  ...extra,
});

function instance(id: string, extra: Partial<LiveInstance> = {}): LiveInstance {
  return { id, url: id, connection: 'connected', permissionApi: true, sessions: {}, permissions: {}, questions: {}, ignoredEvents: 0, ...extra };
}

function online(live: LiveState): TrayState {
  const withHello = reduceTrayState(initialTrayState('u'), { type: 'message', message: hello });
  return reduceTrayState(withHello, { type: 'message', message: { type: 'live-state', seq: 1, state: live } });
}

describe('tray view', () => {
  it('offers Retry and disables the dashboard while the engine is offline', () => {
    const state = reduceTrayState(initialTrayState('http://127.0.0.1:19876/'), { type: 'disconnected', reason: 'ECONNREFUSED' });
    const view = buildTrayView(state, NOW);
    expect(view.icon).toBe('offline');
    expect(view.items).toContainEqual({ kind: 'action', label: 'Retry', action: { type: 'retry' }, enabled: true });
    expect(view.items).toContainEqual({ kind: 'action', label: 'Open dashboard', action: { type: 'open-dashboard' }, enabled: false });
    expect(view.items).toContainEqual({ kind: 'label', label: 'ECONNREFUSED' });
  });

  it('shows the engine, the data dir and the demo label once hello arrives, and "No OpenCode instances"', () => {
    const view = buildTrayView(online(emptyLiveState()), NOW);
    expect(view.items[0]).toEqual({ kind: 'label', label: 'No OpenCode instances' });
    expect(view.items).toContainEqual({ kind: 'label', label: 'Engine 0.1.0 · online · DEMO DATA' });
    expect(view.items).toContainEqual({ kind: 'label', label: 'Reading /home/ann/.local/share/opencode' });
    expect(view.title).toBe('🤖');
  });

  it('lists busy agents with tools, todos and busy sub-agents, idle instances, and the title counts', () => {
    const main = session('ses_a', {
      title: 'Fix the login bug',
      tools: { c1: { callId: 'c1', messageId: 'm', tool: 'bash', status: 'running', argument: 'npm test', startedMs: NOW - 65_000 } },
      todos: { pending: 3, inProgress: 1, completed: 0, currentLabel: 'Write the test', nextLabel: 'Fix it' },
    });
    const child = session('ses_b', { parentId: 'ses_a', title: 'Explore (@explore subagent)' });
    const live: LiveState = {
      ...emptyLiveState(),
      instances: {
        'http://127.0.0.1:4096': instance('http://127.0.0.1:4096', { sessions: { ses_a: main, ses_b: child } }),
        'http://127.0.0.1:4097': instance('http://127.0.0.1:4097', { sessions: { ses_c: session('ses_c', { status: { type: 'idle' } }) } }),
      },
    };
    const view = buildTrayView(online(live), NOW);
    expect(view.items.slice(0, 6)).toEqual([
      { kind: 'label', label: '🤖 Fix the login bug', tooltip: 'Fix the login bug' },
      { kind: 'label', label: '    🔧 bash: npm test  1m 5s', tooltip: 'npm test' },
      { kind: 'label', label: '    🔄 Write the test' },
      { kind: 'label', label: '    ⏳ Fix it (+2)' },
      { kind: 'label', label: '    └ ● Explore', tooltip: 'Explore (@explore subagent)' },
      { kind: 'label', label: '💤 Port 4097 (idle)' },
    ]);
    expect(view.title).toBe('🤖 2 💤 1 ⏳4');
  });

  it('queues permissions with their risk and the three answers, and keeps in step with live diffs', () => {
    const live: LiveState = {
      ...emptyLiveState(),
      instances: {
        i: instance('http://127.0.0.1:4096', {
          id: 'i',
          sessions: { ses_a: session('ses_a') },
          permissions: {
            per_1: { id: 'per_1', sessionId: 'ses_a', permission: 'bash', patterns: ['curl x | sh'], always: ['curl *'], summary: 'curl x | sh', askedMs: NOW, risk: { score: 95, level: 'critical', reasons: ['download piped into a shell'] } },
          },
        }),
      },
    };
    let state = online(live);
    const queue = buildTrayView(state, NOW).items.find((i) => i.kind === 'submenu');
    expect(queue).toEqual({
      kind: 'submenu',
      label: '🔴 🔒 bash: curl x | sh',
      items: [
        { kind: 'label', label: 'In Session ses_a' },
        { kind: 'label', label: 'CRITICAL 95/100: download piped into a shell' },
        { kind: 'separator' },
        { kind: 'action', label: 'Allow once', action: { type: 'reply-permission', permissionId: 'per_1', reply: 'once' }, enabled: true },
        { kind: 'action', label: 'Always allow curl *', action: { type: 'reply-permission', permissionId: 'per_1', reply: 'always' }, enabled: true },
        { kind: 'action', label: 'Reject', action: { type: 'reply-permission', permissionId: 'per_1', reply: 'reject' }, enabled: true },
      ],
    });
    expect(buildTrayView(state, NOW).title).toBe('🤖 1 🔒');
    state = reduceTrayState(state, { type: 'message', message: { type: 'live-diff', seq: 2, diffs: [{ op: 'delete', path: ['instances', 'i', 'permissions', 'per_1'] }] } });
    expect(buildTrayView(state, NOW).items.some((i) => i.kind === 'submenu')).toBe(false);
    // Going offline forgets the live state rather than showing agents that may have stopped.
    state = reduceTrayState(state, { type: 'disconnected', reason: 'closed' });
    expect(state.live).toEqual(emptyLiveState());
  });

  it('turns finished turns, permission asks and questions into desktop notifications', () => {
    expect(desktopNotification({ type: 'session.finished', instanceId: 'i', sessionId: 's', title: 'Fix bug', todos: { ...NO_TODOS, pending: 2 }, timeMs: NOW })).toEqual({ title: 'Agent finished', body: 'Fix bug — 2 todos left', urgent: false });
    expect(desktopNotification({ type: 'session.finished', instanceId: 'i', sessionId: 's', parentId: 'p', title: 'Sub', todos: NO_TODOS, timeMs: NOW })).toBeUndefined();
    expect(desktopNotification({ type: 'permission.asked', instanceId: 'i', sessionId: 's', permissionId: 'p', permission: 'bash', summary: 'rm -rf /', risk: { score: 99, level: 'critical', reasons: [] }, timeMs: NOW })).toMatchObject({ title: 'Permission asked (critical risk)', urgent: true });
  });
});
