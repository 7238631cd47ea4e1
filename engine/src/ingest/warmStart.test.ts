/**
 * A warm start on the demo history: body tables and the big recomputed ones stay in their saved segments until
 * read, the answer is the cold one, and a segment damaged in the middle (length and framing intact) is found by the background check,
 * after which the next start rebuilds.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHistory, removeDemoHistory, type DemoHistory } from '../../../tests/support/demoHistory.js';
import { addPartWithEvent, addSessionWithTodo } from '../../../tests/support/opencodeWrites.js';
import { SCHEMA_VERSION } from '../../../shared/src/index.js';
import { createMemoryLogger } from '../log.js';
import type { IngestPool } from '../pipeline/index.js';
import { extrasFromIpc, INGEST_EXTRAS_SEGMENT } from './extrasSegment.js';
import { createIndexer, indexDirFor } from './indexer.js';
import { rowsOf, type PersistedExtras } from './restore.js';

let history: DemoHistory;
let root: string;
let dataDir: string;
let pool: IngestPool;

beforeAll(async () => {
  history = await demoHistory('ocm-warm-');
  ({ root, dataDir, pool } = history);
});

afterAll(() => removeDemoHistory(history));

async function indexOnce(stateDir: string) {
  const logger = createMemoryLogger();
  const indexer = createIndexer({ dataDir, stateDir, env: {}, pool, logger });
  const start = await indexer.start();
  await indexer.refresh();
  const summary = indexer.summary(0);
  const parts = indexer.store.rowCount('parts');
  const tables = Object.fromEntries((['exchanges', 'security_events', 'session_stats', 'delegations'] as const).map((name) => [name, rowsOf(indexer.store.snapshot(name))]));
  return { indexer, logger, start, summary: { ...summary, elapsedMs: 0 }, parts, tables };
}

describe('warm start from saved segments', () => {
  it('answers as the cold index did, and rebuilds after a damaged body segment is found', async () => {
    const stateDir = path.join(root, 'state');
    const cold = await indexOnce(stateDir);
    await cold.indexer.close();
    expect(cold.start.mode).toBe('cold');

    // The cold index kept what the first refresh compares, so a warm start need not read the small tables again.
    const manifestFile = path.join(indexDirFor(stateDir, dataDir), `v${SCHEMA_VERSION}`, 'manifest.json');
    const saved = async () => (JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { watermarks: PersistedExtras }).watermarks;
    const coldSaved = await saved();
    expect(Object.keys(coldSaved.smallTables ?? {})).toEqual(coldSaved.sources.filter((s) => s.kind === 'sqlite').map((s) => s.path));
    // The bookkeeping a change needs (session aggregates, delegation records, session → database) is a segment of
    // its own, not part of the manifest every start parses.
    expect([coldSaved.sessionAggregates, coldSaved.delegations, coldSaved.sessionDb]).toEqual([undefined, undefined, undefined]);
    const extras = JSON.parse(await fs.readFile(manifestFile, 'utf8')).tables[INGEST_EXTRAS_SEGMENT];
    expect(extras.segments).toHaveLength(1);
    // A start alone answers from the saved digest of sessions and todos, as the cold index counted them.
    expect(coldSaved.smallTablesDigest?.sessions.sessions).toBe(cold.summary.sessions.root + cold.summary.sessions.child);
    const startOnly = createIndexer({ dataDir, stateDir, env: {}, pool, logger: createMemoryLogger() });
    expect((await startOnly.start()).mode).toBe('warm');
    expect({ ...startOnly.summary(0), elapsedMs: 0 }).toEqual(cold.summary);
    await startOnly.close();
    const warm = await indexOnce(stateDir);
    expect(warm.start.mode).toBe('warm');
    expect(warm.summary).toEqual(cold.summary);
    expect(warm.parts).toBe(cold.parts);
    // The recomputed tables a warm start leaves on disk until read hold what the cold index computed.
    for (const name of ['exchanges', 'security_events', 'session_stats', 'delegations'] as const) {
      expect(rowsOf(warm.indexer.store.snapshot(name)), name).toEqual(cold.tables[name]);
    }
    await warm.indexer.close();
    // The security tables were computed for the same sessions in the same places, whatever order they came in.
    expect((await saved()).security).toEqual(coldSaved.security);

    // A state saved before the bookkeeping had its segment (it was in the manifest) still starts warm and answers alike.
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { tables: Record<string, { segments: { file: string }[] }>; watermarks: Record<string, unknown> };
    const segmentFile = path.join(indexDirFor(stateDir, dataDir), `v${SCHEMA_VERSION}`, 'segments', manifest.tables[INGEST_EXTRAS_SEGMENT]!.segments[0]!.file);
    Object.assign(manifest.watermarks, extrasFromIpc([await fs.readFile(segmentFile)]));
    delete manifest.tables[INGEST_EXTRAS_SEGMENT];
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
    const older = await indexOnce(stateDir);
    expect(older.start.mode).toBe('warm');
    expect(older.summary).toEqual(cold.summary);
    for (const name of ['exchanges', 'security_events', 'session_stats', 'delegations'] as const) {
      expect(rowsOf(older.indexer.store.snapshot(name)), name).toEqual(cold.tables[name]);
    }
    await older.indexer.close();
    expect((await saved()).sessionDb).toBeUndefined(); // moved to the segment by the next save

    // One byte flipped in the middle of the largest parts segment: only its checksum tells.
    const segments = path.join(indexDirFor(stateDir, dataDir), `v${SCHEMA_VERSION}`, 'segments');
    const files = (await fs.readdir(segments)).filter((f) => f.startsWith('parts-'));
    const sizes = await Promise.all(files.map(async (f) => (await fs.stat(path.join(segments, f))).size));
    const file = path.join(segments, files[sizes.indexOf(Math.max(...sizes))]!);
    const data = await fs.readFile(file);
    data[data.length >> 1] = data[data.length >> 1]! ^ 0xff;
    await fs.writeFile(file, data);

    const damaged = await indexOnce(stateDir);
    expect(damaged.start.mode).toBe('warm');
    for (let i = 0; i < 100 && !damaged.logger.lines.some((l) => l.includes('damaged')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(damaged.logger.lines.join('\n')).toMatch(/saved index is damaged.*checksum/);
    await damaged.indexer.close();

    const rebuilt = await indexOnce(stateDir);
    expect(rebuilt.start.mode).toBe('cold');
    expect(rebuilt.summary).toEqual(cold.summary);
    await rebuilt.indexer.close();
  });
});

describe('a state dir that cannot be written', () => {
  it('still indexes everything in memory and says once that the state was not saved', async () => {
    const reference = await indexOnce(path.join(root, 'state-reference'));
    await reference.indexer.close();
    // A file where the state dir's parent should be: no directory can be made under it (even as root).
    const blocked = path.join(root, 'blocked');
    await fs.writeFile(blocked, 'not a directory');
    const unwritable = await indexOnce(path.join(blocked, 'state'));
    await unwritable.indexer.close();
    expect(unwritable.start.mode).toBe('cold');
    expect(unwritable.summary).toEqual(reference.summary);
    expect(unwritable.parts).toBe(reference.parts);
    expect(unwritable.tables).toEqual(reference.tables);
    expect(unwritable.logger.lines.filter((l) => l.includes('state not saved'))).toHaveLength(1);
  });
});

/** A copy of the demo history, cold-indexed into a state dir of its own: what a test may change. */
async function coldIndexedCopy(stateName: string) {
  const data = await fs.mkdtemp(path.join(root, 'data-'));
  await fs.cp(dataDir, data, { recursive: true });
  const stateDir = path.join(root, stateName);
  const open = () => createIndexer({ dataDir: data, stateDir, env: {}, pool, logger: createMemoryLogger() });
  const cold = open();
  await cold.start();
  await cold.close();
  const dbPath = rowsOf<{ kind: string; path: string }>(cold.store.snapshot('sources')).find((s) => s.kind === 'sqlite')!.path;
  return { data, stateDir, open, dbPath };
}

/**
 * A warm start, `change` (if any) while it runs, a refresh, and a cold in-memory index of the same data: their
 * summaries must be equal. The caller closes both.
 */
async function warmAgainstCold(open: () => ReturnType<typeof createIndexer>, data: string, change?: () => void) {
  const again = open();
  expect((await again.start()).mode).toBe('warm');
  change?.();
  await again.refresh();
  const reference = createIndexer({ dataDir: data, stateDir: null, env: {}, pool, logger: createMemoryLogger() });
  await reference.start();
  expect({ ...again.summary(0), elapsedMs: 0 }).toEqual({ ...reference.summary(0), elapsedMs: 0 });
  return { again, reference };
}

describe('a save after a live change', () => {
  it('keeps the segments whose rows did not change, and the next start answers as a cold index of the same data', async () => {
    const { data, stateDir, open, dbPath } = await coldIndexedCopy('state-live-save');
    const segmentsDir = path.join(indexDirFor(stateDir, data), `v${SCHEMA_VERSION}`, 'segments');
    const filesNow = async () => new Set(await fs.readdir(segmentsDir));

    // Two live changes, each saved: the first save after a warm start and a later one.
    const warm = open();
    expect((await warm.start()).mode).toBe('warm');
    const written: number[] = [];
    for (const n of [1, 2]) {
      const before = await filesNow();
      addPartWithEvent(dbPath, `prt_zzzzlivesave${String(n).padStart(12, '0')}`);
      await warm.refresh();
      await warm.flush();
      const after = await filesNow();
      written.push([...after].filter((f) => !before.has(f)).length);
      // Nothing the manifest names is gone.
      const manifest = JSON.parse(await fs.readFile(path.join(segmentsDir, '..', 'manifest.json'), 'utf8')) as { tables: Record<string, { segments: { file: string }[] }> };
      for (const table of Object.values(manifest.tables)) for (const s of table.segments) expect(after.has(s.file), s.file).toBe(true);
      if (n === 2) expect(written[1], `${written[1]} of ${after.size} segments written`).toBeLessThan(after.size / 4);
    }
    await warm.close();

    // What was saved is what a cold index of the changed history computes.
    const { again, reference } = await warmAgainstCold(open, data);
    for (const name of ['sessions', 'exchanges', 'session_stats', 'security_events', 'parts'] as const) {
      const sorted = (rows: { id?: unknown }[]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(sorted(rowsOf(again.store.snapshot(name))), name).toEqual(sorted(rowsOf(reference.store.snapshot(name))));
    }
    await Promise.all([again.close(), reference.close()]);
  });
});

describe('a live change to the small tables', () => {
  it('counts a new session and its todo in the summary as a cold index of the same data does', async () => {
    const { data, open, dbPath } = await coldIndexedCopy('state-new-session');

    const live = await warmAgainstCold(open, data, () => addSessionWithTodo(dbPath, 'ses_zzzznewsession0000000001'));
    await Promise.all([live.again.close(), live.reference.close()]);

    // Saved with the state: the next start's refresh counts from there, still as a cold index would.
    addSessionWithTodo(dbPath, 'ses_zzzznewsession0000000002');
    const next = await warmAgainstCold(open, data);
    await Promise.all([next.again.close(), next.reference.close()]);
  });
});
