/**
 * The live monitor inside the running engine (`opencode-monitor start`), against real OpenCode:
 * - `GET /api/live` shows a running `opencode serve`; a permission it asks appears scored and is answered with
 *   `POST /api/permissions/:id/reply`, after which OpenCode finishes the turn;
 * - a plain `opencode run` with the plugin installed is followed exactly, through the plugin bridge: busy with
 *   its running bash command, then finished;
 * - a kill chain an agent completes while the engine watches arrives as a `security.critical` notification on
 *   the live WebSocket (the tray's `/ws?live=1`).
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeServerMessage, type LiveInstance, type LiveNotification, type LiveState } from '../../shared/src/index.js';
import { installPlugin } from '../../engine/src/live/index.js';
import { createSandbox, resolveOpencodeBinary, runScenario, scenarioMarker, scenarios, startFakeModel, startOpencode, waitFor } from '../harness/index.js';
import { spawnManaged } from '../harness/managedProcess.js';
import type { FakeModel, OpencodeInstance, Sandbox, Scenario } from '../harness/index.js';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let plain: Sandbox | undefined;
let engine: EngineProcess | undefined;
let work = '';
let token = '';
const extraSandboxes: Sandbox[] = [];

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} not started`);
  return value;
};

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: { success: boolean; data: T; error?: { code: string; message: string } } }> {
  const res = await fetch(new URL(path, need(engine, 'engine').url), {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  return { status: res.status, body: (await res.json()) as never };
}

const live = async () => (await api<{ state: LiveState }>('/api/live')).body.data.state;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocm-engine-live-'));
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  plain = await createSandbox({ fakeModelUrl: fm.url });
  engine = await startEngine(['--data-dir', oc.dataDir, '--state-dir', join(work, 'state')]);
  token = (await readFile(join(engine.configHome, 'opencode-monitor', 'token'), 'utf8')).trim();
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  await oc?.stop();
  await plain?.remove();
  for (const sb of extraSandboxes) await sb.remove();
  await fm?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the engine’s live state, over REST', () => {
  it('shows the running instance, and a permission answered through POST /api/permissions/:id/reply lets OpenCode finish', async () => {
    const o = need(oc, 'oc');
    const id = `http://127.0.0.1:${o.port}`;
    await waitFor(async () => (await live()).instances[id]?.connection === 'connected', { timeoutMs: 30_000, intervalMs: 200, what: 'instance connected in /api/live' });
    const scenario: Scenario = {
      ...scenarios.permissionApproved,
      id: 'engine-permission',
      prompt: `Clean up. ${scenarioMarker('engine-permission')}`,
      sessionPermission: [{ permission: 'bash', pattern: 'rm *', action: 'ask' }],
      script: () => ({ 'engine-permission': [{ toolCalls: [{ name: 'bash', args: { command: 'rm -rf ./build-output' } }] }, { text: 'Cleaned.' }] }),
      drive: async ({ sessionId, timeoutMs }) => {
        const permission = await waitFor(
          async () => Object.values((await live()).instances[id]?.permissions ?? {}).find((p) => p.sessionId === sessionId),
          { timeoutMs, intervalMs: 100, what: 'the permission in /api/live' },
        );
        const replied = await api<unknown>(`/api/permissions/${permission.id}/reply`, { method: 'POST', body: JSON.stringify({ reply: 'once' }) });
        expect(replied.status).toBe(200);
        return permission;
      },
      expect: { notes: 'bash completed after the REST reply', tools: [{ tool: 'bash', status: 'completed' }] },
    };
    const run = await runScenario(o, need(fm, 'fm'), scenario, { timeoutMs: 60_000 });
    const asked = run.driverResult as { risk?: { level: string }; summary: string };
    expect(asked.summary).toContain('rm -rf ./build-output');
    expect(asked.risk).toBeDefined();
    expect(run.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool')?.state?.status).toBe('completed');
    // A reply to something no longer pending is refused as data.
    const stale = await api<unknown>(`/api/permissions/${(run.driverResult as { id: string }).id}/reply`, { method: 'POST', body: JSON.stringify({ reply: 'once' }) });
    expect(stale.status).toBe(404);
    expect(stale.body.success).toBe(false);
  });

  it('follows a plain `opencode run` exactly through the installed plugin', async () => {
    const sb = await createSandbox({
      fakeModelUrl: need(fm, 'fm').url,
      dataHome: need(plain, 'sandbox').dataHome,
      env: { OPENCODE_MONITOR_BRIDGE: join(work, 'state', 'bridge.json') },
    });
    extraSandboxes.push(sb);
    const installed = await installPlugin({ configDir: sb.configDir });
    expect(installed.ok).toBe(true);
    need(fm, 'fm').setScript('engine-plugin', [{ toolCalls: [{ name: 'bash', args: { command: 'sleep 3; echo plugin-followed' } }] }, { text: 'Done.' }]);
    const proc = spawnManaged(resolveOpencodeBinary(), ['run', `Wait. ${scenarioMarker('engine-plugin')}`], { cwd: sb.projectDir, env: sb.env });
    const timer = setTimeout(() => void proc.stop({ signal: 'SIGINT', graceMs: 5_000 }), 90_000);
    const finished = proc.exited.finally(() => clearTimeout(timer));
    const seen = await waitFor(
      async () => {
        const state = await live();
        const inst = Object.values(state.instances).find((i): i is LiveInstance => i.id.startsWith('plugin:'));
        const session = inst && Object.values(inst.sessions).find((s) => Object.values(s.tools).some((t) => t.argument.includes('plugin-followed')));
        return session && inst ? { inst, session } : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: 'the plugin instance with the running bash command' },
    );
    expect(seen.session.status.type).toBe('busy');
    const exit = await finished;
    await proc.stop();
    expect(exit.code, proc.output.text().slice(-2000)).toBe(0);
    await waitFor(
      async () => {
        const session = (await live()).instances[seen.inst.id]?.sessions[seen.session.id];
        return session === undefined || session.status.type === 'idle';
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the plugin session idle (or the plugin instance gone with its process)' },
    );
  });

  it('announces a kill chain the agent just completed as security.critical on the live WebSocket', async () => {
    const url = new URL('/ws?live=1', need(engine, 'engine').url);
    url.protocol = 'ws:';
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const notifications: LiveNotification[] = [];
    let binaryFrames = 0;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return void binaryFrames++;
      const message = decodeServerMessage(data.toString());
      if (message.ok && message.value.type === 'notification') notifications.push(message.value.notification);
    });
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const run = await runScenario(need(oc, 'oc'), need(fm, 'fm'), scenarios.riskySshExfil, { timeoutMs: 60_000 });
      const alert = await waitFor(
        () => notifications.find((n) => n.type === 'security.critical' && n.sessionId === run.sessionId),
        { timeoutMs: 30_000, intervalMs: 100, what: 'security.critical for the exfiltration chain' },
      );
      expect(alert).toMatchObject({ instanceId: 'audit', risk: { level: 'critical' } });
      expect(alert.type === 'security.critical' && alert.summary).toContain('credential harvest');
      // The live-only stream carries no table data.
      expect(binaryFrames).toBe(0);
    } finally {
      socket.close();
    }
  });
});
