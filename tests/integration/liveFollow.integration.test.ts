/**
 * The live follower against a real `opencode serve` driven by the fake model: busy → idle, a running tool with
 * its argument, a permission and a question answered through the monitor's own actions, a provider outage seen
 * as retry, and the instance's death seen as a disconnection. One OpenCode instance for the whole file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonlActionLog, followInstance, replyPermission, replyQuestion } from '../../engine/src/live/follow/index.js';
import type { InstanceFollower } from '../../engine/src/live/follow/index.js';
import type { LiveUpdate, PermissionToScore } from '../../engine/src/live/state/index.js';
import type { LiveInstance, LiveNotification, LiveRisk, LiveSessionStatus } from '../../shared/src/index.js';
import { scenarioMarker, scenarios, startFakeModel, startOpencode, waitFor } from '../harness/index.js';
import type { FakeModel, OpencodeInstance, Scenario } from '../harness/index.js';

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let follower: InstanceFollower | undefined;
let auditDir: string | undefined;
const updates: LiveUpdate[] = [];
const scored: PermissionToScore[] = [];
const STUB_RISK: LiveRisk = { score: 35, level: 'medium', reasons: ['stub: creates a file'] };

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`${what} not started`);
  return v;
};
const live = (): LiveInstance => need(need(follower, 'follower').instance(), 'followed instance');
const target = () => ({ id: 'oc-it', url: need(oc, 'oc').url });
const notifications = (): LiveNotification[] => updates.flatMap((u) => u.notifications);
/** Every status the follower reported for a session, in order (from the state after each update). */
const statusesOf = (sessionId: string): LiveSessionStatus['type'][] =>
  updates.map((u) => u.state.instances['oc-it']?.sessions[sessionId]?.status.type).filter((t, i, all): t is LiveSessionStatus['type'] => t !== undefined && t !== all[i - 1]);

async function startTurn(scenario: Scenario): Promise<string> {
  const o = need(oc, 'oc');
  for (const [key, steps] of Object.entries(scenario.script({ projectDir: o.projectDir, home: o.home }))) need(fm, 'fm').setScript(key, steps);
  const session = await o.createSession(scenario.sessionPermission ? { permission: scenario.sessionPermission } : {});
  await o.promptAsync(session.id, scenario.prompt);
  return session.id;
}

const idleInFollower = (sessionId: string) =>
  waitFor(() => live().sessions[sessionId]?.status.type === 'idle' && statusesOf(sessionId).includes('busy'), { timeoutMs: 60_000, what: `follower sees ${sessionId} idle` });

beforeAll(async () => {
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  auditDir = mkdtempSync(join(tmpdir(), 'ocm-audit-'));
  follower = followInstance(target(), {
    onUpdate: (u) => updates.push(u),
    scorePermission: (p) => (scored.push(p), STUB_RISK),
    backoff: { initialMs: 100, maxMs: 1_000 },
  });
  await waitFor(() => live().connection === 'connected', { timeoutMs: 20_000, what: 'follower connected' });
});

afterAll(async () => {
  await follower?.stop();
  await oc?.stop();
  await fm?.close();
  if (auditDir) rmSync(auditDir, { recursive: true, force: true });
});

describe('followInstance against a real OpenCode', () => {
  it('seeds the instance: connected, version known, exact permission API', () => {
    expect(live()).toMatchObject({ id: 'oc-it', connection: 'connected', version: expect.stringMatching(/^\d+\.\d+\.\d+/), permissionApi: true });
  });

  it('sees a scripted turn busy, its running tool with argument and start time, then idle', async () => {
    const slow: Scenario = {
      ...scenarios.benignLs,
      id: 'live-slow-bash',
      prompt: `List slowly ${scenarioMarker('live-slow-bash')}`,
      script: () => ({ 'live-slow-bash': [{ toolCalls: [{ name: 'bash', args: { command: 'sleep 2; ls', description: 'List slowly' } }] }, { text: 'Listed.' }] }),
    };
    const before = Date.now();
    const sessionId = await startTurn(slow);
    const tool = await waitFor(() => Object.values(live().sessions[sessionId]?.tools ?? {}).find((t) => t.status === 'running'), { timeoutMs: 30_000, what: 'running bash tool' });
    expect(tool).toMatchObject({ tool: 'bash', argument: 'sleep 2; ls' });
    expect(tool.startedMs).toBeGreaterThanOrEqual(before);
    expect(live().sessions[sessionId]?.status.type).toBe('busy');
    await idleInFollower(sessionId);
    // session.created makes it known (idle) before the turn starts.
    expect(statusesOf(sessionId)).toEqual(['idle', 'busy', 'idle']);
    expect(live().sessions[sessionId]?.tools).toEqual({});
    expect(live().sessions[sessionId]).toMatchObject({ agent: 'build', model: 'fake/fake-model', directory: need(oc, 'oc').projectDir });
    expect(notifications()).toContainEqual(expect.objectContaining({ type: 'session.finished', sessionId }));
  });

  it('shows a permission ask with its risk, answers it through replyPermission, and the turn completes', async () => {
    const sessionId = await startTurn(scenarios.permissionApproved);
    const ask = await waitFor(() => Object.values(live().permissions).find((p) => p.sessionId === sessionId), { timeoutMs: 30_000, what: 'permission in follower' });
    expect(ask).toMatchObject({ permission: 'bash', summary: 'touch approved.txt', patterns: ['touch approved.txt'], risk: STUB_RISK, directory: need(oc, 'oc').projectDir });
    expect(scored).toContainEqual(expect.objectContaining({ sessionId, permission: 'bash', metadata: { command: 'touch approved.txt' } }));
    expect(notifications()).toContainEqual(expect.objectContaining({ type: 'permission.asked', permissionId: ask.id, risk: STUB_RISK }));

    const auditPath = join(need(auditDir, 'auditDir'), 'audit', 'actions.jsonl');
    const result = await replyPermission(target(), { requestId: ask.id, sessionId, reply: 'once', ...(ask.directory ? { directory: ask.directory } : {}) }, { log: createJsonlActionLog(auditPath) });
    expect(result).toEqual({ ok: true, value: true });
    await waitFor(() => live().permissions[ask.id] === undefined, { timeoutMs: 10_000, what: 'permission cleared' });
    await idleInFollower(sessionId);
    expect(existsSync(join(need(oc, 'oc').projectDir, 'approved.txt'))).toBe(true);
    const last = (await need(oc, 'oc').messages(sessionId)).at(-1);
    expect(last?.parts.some((p) => p.type === 'text' && p.text === 'Created approved.txt.')).toBe(true);
    const lines = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ instanceId: 'oc-it', sessionId, action: 'permission.reply', requestId: ask.id, reply: 'once', ok: true, timeMs: expect.any(Number) })]);

    // Answering again is an expected problem (the request is gone), reported as data.
    const again = await replyPermission(target(), { requestId: ask.id, sessionId, reply: 'once' });
    expect(again.ok).toBe(false);
  });

  it('shows a question, answers it through replyQuestion, and the turn completes with that answer', async () => {
    const sessionId = await startTurn(scenarios.questionAnswered);
    const q = await waitFor(() => Object.values(live().questions).find((x) => x.sessionId === sessionId), { timeoutMs: 30_000, what: 'question in follower' });
    expect(q.questions[0]).toMatchObject({ question: 'Which colour should the theme use?', options: [{ label: 'Blue' }, { label: 'Red' }] });
    const result = await replyQuestion(target(), { requestId: q.id, sessionId, answers: [['Blue']], ...(q.directory ? { directory: q.directory } : {}) });
    expect(result.ok).toBe(true);
    await idleInFollower(sessionId);
    expect(live().questions).toEqual({});
    const questionPart = (await need(oc, 'oc').messages(sessionId)).flatMap((m) => m.parts).find((p) => p.type === 'tool' && p.tool === 'question');
    expect(questionPart?.state).toMatchObject({ status: 'completed', metadata: { answers: [['Blue']] } });
  });

  it('shows a provider outage as retry with attempt and message', async () => {
    const sessionId = await startTurn(scenarios.providerRetry);
    await idleInFollower(sessionId);
    const retry = updates.map((u) => u.state.instances['oc-it']?.sessions[sessionId]?.status).find((s) => s?.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', attempt: 1, message: expect.stringContaining('503'), nextMs: expect.any(Number) });
    expect(statusesOf(sessionId)).toContain('retry');
  });

  it('reports the instance disconnected once its process is killed', async () => {
    await need(oc, 'oc').stop();
    await waitFor(() => live().connection === 'disconnected', { timeoutMs: 20_000, what: 'follower sees the instance gone' });
    expect(live().lastError).toBeTypeOf('string');
    expect(Object.values(live().sessions).every((s) => s.status.type === 'idle')).toBe(true);
  });
});
