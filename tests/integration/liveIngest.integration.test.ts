/**
 * Live ingest against real OpenCode: the indexer and the storage watcher run while `opencode serve` works through
 * scenarios, and every change reaches the engine's tables through the watcher alone (no manual refresh), as
 * upserts: a tool part that went pending → running → completed is one row, in its final state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexer, watchStorage, type Indexer, type StorageWatcher } from '../../engine/src/ingest/index.js';
import { createMemoryLogger } from '../../engine/src/log.js';
import { createIngestPool, type IngestPool } from '../../engine/src/pipeline/index.js';
import { openOpencodeDb, runScenario, scenarios, startFakeModel, startOpencode, waitFor } from '../harness/index.js';
import type { FakeModel, OpencodeInstance } from '../harness/index.js';

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let pool: IngestPool | undefined;
let indexer: Indexer | undefined;
let watcher: StorageWatcher | undefined;
let stateDir: string;
let changes = 0;
const logger = createMemoryLogger();
/** Every refresh the watcher asked for and what it found: printed when a wait below runs out. */
const refreshes: string[] = [];
/** A wait that, when it runs out, says what the watcher and the indexer did meanwhile. */
async function waitWithTrace<T>(probe: () => T, what: string): Promise<void> {
  try {
    await waitFor(probe, { timeoutMs: 30_000, what });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nrefreshes (last 20):\n${refreshes.slice(-20).join('\n')}\nengine log (last 40):\n${logger.lines.slice(-40).join('\n')}`);
  }
}

const rows = (table: Parameters<Indexer['store']['snapshot']>[0]): Record<string, unknown>[] =>
  (indexer as Indexer).store.snapshot(table).flatMap((bytes) => tableFromIPC(bytes).toArray().map((r) => r.toJSON() as Record<string, unknown>));

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ocm-live-int-'));
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  // One turn before the engine starts, so the backfill has something to read.
  await runScenario(oc, fm, scenarios.todos, { timeoutMs: 60_000 });
  pool = createIngestPool({ threads: 2 });
  indexer = createIndexer({ dataDir: oc.dataDir, stateDir, env: {}, pool, logger });
  await indexer.start();
  indexer.onChange(() => changes++);
  const live = indexer;
  watcher = watchStorage({
    dataDir: oc.dataDir,
    logger,
    onChange: (fullScan) => {
      const asked = Date.now();
      void live.refresh({ fullScan, derive: 'soon' }).then(
        (r) => refreshes.push(`${new Date(asked).toISOString()} +${Date.now() - asked} ms: ${r.changedRows} rows`),
        (e: Error) => refreshes.push(`${new Date(asked).toISOString()}: failed: ${e.message}`),
      );
    },
  });
  await watcher.ready;
});

afterAll(async () => {
  await watcher?.close();
  await indexer?.close();
  await pool?.close();
  await oc?.stop();
  await fm?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('live ingest from a running OpenCode', () => {
  it('picks up a whole new turn through the watcher, tool parts as single upserted rows', async () => {
    const o = oc as OpencodeInstance;
    const before = changes;
    const run = await runScenario(o, fm as FakeModel, scenarios.multiStep, { timeoutMs: 60_000 });
    const db = openOpencodeDb(o.dbPath);
    try {
      const wantTools = db.toolParts(run.sessionId).map((p) => ({ id: p.id, tool: p.tool, status: p.status }));
      const wantParts = db.parts(run.sessionId).length;
      expect(wantTools.length).toBeGreaterThanOrEqual(3);
      // Only the watcher drives refreshes here; wait (bounded) until the tables show the finished turn.
      await waitFor(
        () => {
          const tools = rows('tool_calls').filter((t) => t['session_id'] === run.sessionId);
          const parts = rows('parts').filter((p) => p['session_id'] === run.sessionId);
          return tools.length === wantTools.length && tools.every((t) => t['status'] === 'completed') && parts.length === wantParts ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'the multi-step turn in the engine tables' },
      );
      const tools = rows('tool_calls').filter((t) => t['session_id'] === run.sessionId);
      expect(tools.map((t) => ({ id: t['id'], tool: t['tool'], status: t['status'] })).sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
        [...wantTools].sort((a, b) => a.id.localeCompare(b.id)),
      );
      // Upserts, not appends: each stored part is exactly one row, whatever states it went through.
      const partIds = rows('parts').map((p) => p['id']);
      expect(new Set(partIds).size).toBe(partIds.length);
      expect(changes).toBeGreaterThan(before);
      // Derived tables follow shortly (a debounced pass): the session row carries the turn's usage as OpenCode recorded it.
      const stored = db.session(run.sessionId);
      const session = await waitFor(() => rows('sessions').find((s) => s['id'] === run.sessionId && s['tokens_output'] === BigInt(stored?.tokens_output ?? -1)), {
        timeoutMs: 30_000,
        what: "the session's usage in the derived sessions table",
      });
      expect(session['assistant_messages']).toBe(BigInt(db.messages(run.sessionId).filter((m) => m.data.role === 'assistant').length));
      const todos = rows('todos').filter((t) => t['session_id'] === run.sessionId);
      expect(todos).toHaveLength(db.todos(run.sessionId).length);
    } finally {
      db.close();
    }
  });

  it('keeps a session OpenCode deleted, marked deleted, with its messages (an audit trail survives deletion)', async () => {
    const o = oc as OpencodeInstance;
    const victim = rows('sessions').find((s) => s['parent_id'] === null && s['is_deleted'] === false);
    expect(victim).toBeDefined();
    const id = String(victim?.['id']);
    const messagesBefore = rows('messages').filter((m) => m['session_id'] === id).length;
    expect(messagesBefore).toBeGreaterThan(0);
    const response = await o.fetch(`/session/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const db = openOpencodeDb(o.dbPath);
    try {
      expect(db.session(id)).toBeUndefined();
    } finally {
      db.close();
    }
    refreshes.push(`${new Date().toISOString()}: session ${id} deleted in OpenCode`);
    await waitWithTrace(() => rows('sessions').find((s) => s['id'] === id && s['is_deleted'] === true), 'the deleted session marked');
    expect(rows('messages').filter((m) => m['session_id'] === id)).toHaveLength(messagesBefore);
  });

  it('saves what it ingested live: a warm restart from the state dir has the same tables', async () => {
    const o = oc as OpencodeInstance;
    await (indexer as Indexer).flush();
    const restartPool = createIngestPool({ threads: 1 });
    const again = createIndexer({ dataDir: o.dataDir, stateDir, env: {}, pool: restartPool, logger });
    try {
      expect((await again.start()).mode).toBe('warm');
      for (const table of ['sessions', 'messages', 'parts', 'tool_calls', 'todos'] as const) {
        expect(again.store.rowCount(table), table).toBe((indexer as Indexer).store.rowCount(table));
      }
    } finally {
      await again.close();
      await restartPool.close();
    }
  });
});
