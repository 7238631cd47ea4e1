/**
 * (2) Database-inferred latency: `followDatabase` on a copy of the real instance's opencode.db (its schema and
 * rows as OpenCode wrote them, WAL mode). A busy session is added, then this process plays OpenCode: one
 * transaction at a time, a tool part starts running or completes (with the session and message `time_updated`
 * bumped as OpenCode does), at a random moment relative to the follower's poll timer. Each change is timed from
 * its commit to the first `onChange` whose inference reflects it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { followDatabase } from '../../engine/src/live/inferred/index.js';
import type { InferredLive } from '../../engine/src/live/inferred/index.js';

const SESSION = 'ses_bench_inferred';
const MESSAGE = 'msg_bench_inferred_assistant';
const CHANGE_TIMEOUT_MS = 5_000;

export interface DbLatencyResult {
  /** The follower's poll interval for this run (undefined: its default). */
  readonly intervalMs: number | undefined;
  readonly latenciesMs: number[];
  readonly missed: number;
  /** One forced inference (`poll(true)`) on this database, timed in this process. */
  readonly inferMs: number[];
  readonly sessionsInDb: number;
}

/** Copies `source` (read-only, consistent even while OpenCode writes) to `target` and switches it to WAL. */
export function copyDatabase(source: string, target: string): void {
  const from = new Database(source, { readonly: true, fileMustExist: true });
  try {
    from.prepare('VACUUM INTO ?').run(target);
  } finally {
    from.close();
  }
  const to = new Database(target);
  to.pragma('journal_mode = WAL');
  to.close();
}

interface Writer {
  startTool(callId: string, atMs: number): void;
  completeTool(callId: string, atMs: number): void;
  close(): void;
}

/** Rows written the way OpenCode stores them (opencode.md §4.3): ids in columns, the rest as JSON in `data`. */
function openWriter(dbPath: string): Writer {
  const db = new Database(dbPath);
  const now = Date.now();
  const projectId = (db.prepare('SELECT id FROM project LIMIT 1').get() as { id: string } | undefined)?.id ?? 'prj_bench';
  if (projectId === 'prj_bench') db.prepare("INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES (?, '/', 0, 0, '[]')").run(projectId);
  db.prepare(
    `INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, model, time_created, time_updated, time_archived)
     VALUES (?, ?, NULL, 'bench', '/bench/inferred', 'Inferred latency', '1.18.33', NULL, ?, ?, NULL)`,
  ).run(SESSION, projectId, now, now);
  const message = db.prepare('INSERT OR REPLACE INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)');
  message.run('msg_bench_inferred_user', SESSION, now - 2, now - 2, JSON.stringify({ role: 'user', time: { created: now - 2 }, agent: 'build', model: { providerID: 'fake', modelID: 'fake-model' } }));
  const assistant = { parentID: 'msg_bench_inferred_user', role: 'assistant', mode: 'build', agent: 'build', path: { cwd: '/bench/inferred', root: '/bench/inferred' }, cost: 0, tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } }, modelID: 'fake-model', providerID: 'fake', time: { created: now - 1 } };
  message.run(MESSAGE, SESSION, now - 1, now - 1, JSON.stringify(assistant));
  const part = db.prepare('INSERT OR REPLACE INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)');
  const touch = db.prepare('UPDATE session SET time_updated = ? WHERE id = ?');
  const touchMessage = db.prepare('UPDATE message SET time_updated = ? WHERE id = ?');
  const write = (callId: string, status: 'running' | 'completed', atMs: number, startedMs: number) =>
    db.transaction(() => {
      const input = { command: `sleep 1 # ${callId}`, description: 'Bench' };
      const state = status === 'running' ? { status, input, metadata: {}, time: { start: startedMs } } : { status, input, output: 'ok', title: 'bench', metadata: {}, time: { start: startedMs, end: atMs } };
      part.run(`prt_${callId}`, MESSAGE, SESSION, startedMs, atMs, JSON.stringify({ type: 'tool', tool: 'bash', callID: callId, state }));
      touchMessage.run(atMs, MESSAGE);
      touch.run(atMs, SESSION);
    })();
  const started = new Map<string, number>();
  return {
    startTool: (callId, atMs) => (started.set(callId, atMs), write(callId, 'running', atMs, atMs)),
    completeTool: (callId, atMs) => write(callId, 'completed', atMs, started.get(callId) ?? atMs),
    close: () => db.close(),
  };
}

const toolShown = (live: InferredLive, callId: string): boolean => live.sessions[SESSION]?.tools.some((t) => t.callId === callId) ?? false;

/** Runs `changes` single changes against a fresh copy of `sourceDb` with the follower polling every `intervalMs`. */
export async function measureDbLatency(opts: { sourceDb: string; tmpDir: string; changes: number; intervalMs: number | undefined }): Promise<DbLatencyResult> {
  const dbPath = path.join(opts.tmpDir, `inferred-${opts.intervalMs ?? 'default'}.db`);
  copyDatabase(opts.sourceDb, dbPath);
  const writer = openWriter(dbPath);
  let expectation: { test: (live: InferredLive) => boolean; resolve: (atMs: number) => void } | undefined;
  const follower = followDatabase(dbPath, {
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    onChange: (live) => {
      const atMs = performance.now();
      if (expectation?.test(live)) expectation.resolve(atMs);
    },
  });
  const latenciesMs: number[] = [];
  let missed = 0;
  const period = opts.intervalMs ?? 250;
  try {
    for (let k = 0; k < opts.changes; k++) {
      // A random phase against the poll timer, as real writes have.
      await sleep(20 + Math.random() * period * 1.5);
      const callId = `call_bench_${Math.floor(k / 2)}`;
      const starting = k % 2 === 0;
      const seen = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), CHANGE_TIMEOUT_MS);
        expectation = { test: (live) => toolShown(live, callId) === starting, resolve: (atMs) => (clearTimeout(timer), resolve(atMs)) };
      });
      if (starting) writer.startTool(callId, Date.now());
      else writer.completeTool(callId, Date.now());
      const committedAt = performance.now();
      const shownAt = await seen;
      expectation = undefined;
      if (shownAt === undefined) missed += 1;
      else latenciesMs.push(shownAt - committedAt);
    }
    const inferMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const began = performance.now();
      follower.poll(true);
      inferMs.push(performance.now() - began);
    }
    const counter = new Database(dbPath, { readonly: true });
    const sessionsInDb = (counter.prepare('SELECT count(*) AS n FROM session').get() as { n: number }).n;
    counter.close();
    return { intervalMs: opts.intervalMs, latenciesMs, missed, inferMs, sessionsInDb };
  } finally {
    follower.stop();
    writer.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
