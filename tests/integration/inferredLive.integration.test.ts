/**
 * Database-inferred live state against a real plain `opencode run` (no server, no port): while the fake
 * model's turn runs a slow bash command, `followDatabase` on the run's `opencode.db` reports the session busy
 * with the running bash tool and its command; after the run, idle. Liveness comes from the run itself: the
 * predicate is true exactly while the process this test started is running.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followDatabase, toLiveSession } from '../../engine/src/live/inferred/index.js';
import type { DatabaseFollower, InferredLive, InferredSession } from '../../engine/src/live/inferred/index.js';
import type { Problem } from '../../shared/src/index.js';
import { createSandbox, runOpencode, scenarioMarker, startFakeModel, waitFor } from '../harness/index.js';
import type { FakeModel, RunOpencodeResult, Sandbox } from '../harness/index.js';

const SLOW_COMMAND = 'sleep 3; echo inferred-done';

let fm: FakeModel | undefined;
let sandbox: Sandbox | undefined;
let follower: DatabaseFollower | undefined;
let run: RunOpencodeResult | undefined;
let running = false;
const snapshots: InferredLive[] = [];
const problems: Problem[] = [];

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`${what} not started`);
  return v;
};
const sessionsSeen = (): InferredSession[] => snapshots.flatMap((s) => Object.values(s.sessions));

beforeAll(async () => {
  fm = await startFakeModel();
  fm.setScript('inferred-live', [
    { toolCalls: [{ name: 'bash', args: { command: SLOW_COMMAND, description: 'Wait a little' } }] },
    { text: 'Waited.' },
  ]);
  // Our own sandbox only provides the data home and project, so the DB path is known before the run starts.
  sandbox = await createSandbox({ fakeModelUrl: fm.url });
}, 60_000);

afterAll(async () => {
  follower?.stop();
  await run?.dispose();
  await sandbox?.remove();
  await fm?.close();
});

describe('database-inferred live state of a plain `opencode run`', () => {
  it('is busy with the running bash command during the turn, and idle after the run', async () => {
    const sb = need(sandbox, 'sandbox');
    const dbPath = join(sb.dataHome, 'opencode', 'opencode.db');
    follower = followDatabase(dbPath, {
      intervalMs: 250,
      processAlive: () => running,
      onChange: (live) => snapshots.push(live),
      onProblem: (p) => problems.push(p),
    });

    running = true;
    const finished = runOpencode({
      fakeModelUrl: need(fm, 'fm').url,
      prompt: `Wait a little ${scenarioMarker('inferred-live')}`,
      dataHome: sb.dataHome,
      projectDir: sb.projectDir,
      timeoutMs: 90_000,
    }).finally(() => {
      running = false;
    });

    const busy = await waitFor(
      () => sessionsSeen().find((s) => s.activity === 'busy' && s.tools.some((t) => t.tool === 'bash' && t.status === 'running')),
      { timeoutMs: 90_000, intervalMs: 50, what: 'a busy session with a running bash tool' },
    );
    expect(busy.tools).toEqual([expect.objectContaining({ tool: 'bash', status: 'running', argument: SLOW_COMMAND })]);
    expect(busy.tools[0]?.startedMs).toBeGreaterThan(0);
    expect(busy).toMatchObject({ evidence: 'tool-running', agent: 'build' });
    expect(toLiveSession(busy)).toMatchObject({ status: { type: 'busy' }, tools: { [busy.tools[0]?.callId ?? '']: { tool: 'bash', argument: SLOW_COMMAND } } });

    run = await finished;
    expect(run.timedOut).toBe(false);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);

    // After the process exits the turn must read idle (not stale: it finished, it did not die mid-turn).
    follower.poll(true);
    const after = await waitFor(() => follower?.current().sessions[busy.id]?.activity === 'idle' && follower.current().sessions[busy.id], {
      timeoutMs: 10_000,
      what: 'the session idle after the run',
    });
    expect(after).toMatchObject({ activity: 'idle', tools: [] });
    expect(after.lastError).toBeUndefined();

    // The follower saw the busy → idle transition and never called the finished turn stale.
    const activities = snapshots.map((s) => s.sessions[busy.id]?.activity).filter((a) => a !== undefined);
    expect(activities.indexOf('busy')).toBeLessThan(activities.lastIndexOf('idle'));
    expect(activities).not.toContain('stale');
    // The DB did not exist before the run: waiting for it is reported as data, never thrown.
    expect(problems.every((p) => p.code === 'source.vanished' || p.code === 'source.unreadable' || p.code === 'source.busy')).toBe(true);
  });
});
