/**
 * Discovery against real OpenCode: two open `opencode serve` instances and one protected by
 * OPENCODE_SERVER_PASSWORD are found by the real Linux /proc scan with their ports, modes and working
 * directories; the password one is opened with the credentials from its own environment. Without the
 * environment a wrong config password leaves it "locked". Stopping an instance removes it from the poller
 * within two polling intervals.
 */
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscoveryPoller, discoverInstances } from '../../engine/src/live/discovery/index.js';
import type { DiscoveredInstance, DiscoveryChange, DiscoveryPoller, DiscoveryRound } from '../../engine/src/live/discovery/index.js';
import { startFakeModel, startOpencode, waitFor } from '../harness/index.js';
import type { FakeModel, OpencodeInstance } from '../harness/index.js';

const PASSWORD = 'discovery-int-secret';
const INTERVAL_MS = 2_000;

let fm: FakeModel | undefined;
let first: OpencodeInstance | undefined;
let second: OpencodeInstance | undefined;
let guarded: OpencodeInstance | undefined;
let poller: DiscoveryPoller | undefined;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start`);
  return value;
}

const byPid = (round: DiscoveryRound, pid: number): DiscoveredInstance | undefined => round.instances.find((i) => i.pid === pid);

beforeAll(async () => {
  fm = await startFakeModel();
  const fakeModelUrl = fm.url;
  [first, second, guarded] = await Promise.all([
    startOpencode({ fakeModelUrl }),
    startOpencode({ fakeModelUrl }),
    startOpencode({ fakeModelUrl, password: PASSWORD }),
  ]);
});

afterAll(async () => {
  await poller?.stop();
  // Only the processes this file started, through the handles the harness gave us.
  await Promise.all([first?.stop(), second?.stop(), guarded?.stop()]);
  await fm?.close();
});

describe('discovery against real OpenCode', () => {
  it('finds two open instances and a password-protected one through /proc, with ports, modes and cwds', async () => {
    const round = await discoverInstances({ platform: 'linux' });
    for (const oc of [need(first, 'first'), need(second, 'second'), need(guarded, 'guarded')]) {
      const found = byPid(round, oc.pid);
      expect(found, `pid ${oc.pid} discovered`).toBeDefined();
      expect(found).toMatchObject({
        id: `http://127.0.0.1:${oc.port}`,
        url: `http://127.0.0.1:${oc.port}`,
        port: oc.port,
        mode: 'serve',
        cwd: realpathSync(oc.projectDir),
        source: 'process',
        auth: oc.password === undefined ? 'none' : 'basic',
      });
      expect(found?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(round.processes.find((p) => p.pid === oc.pid)?.ports).toContain(oc.port);
    }
    const guardedId = `http://127.0.0.1:${need(guarded, 'guarded').port}`;
    expect(round.credentials.get(guardedId)?.authorization()).toBe(`Basic ${Buffer.from(`opencode:${PASSWORD}`).toString('base64')}`);
    // The only way to the password is the credentials map; nothing serialisable carries it.
    expect(JSON.stringify(round)).not.toContain(PASSWORD);
  });

  it('shows a protected instance as locked when its environment is not read and the config password is wrong', async () => {
    const oc = need(guarded, 'guarded');
    const configured = [{ url: oc.url, password: 'not-the-password' }];
    const viaProcess = await discoverInstances({ platform: 'linux', readEnvironment: false, configured });
    expect(byPid(viaProcess, oc.pid)).toMatchObject({ auth: 'locked', source: 'process', mode: 'serve' });
    expect(viaProcess.credentials.has(`http://127.0.0.1:${oc.port}`)).toBe(false);

    // Listed only by URL in the config (no process scan): wrong password → locked, right password → basic.
    const noProcesses = async () => ({ processes: [], skipped: { vanished: 0, unreadable: 0 }, problems: [] });
    const wrong = await discoverInstances({ scan: noProcesses, configured });
    expect(wrong.instances).toEqual([expect.objectContaining({ url: `http://127.0.0.1:${oc.port}`, auth: 'locked', source: 'config' })]);
    const right = await discoverInstances({ scan: noProcesses, configured: [{ url: oc.url, password: PASSWORD }] });
    expect(right.instances).toEqual([expect.objectContaining({ auth: 'basic', source: 'config' })]);
  });

  it('polls: all three appear, and a stopped instance is removed within two intervals', async () => {
    const changes: DiscoveryChange[] = [];
    poller = createDiscoveryPoller({ intervalMs: INTERVAL_MS, platform: 'linux', onChange: (c) => changes.push(c) });
    poller.start();
    const pids = [need(first, 'first').pid, need(second, 'second').pid, need(guarded, 'guarded').pid];
    const live = need(poller, 'poller');
    await waitFor(() => pids.every((pid) => live.instances().some((i) => i.pid === pid)), { timeoutMs: 2 * INTERVAL_MS, what: 'three instances polled' });
    expect(live.credentialsFor(`http://127.0.0.1:${need(guarded, 'guarded').port}`)).toBeDefined();

    const gone = need(second, 'second');
    await gone.stop();
    await waitFor(() => changes.some((c) => c.removed.some((i) => i.pid === gone.pid)), {
      timeoutMs: 2 * INTERVAL_MS,
      intervalMs: 50,
      what: `instance pid ${gone.pid} removed`,
    });
    expect(live.instances().map((i) => i.pid)).not.toContain(gone.pid);
    expect(live.instances().map((i) => i.pid)).toEqual(expect.arrayContaining([need(first, 'first').pid, need(guarded, 'guarded').pid]));
    expect(JSON.stringify(changes)).not.toContain(PASSWORD);
  });
});
