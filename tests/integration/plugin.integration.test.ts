/**
 * The plugin bridge inside real OpenCode: a plain `opencode run` (no port) with our plugin installed in its
 * global plugin folder posts its bus events to a loopback receiver built on the engine's `parseBridgePayload`
 * and `isBridgeAuthorized`. The receiver sees the session go busy → idle and the bash tool run and complete
 * with its command. With a wrong token every post gets 401 and the run still completes normally.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BRIDGE_EVENTS_PATH,
  MAX_BRIDGE_BODY_BYTES,
  createBridgeToken,
  installPlugin,
  isBridgeAuthorized,
  parseBridgePayload,
  writeBridgeFile,
} from '../../engine/src/live/plugin/index.js';
import type { BridgeBatch, BridgeEvent } from '../../engine/src/live/plugin/index.js';
import { createSandbox, resolveOpencodeBinary, scenarioMarker, startFakeModel } from '../harness/index.js';
import type { FakeModel, Sandbox } from '../harness/index.js';
import { removeAtExit, spawnManaged } from '../harness/managedProcess.js';

const RUN_TIMEOUT_MS = 90_000;

interface Receiver {
  readonly port: number;
  readonly batches: BridgeBatch[];
  unauthorized: number;
  badBodies: number;
  close(): Promise<void>;
}

/** What the engine's route will do, in miniature: cap the body, check the bearer token, validate, keep. */
async function startReceiver(token: string): Promise<Receiver> {
  const receiver: Omit<Receiver, 'port' | 'close'> = { batches: [], unauthorized: 0, badBodies: 0 };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.url !== BRIDGE_EVENTS_PATH) {
      res.writeHead(404).end();
      return;
    }
    if (!isBridgeAuthorized(req.headers.authorization, token)) {
      receiver.unauthorized++;
      res.writeHead(401).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BRIDGE_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const parsed = size <= MAX_BRIDGE_BODY_BYTES ? parseBridgePayload(Buffer.concat(chunks).toString('utf8')) : undefined;
      if (!parsed?.ok) {
        receiver.badBodies++;
        res.writeHead(400).end();
        return;
      }
      receiver.batches.push(parsed.value);
      res.writeHead(204).end();
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

interface PluginRun {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  sandbox: Sandbox;
}

/** A plain `opencode run` in a fresh sandbox with the plugin installed and a bridge file at the default path. */
async function runWithPlugin(model: FakeModel, bridge: { port: number; token: string }, scenario: string): Promise<PluginRun> {
  const sandbox = await createSandbox({ fakeModelUrl: model.url });
  const installed = await installPlugin({ configDir: sandbox.configDir });
  expect(installed.ok && installed.value.action).toBe('installed');
  const stateDir = join(sandbox.env.XDG_STATE_HOME ?? '', 'opencode-monitor');
  expect((await writeBridgeFile(stateDir, bridge)).ok).toBe(true);

  const net = removeAtExit(sandbox.home);
  const proc = spawnManaged(resolveOpencodeBinary(), ['run', `Run the command. ${scenarioMarker(scenario)}`], { cwd: sandbox.projectDir, env: sandbox.env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop({ signal: 'SIGINT', graceMs: 5_000 });
  }, RUN_TIMEOUT_MS);
  const info = await proc.exited;
  clearTimeout(timer);
  await proc.stop();
  net.forget();
  return { exitCode: info.code, timedOut, output: proc.output.text(), sandbox };
}

const events = (r: Receiver): BridgeEvent[] => r.batches.flatMap((b) => b.events);
const statusOf = (e: BridgeEvent): string | undefined =>
  e.type === 'session.idle' ? 'idle' : e.type === 'session.status' ? String((e.properties.status as { type?: unknown } | undefined)?.type) : undefined;

let model: FakeModel | undefined;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  model = await startFakeModel();
});

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.remove()));
  await model?.close();
});

describe('plugin bridge in a plain `opencode run`', () => {
  it('forwards busy → idle and the bash tool running → completed with its command', async () => {
    const fm = model;
    if (!fm) throw new Error('fake model did not start');
    fm.setScript('plugin-bridge', [{ toolCalls: [{ name: 'bash', args: { command: 'echo bridged-by-plugin' } }] }, { text: 'Bridge turn done.' }]);
    const token = createBridgeToken();
    const receiver = await startReceiver(token);
    try {
      const run = await runWithPlugin(fm, { port: receiver.port, token }, 'plugin-bridge');
      sandboxes.push(run.sandbox);
      expect(run.timedOut).toBe(false);
      expect(run.exitCode, run.output.slice(-2000)).toBe(0);

      expect(receiver.unauthorized).toBe(0);
      expect(receiver.badBodies).toBe(0);
      expect(receiver.batches.length).toBeGreaterThan(0);
      for (const batch of receiver.batches) {
        expect(batch.directory).toBe(run.sandbox.projectDir);
        expect(batch.droppedByPlugin).toBe(0);
        expect(batch.rejected).toEqual({ unknownType: 0, malformed: 0, overCap: 0 });
      }
      const all = events(receiver);
      // Only the monitored kinds cross the bridge: no text deltas, no text parts.
      expect(all.some((e) => e.type === 'message.part.updated' && (e.properties.part as { type?: unknown }).type !== 'tool')).toBe(false);

      const statuses = all.map(statusOf).filter((s) => s !== undefined);
      const firstBusy = statuses.indexOf('busy');
      expect(firstBusy, `statuses: ${statuses.join(',')}`).toBeGreaterThanOrEqual(0);
      expect(statuses.slice(firstBusy + 1)).toContain('idle');
      expect(statuses.at(-1)).toBe('idle');

      const bash = all
        .filter((e) => e.type === 'message.part.updated')
        .map((e) => e.properties.part as { tool?: string; state?: { status?: string; input?: { command?: string } } })
        .filter((p) => p.tool === 'bash');
      const bashStatuses = bash.map((p) => p.state?.status);
      expect(bashStatuses).toContain('running');
      expect(bashStatuses).toContain('completed');
      expect(bashStatuses.indexOf('running')).toBeLessThan(bashStatuses.lastIndexOf('completed'));
      expect(bash.find((p) => p.state?.status === 'running')?.state?.input?.command).toBe('echo bridged-by-plugin');

      const sessionIds = new Set(all.map((e) => e.properties.sessionID).filter((id) => typeof id === 'string'));
      expect(sessionIds.size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('gets 401 for a wrong token and OpenCode finishes its turn regardless', async () => {
    const fm = model;
    if (!fm) throw new Error('fake model did not start');
    fm.setScript('plugin-bridge-401', [{ toolCalls: [{ name: 'bash', args: { command: 'echo still-works' } }] }, { text: 'Done despite the bridge.' }]);
    const receiver = await startReceiver(createBridgeToken());
    try {
      const run = await runWithPlugin(fm, { port: receiver.port, token: createBridgeToken() }, 'plugin-bridge-401');
      sandboxes.push(run.sandbox);
      expect(run.timedOut).toBe(false);
      expect(run.exitCode, run.output.slice(-2000)).toBe(0);
      expect(run.output).toContain('Done despite the bridge.');
      expect(receiver.unauthorized).toBeGreaterThan(0);
      expect(receiver.batches).toHaveLength(0);
      expect(fm.requestsFor('plugin-bridge-401').length).toBeGreaterThanOrEqual(2);
    } finally {
      await receiver.close();
    }
  });
});
