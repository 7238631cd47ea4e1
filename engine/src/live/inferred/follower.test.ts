import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import type { Problem } from '../../../../shared/src/index.js';
import { createFixtureDb } from './fixtureDb.fixture.js';
import type { FixtureDb } from './fixtureDb.fixture.js';
import { followDatabase } from './follower.js';
import type { DatabaseFollower } from './follower.js';
import type { InferredDiff, InferredLive } from './inferredTypes.js';

const WAIT = { timeout: 5000, interval: 20 };

let fx: FixtureDb;
let follower: DatabaseFollower | undefined;
let changes: Array<{ live: InferredLive; diff: InferredDiff }>;
let problems: Problem[];
let clock: number;

beforeEach(() => {
  fx = createFixtureDb();
  changes = [];
  problems = [];
  clock = Date.now();
});
afterEach(() => {
  follower?.stop();
  follower = undefined;
  fx.remove();
});

function follow(extra: { processAlive?: (dir: string) => boolean; path?: string } = {}): DatabaseFollower {
  follower = followDatabase(extra.path ?? fx.path, {
    intervalMs: 50,
    now: () => clock,
    onChange: (live, diff) => changes.push({ live, diff }),
    onProblem: (p) => problems.push(p),
    ...(extra.processAlive !== undefined ? { processAlive: extra.processAlive } : {}),
  });
  return follower;
}

function startBusyTurn(): void {
  fx.session({ id: 'ses_1', updated: clock - 2000 });
  fx.userMessage('ses_1', 'msg_1', clock - 2000);
  fx.assistantMessage('ses_1', 'msg_2', { created: clock - 1500 });
  fx.toolPart('ses_1', 'msg_2', 'prt_1', { tool: 'bash', callID: 'call_1', status: 'running', input: { command: 'sleep 3' }, start: clock - 1000, created: clock - 1000 });
}

const activity = (): string | undefined => changes.at(-1)?.live.sessions.ses_1?.activity;

describe('followDatabase', () => {
  it('emits the busy session with its running tool, then idle once the writer finishes the turn', async () => {
    startBusyTurn();
    follow();
    await vi.waitFor(() => expect(activity()).toBe('busy'), WAIT);
    expect(changes[0]?.diff.changed.map((s) => s.id)).toEqual(['ses_1']);
    expect(changes[0]?.live.sessions.ses_1?.tools.map((t) => [t.tool, t.argument])).toEqual([['bash', 'sleep 3']]);

    fx.toolPart('ses_1', 'msg_2', 'prt_1', { tool: 'bash', callID: 'call_1', status: 'completed', input: { command: 'sleep 3' }, created: clock - 1000, updated: clock });
    fx.assistantMessage('ses_1', 'msg_2', { created: clock - 1500, completed: clock, finish: 'stop' });
    await vi.waitFor(() => expect(activity()).toBe('idle'), WAIT);
    expect(changes.at(-1)?.diff).toMatchObject({ changed: [{ id: 'ses_1', activity: 'idle', tools: [] }], removed: [] });
  });

  it('does not emit when nothing changed', async () => {
    startBusyTurn();
    const f = follow();
    await vi.waitFor(() => expect(changes).toHaveLength(1), WAIT);
    for (let i = 0; i < 5; i += 1) f.poll(true);
    expect(changes).toHaveLength(1);
    expect(f.current().sessions.ses_1?.activity).toBe('busy');
  });

  it('re-infers without a write, so a silent turn turns stale and a dead process is noticed', async () => {
    startBusyTurn();
    let alive = true;
    const f = follow({ processAlive: () => alive });
    await vi.waitFor(() => expect(activity()).toBe('busy'), WAIT);
    alive = false;
    clock += 3000; // past the default refresh period, with no database write
    await vi.waitFor(() => expect(changes.at(-1)?.live.sessions.ses_1).toMatchObject({ activity: 'stale', staleReason: 'process-gone' }), WAIT);
    alive = true;
    clock += 11 * 60 * 1000;
    f.poll();
    expect(changes.at(-1)?.live.sessions.ses_1).toMatchObject({ activity: 'stale', staleReason: 'no-activity', tools: [] });
  });

  it('reports a session that disappears from the window as removed', async () => {
    startBusyTurn();
    const f = follow();
    await vi.waitFor(() => expect(changes).toHaveLength(1), WAIT);
    clock += 25 * 60 * 60 * 1000;
    f.poll(true);
    expect(changes.at(-1)?.diff).toEqual({ changed: [], removed: ['ses_1'] });
  });

  it('waits for a database that does not exist yet, reporting source.vanished once', async () => {
    const later = `${fx.dir}/later.db`;
    const f = follow({ path: later });
    await vi.waitFor(() => expect(problems.map((p) => p.code)).toEqual(['source.vanished']), WAIT);
    f.poll();
    f.poll();
    expect(problems).toHaveLength(1);
    expect(changes).toHaveLength(0);
    // The schema-only copy appears first; the follower opens it, then sees the turn written into it.
    fx.writer.exec(`VACUUM INTO '${later}'`);
    startBusyTurnIn(later);
    await vi.waitFor(() => expect(activity()).toBe('busy'), WAIT);
  });

  it('stops: no more callbacks after stop()', async () => {
    startBusyTurn();
    const f = follow();
    await vi.waitFor(() => expect(changes).toHaveLength(1), WAIT);
    f.stop();
    fx.assistantMessage('ses_1', 'msg_2', { created: clock - 1500, completed: clock, finish: 'stop' });
    f.poll(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toHaveLength(1);
  });
});

/** Writes a busy turn into another database file with the same schema (a plain connection, as OpenCode). */
function startBusyTurnIn(path: string): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.prepare("INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES ('prj_later', '/', 0, 0, '[]')").run();
    db.prepare(
      "INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES ('ses_1', 'prj_later', 's', '/w', 't', '1', ?, ?)",
    ).run(clock, clock);
    db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(
      'msg_1', 'ses_1', clock, clock, JSON.stringify({ role: 'assistant', time: { created: clock } }),
    );
  } finally {
    db.close();
  }
}
