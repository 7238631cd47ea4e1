import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Int32, Table, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/src/index.js';
import { compactIfNeeded } from './compaction.js';
import { createStateStore, type StateStore } from './stateStore.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-compact-'));
});

afterEach(async () => {
  await fs.rm(stateDir, { recursive: true, force: true });
});

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`unexpected problem: ${result.problem.code} ${result.problem.message}`);
  return result.value;
}

const ipc = (ids: number[]) => tableToIPC(new Table({ id: vectorFromArray(ids, new Int32()) }), 'stream');
const ids = (parts: Uint8Array[]) => parts.flatMap((p) => [...tableFromIPC(p).getChild('id')!.toArray()]);
const files = (store: StateStore, table: string) => store.manifest()!.tables[table]!.segments.map((s) => s.file);
const onDisk = async (store: StateStore) => (await fs.readdir(path.join(store.dir, 'segments'))).sort();

async function open(): Promise<StateStore> {
  const store = createStateStore(stateDir, 1);
  value(await store.load());
  return store;
}

async function withSegments(table: string, groups: number[][]): Promise<StateStore> {
  const store = await open();
  for (const group of groups) value(await store.appendSegment(table, ipc(group), group.length));
  value(await store.commit({ mark: groups.length }));
  return store;
}

describe('replaceTable', () => {
  it('keeps the old segments until the manifest that drops them is committed', async () => {
    const store = await withSegments('daily_stats', [[1], [2]]);
    value(await store.replaceTable('daily_stats', [{ bytes: ipc([10, 20]), rows: 2 }]));
    expect(await onDisk(store)).toEqual(['daily_stats-000001.arrow', 'daily_stats-000002.arrow', 'daily_stats-000003.arrow']);
    expect(ids(value(await store.readTable('daily_stats')).parts)).toEqual([1, 2]); // still the committed state
    value(await store.commit({ mark: 'replaced' }));
    expect(await onDisk(store)).toEqual(['daily_stats-000003.arrow']);
    const state = value(await (await open()).load()).state!;
    expect(ids(state.tables.get('daily_stats')!)).toEqual([10, 20]);
  });

  it('supersedes earlier staged appends and replacements of the same table', async () => {
    const store = await withSegments('daily_stats', [[1]]);
    value(await store.appendSegment('daily_stats', ipc([2]), 1));
    value(await store.replaceTable('daily_stats', [{ bytes: ipc([3]), rows: 1 }]));
    value(await store.replaceTable('daily_stats', [{ bytes: ipc([4]), rows: 1 }]));
    value(await store.appendSegment('daily_stats', ipc([5]), 1));
    value(await store.commit({}));
    expect(ids(value(await store.readTable('daily_stats')).parts)).toEqual([4, 5]);
    expect(await onDisk(store)).toEqual(['daily_stats-000004.arrow', 'daily_stats-000005.arrow']);
  });
});

describe('compact', () => {
  it('swaps a run of segments for the merged one and deletes the old files after committing', async () => {
    const store = await withSegments('parts', [[1], [2], [3], [4]]);
    const [a, b, c, d] = files(store, 'parts');
    const merged = value(await store.compact('parts', [b!, c!], { bytes: ipc([2, 3]), rows: 2 }));
    expect(files(store, 'parts')).toEqual([a, merged.file, d]);
    expect(await onDisk(store)).toEqual([a, d, merged.file].sort());
    const state = value(await (await open()).load()).state!;
    expect(ids(state.tables.get('parts')!)).toEqual([1, 2, 3, 4]);
    expect(state.watermarks).toEqual({ mark: 4 });
  });

  it('commits neither staged segments nor new watermarks of its own accord', async () => {
    const store = await withSegments('parts', [[1], [2]]);
    value(await store.appendSegment('parts', ipc([3]), 1));
    value(await store.compact('parts', files(store, 'parts'), { bytes: ipc([1, 2]), rows: 2 }));
    const restarted = value(await (await open()).load()).state!;
    expect(ids(restarted.tables.get('parts')!)).toEqual([1, 2]);
    expect(restarted.watermarks).toEqual({ mark: 2 });
    // The staged segment is garbage after that restart; on the original store it commits after the merge.
    const fresh = await withSegments('parts', [[1], [2]]);
    value(await fresh.appendSegment('parts', ipc([3]), 1));
    value(await fresh.compact('parts', files(fresh, 'parts'), { bytes: ipc([1, 2]), rows: 2 }));
    value(await fresh.commit({ mark: 3 }));
    expect(ids(value(await (await open()).load()).state!.tables.get('parts')!)).toEqual([1, 2, 3]);
  });

  it('refuses when the table changed since its segments were read, losing nothing', async () => {
    const store = await withSegments('parts', [[1], [2]]);
    const stale = files(store, 'parts');
    value(await store.replaceTable('parts', [{ bytes: ipc([9]), rows: 1 }]));
    value(await store.commit({}));
    const result = await store.compact('parts', stale, { bytes: ipc([1, 2]), rows: 2 });
    expect(!result.ok && result.problem.code).toBe('source.vanished');
    expect(ids(value(await store.readTable('parts')).parts)).toEqual([9]);
    expect(await onDisk(store)).toEqual(files(store, 'parts'));
  });
});

describe('compactIfNeeded', () => {
  it('merges a table above the policy into one segment', async () => {
    const store = await withSegments('parts', [[1, 2], [3], [], [4, 5, 6]]);
    expect(value(await compactIfNeeded(store, 'parts', { maxSegments: 4 }))).toBeNull();
    const outcome = value(await compactIfNeeded(store, 'parts', { maxSegments: 2 }))!;
    expect(outcome).toMatchObject({ table: 'parts', merged: 4, segment: { rows: 6 } });
    expect(files(store, 'parts')).toEqual([outcome.segment.file]);
    expect(await onDisk(store)).toEqual([outcome.segment.file]);
    expect(ids(value(await (await open()).load()).state!.tables.get('parts')!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('passes a merge problem on without touching the table', async () => {
    const store = await open();
    for (let i = 0; i < 3; i++) value(await store.appendSegment('parts', new Uint8Array([1, 2, 3]), 1));
    value(await store.commit({}));
    const result = await compactIfNeeded(store, 'parts', { maxSegments: 1 });
    expect(!result.ok && result.problem).toMatchObject({ code: 'source.unreadable', source: 'parts' });
    expect(files(store, 'parts')).toHaveLength(3);
  });
});

describe('serialised calls', () => {
  it('never interleaves a background compaction with appends and commits', async () => {
    const store = await withSegments('parts', [[0], [1], [2], [3]]);
    const calls: Promise<unknown>[] = [];
    for (let i = 4; i < 24; i++) {
      calls.push(store.appendSegment('parts', ipc([i]), 1));
      if (i % 3 === 0) calls.push(store.commit({ mark: i }));
      if (i % 5 === 0) calls.push(compactIfNeeded(store, 'parts', { maxSegments: 3 }));
    }
    calls.push(store.commit({ mark: 'end' }));
    await Promise.all(calls);
    value(await compactIfNeeded(store, 'parts', { maxSegments: 1 }));
    const state = value(await (await open()).load()).state!;
    expect(ids(state.tables.get('parts')!)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(state.tables.get('parts')).toHaveLength(1);
    expect(state.watermarks).toEqual({ mark: 'end' });
    expect(await onDisk(store)).toEqual(files(store, 'parts'));
  });
});
