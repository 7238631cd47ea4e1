import { describe, expect, it } from 'vitest';
import { applyLiveDiff, childSessions } from '../../../../shared/src/index.js';
import type { LiveRisk, LiveState } from '../../../../shared/src/index.js';
import { INSTANCE, fixtureEvents, loadFixture, replay } from './replay.fixture.js';
import { applyEvent, setConnection } from './reducer.js';

const inst = (s: LiveState) => {
  const i = s.instances[INSTANCE];
  if (!i) throw new Error('instance missing');
  return i;
};

describe('applyEvent on recorded OpenCode 1.18.33 streams', () => {
  it('follows a turn busy → running bash tool → idle, with agent, model and title', () => {
    const f = loadFixture('slow-bash');
    const r = replay(fixtureEvents(f));
    const running = r.states.map((s) => inst(s).sessions[f.sessionId]?.tools).find((t) => Object.values(t ?? {}).some((x) => x.status === 'running'));
    expect(Object.values(running ?? {})).toEqual([
      { callId: 'call_d346b224d25d', messageId: 'msg_234a94296001l4qimH9qLK8FaS', tool: 'bash', status: 'running', argument: 'sleep 1; ls', startedMs: 1796179837741 },
    ]);
    expect(r.states.some((s) => inst(s).sessions[f.sessionId]?.status.type === 'busy')).toBe(true);
    const end = inst(r.state).sessions[f.sessionId];
    expect(end).toMatchObject({ status: { type: 'idle' }, tools: {}, agent: 'build', model: 'fake/fake-model', directory: '/home/dev/project', title: 'Fake session title' });
    expect(r.notifications.filter((n) => n.type === 'session.finished')).toEqual([
      expect.objectContaining({ type: 'session.finished', instanceId: INSTANCE, sessionId: f.sessionId, title: 'Fake session title' }),
    ]);
  });

  it('emits diffs that rebuild exactly the reducer state', () => {
    for (const name of ['slow-bash', 'permission-approved', 'subagent', 'todos', 'provider-retry', 'question-answered']) {
      const r = replay(fixtureEvents(loadFixture(name)));
      expect(applyLiveDiff(r.initial, r.diffs), name).toEqual(r.state);
    }
  });

  it('shows a pending permission with its summary, directory and risk until it is replied', () => {
    const f = loadFixture('permission-approved');
    const risk: LiveRisk = { score: 12, level: 'low', reasons: ['creates a file in the project'] };
    const seen: unknown[] = [];
    const r = replay(fixtureEvents(f), { scorePermission: (p) => (seen.push(p), risk) });
    const pending = r.states.map((s) => Object.values(inst(s).permissions)).find((p) => p.length > 0);
    expect(pending).toEqual([
      {
        id: 'per_234a93679001AySa55jqsT0cw8',
        sessionId: f.sessionId,
        permission: 'bash',
        patterns: ['touch approved.txt'],
        always: ['touch *'],
        summary: 'touch approved.txt',
        directory: '/home/dev/project',
        tool: { messageId: 'msg_234a93614001JUQMD1Ct17nZiw', callId: 'call_6a70732837c5' },
        risk,
        askedMs: expect.any(Number),
      },
    ]);
    expect(seen).toEqual([{ sessionId: f.sessionId, permission: 'bash', patterns: ['touch approved.txt'], metadata: { command: 'touch approved.txt' }, directory: '/home/dev/project' }]);
    expect(r.notifications.filter((n) => n.type === 'permission.asked')).toEqual([
      expect.objectContaining({ permissionId: 'per_234a93679001AySa55jqsT0cw8', summary: 'touch approved.txt', risk }),
    ]);
    expect(r.notifications.some((n) => n.type === 'security.critical')).toBe(false);
    expect(inst(r.state).permissions).toEqual({});
  });

  it('raises security.critical for a permission scored critical', () => {
    const critical: LiveRisk = { score: 95, level: 'critical', reasons: ['test'] };
    const r = replay(fixtureEvents(loadFixture('permission-approved')), { scorePermission: () => critical });
    expect(r.notifications.filter((n) => n.type === 'security.critical')).toEqual([expect.objectContaining({ summary: 'touch approved.txt', risk: critical })]);
  });

  it('redacts the tool argument and the permission summary with the injected redactor', () => {
    const r = replay(fixtureEvents(loadFixture('permission-approved')), { redact: (t) => t.replace('approved', '[REDACTED]') });
    const p = r.states.flatMap((s) => Object.values(inst(s).permissions))[0];
    expect(p?.summary).toBe('touch [REDACTED].txt');
    const args = r.states.flatMap((s) => Object.values(inst(s).sessions).flatMap((x) => Object.values(x.tools).map((t) => t.argument)));
    expect(args).toContain('touch [REDACTED].txt');
    expect(args).not.toContain('touch approved.txt');
  });

  it('shows a pending question with its options until it is answered or rejected', () => {
    for (const name of ['question-answered', 'question-rejected']) {
      const f = loadFixture(name);
      const r = replay(fixtureEvents(f));
      const q = r.states.flatMap((s) => Object.values(inst(s).questions))[0];
      expect(q, name).toMatchObject({
        sessionId: f.sessionId,
        questions: [{ question: 'Which colour should the theme use?', header: 'Colour', options: [{ label: 'Blue', description: 'Calm' }, { label: 'Red', description: 'Loud' }] }],
        directory: '/home/dev/project',
      });
      expect(r.notifications.filter((n) => n.type === 'question.asked')).toEqual([expect.objectContaining({ question: 'Which colour should the theme use?' })]);
      expect(inst(r.state).questions, name).toEqual({});
    }
  });

  it('shows a provider outage as retry with attempt, message and next time', () => {
    const f = loadFixture('provider-retry');
    const r = replay(fixtureEvents(f));
    const statuses = r.states.map((s) => inst(s).sessions[f.sessionId]?.status);
    expect(statuses).toContainEqual({ type: 'retry', attempt: 1, message: 'fake provider error 503', nextMs: 1796179833590 });
    expect(inst(r.state).sessions[f.sessionId]?.status).toEqual({ type: 'idle' });
    // One turn, one announcement, although the status went busy → retry → busy → idle.
    expect(r.notifications.filter((n) => n.type === 'session.finished')).toHaveLength(1);
  });

  it('nests a sub-agent session under its parent and names the task tool by description and agent', () => {
    const f = loadFixture('subagent');
    const r = replay(fixtureEvents(f));
    const children = childSessions(inst(r.state), f.sessionId);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ parentId: f.sessionId, title: expect.stringContaining('subagent'), agent: 'general' });
    const taskArgs = r.states.flatMap((s) => Object.values(inst(s).sessions[f.sessionId]?.tools ?? {})).filter((t) => t.tool === 'task');
    expect(taskArgs.at(-1)?.argument).toBe('List files (@general)');
    const childBash = r.states.flatMap((s) => Object.values(inst(s).sessions[children[0]?.id ?? '']?.tools ?? {}));
    expect(childBash.map((t) => t.argument)).toContain('ls -la');
  });

  it('summarises todos: counts, current and next label', () => {
    const f = loadFixture('todos');
    const r = replay(fixtureEvents(f));
    expect(inst(r.state).sessions[f.sessionId]?.todos).toEqual({ pending: 1, inProgress: 1, completed: 1, currentLabel: 'Tag the release', nextLabel: 'Announce it' });
  });

  it('drops known noise silently and counts unknown event types', () => {
    const misc = fixtureEvents(loadFixture('stream-misc'));
    expect(misc.map((e) => e.type)).toEqual(['server.connected', 'project.updated', 'server.heartbeat', 'sync', 'message.part.delta', 'plugin.added', 'session.diff']);
    const r = replay([...misc, { type: 'something.new', properties: {} }, { type: 'another.new', properties: {} }]);
    expect(r.diffs).toEqual([
      { op: 'set', path: ['instances', INSTANCE, 'ignoredEvents'], value: 1 },
      { op: 'set', path: ['instances', INSTANCE, 'ignoredEvents'], value: 2 },
    ]);
  });

  it('ignores events for an instance it does not track', () => {
    const r = replay([]);
    const u = applyEvent(r.state, 'other', { type: 'session.status', properties: { sessionID: 's', status: { type: 'busy' } } }, { nowMs: 1 });
    expect(u.state).toBe(r.state);
    expect(u.diffs).toEqual([]);
  });
});

describe('older OpenCode and fallbacks', () => {
  it('reads the legacy permission.updated / permission.replied{permissionID} pair', () => {
    const r = replay([
      { type: 'permission.updated', properties: { id: 'per_old', type: 'bash', pattern: 'rm -rf build', sessionID: 's1', messageID: 'm1', callID: 'c1', title: 'rm -rf build', metadata: {}, time: { created: 42 } } },
    ]);
    expect(inst(r.state).permissions.per_old).toEqual({ id: 'per_old', sessionId: 's1', permission: 'bash', patterns: ['rm -rf build'], always: [], summary: 'rm -rf build', tool: { messageId: 'm1', callId: 'c1' }, askedMs: 42 });
    const after = replay([{ type: 'permission.replied', properties: { sessionID: 's1', permissionID: 'per_old', response: 'once' } }], {}, r.state);
    expect(inst(after.state).permissions).toEqual({});
  });

  it('treats a completed MCP notify_ask_user call as a pending question until the user writes again', () => {
    const part = (tool: string, status: string, callID: string, input: unknown) => ({
      type: 'message.part.updated',
      properties: { sessionID: 's1', part: { type: 'tool', tool, callID, messageID: 'm1', sessionID: 's1', state: { status, input, time: { start: 100 } } } },
    });
    const r = replay([part('notify_notify_ask_user', 'completed', 'c1', { title: 'Deploy?', question: 'Ship to prod?', options: ['yes', 'no'], urgency: 'high' })]);
    expect(inst(r.state).sessions.s1?.askUser).toEqual({ callId: 'c1', title: 'Deploy?', question: 'Ship to prod?', options: ['yes', 'no'], urgency: 'high', askedMs: 100 });
    expect(r.notifications).toEqual([expect.objectContaining({ type: 'question.asked', questionId: 'ask_user:c1', question: 'Ship to prod?' })]);
    const answered = replay([{ type: 'message.updated', properties: { sessionID: 's1', info: { role: 'user', time: { created: 200 } } } }], {}, r.state);
    expect(inst(answered.state).sessions.s1?.askUser).toBeUndefined();
    const movedOn = replay([part('bash', 'running', 'c2', { command: 'ls' })], {}, r.state);
    expect(inst(movedOn.state).sessions.s1?.askUser).toBeUndefined();
  });
});

describe('session bookkeeping', () => {
  it('drops the least recently changed idle session when an instance exceeds maxSessions', () => {
    const status = (id: string, type: string) => ({ type: 'session.status', properties: { sessionID: id, status: { type } } });
    const r = replay([status('a', 'busy'), status('a', 'idle'), status('b', 'busy'), status('c', 'busy')], { maxSessions: 2 });
    expect(Object.keys(inst(r.state).sessions).sort()).toEqual(['b', 'c']);
  });

  it('on disconnect drops pending requests and stops busy sessions without announcing them finished', () => {
    const r = replay(fixtureEvents(loadFixture('permission-approved')).slice(0, 20));
    const mid = r.states.find((s) => Object.keys(inst(s).permissions).length > 0);
    if (!mid) throw new Error('no pending permission in fixture prefix');
    const u = setConnection(mid, INSTANCE, 'disconnected', 'event stream ended');
    expect(inst(u.state)).toMatchObject({ connection: 'disconnected', lastError: 'event stream ended', permissions: {}, questions: {} });
    expect(Object.values(inst(u.state).sessions).every((s) => s.status.type === 'idle' && Object.keys(s.tools).length === 0)).toBe(true);
    expect(u.notifications).toEqual([]);
    expect(inst(setConnection(u.state, INSTANCE, 'connected').state)).not.toHaveProperty('lastError');
  });
});
