/**
 * (d) live latency inside the engine: the same indexer and storage watcher `start` runs (warm-started from the
 * state dir of (b)), in this process, while single OpenCode-style changes are committed to the corpus database.
 * A change counts as in the engine's tables when the store's parts table holds its row (the body tables are
 * upserted at once); the derived tables (sessions, exchanges, stats) follow in a debounced pass, timed separately.
 * The dashboard sees neither until the engine pushes deltas (the WebSocket issue): that is the other (d) row.
 */
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { createIndexer, watchStorage } from '../../engine/src/ingest/index.js';
import { silentLogger } from '../../engine/src/log.js';
import { createIngestPool } from '../../engine/src/pipeline/index.js';
import { createLiveWriter } from './liveWriter.js';

export interface LiveEngineResult {
  readonly attempted: number;
  /** Commit → the part row in the engine's parts table, per change shown. */
  readonly bodyMs: number[];
  /** Commit → the next rebuild of the derived tables after it. */
  readonly derivedMs: number[];
  readonly missed: number;
}

export async function measureLiveEngine(options: { dataDir: string; stateDir: string; changes: number; changeTimeoutMs: number; pauseMs?: number }): Promise<LiveEngineResult> {
  const pool = createIngestPool();
  const indexer = createIndexer({ dataDir: options.dataDir, stateDir: options.stateDir, env: {}, pool, logger: silentLogger });
  await indexer.start();
  // Settle whatever the warm start found before timing anything.
  await indexer.refresh();
  const watcher = watchStorage({ dataDir: options.dataDir, logger: silentLogger, onChange: (fullScan) => void indexer.refresh({ fullScan, derive: 'soon' }), fullScanMs: 0 });
  await watcher.ready;
  const writer = createLiveWriter(path.join(options.dataDir, 'opencode.db'));
  const result = { attempted: 0, bodyMs: [] as number[], derivedMs: [] as number[], missed: 0 };
  let pending: { partId: string; committedAt: number; body?: number; derived?: number } | undefined;
  // The newest parts chunk holds an upserted row: looking there is enough, and cheap (a whole snapshot would read
  // every saved parts segment from disk, hundreds of MB, inside the change listener).
  const newestPartIds = (): string[] => {
    const last = indexer.store.newestChunk('parts');
    return last ? (tableFromIPC(last).getChild('id')?.toArray() as string[]) : [];
  };
  const unsubscribe = indexer.onChange((tables) => {
    if (!pending) return;
    const now = performance.now();
    if (tables.includes('parts') && pending.body === undefined && newestPartIds().includes(pending.partId)) pending.body = now - pending.committedAt;
    if (tables.includes('sessions') && pending.body !== undefined && pending.derived === undefined) pending.derived = now - pending.committedAt;
  });
  try {
    for (let i = 0; i < options.changes; i++) {
      result.attempted++;
      const change = writer.write(i);
      pending = { ...change };
      const deadline = performance.now() + options.changeTimeoutMs;
      while ((pending.body === undefined || pending.derived === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (pending.body === undefined) result.missed++;
      else result.bodyMs.push(pending.body);
      if (pending.derived !== undefined) result.derivedMs.push(pending.derived);
      pending = undefined;
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 250));
    }
  } finally {
    unsubscribe();
    writer.cleanup();
    writer.close();
    await watcher.close();
    await indexer.close();
    await pool.close();
  }
  return result;
}
