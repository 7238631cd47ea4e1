import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildIpc } from '../arrow/index.js';
import { DAILY_STATS_TABLE, PARTS_TABLE, type RowOf } from '../../../shared/src/index.js';
import { createTableStore, type StoreChange } from './tableStore.js';

function part(id: string, rowid: number, status: string): RowOf<'parts'> {
  return {
    id, message_id: 'm', session_id: 's', type: 'tool', is_known_type: true, tool: 'bash', status,
    created_at: 1, started_at: null, ended_at: null, preview: null, bytes: 10, source: 'sqlite', source_rowid: rowid,
  };
}

const statuses = (chunks: Uint8Array[]) =>
  chunks.flatMap((c) => [...tableFromIPC(c)].map((r) => `${r.id as string}:${r.status as string}`)).sort();

describe('table store', () => {
  it('upserts by stored record: a tool part goes pending → running → completed, one row at a time', () => {
    const store = createTableStore();
    store.append('parts', buildIpc(PARTS_TABLE, [part('a', 1, 'completed'), part('b', 2, 'pending'), part('c', 3, 'completed')]));
    expect(store.upsert('parts', buildIpc(PARTS_TABLE, [part('b', 2, 'running')]))).toBe(1);
    expect(store.upsert('parts', buildIpc(PARTS_TABLE, [part('b', 2, 'completed'), part('d', 4, 'pending')]))).toBe(1);
    expect(store.rowCount('parts')).toBe(4);
    expect(statuses(store.snapshot('parts'))).toEqual(['a:completed', 'b:completed', 'c:completed', 'd:pending']);
  });

  it('does not supersede a row of another database that happens to share the rowid', () => {
    const store = createTableStore();
    store.append('parts', buildIpc(PARTS_TABLE, [part('a', 1, 'completed')]));
    expect(store.upsert('parts', buildIpc(PARTS_TABLE, [part('other-db-part', 1, 'pending')]))).toBe(0);
    expect(store.rowCount('parts')).toBe(2);
  });

  it('compacts chunks and keeps an empty table’s schema', () => {
    const store = createTableStore();
    expect(tableFromIPC(store.snapshot('parts')[0]!).schema.fields.map((f) => f.name)).toContain('source_rowid');
    for (let i = 0; i < 5; i++) store.upsert('parts', buildIpc(PARTS_TABLE, [part(`p${i % 2}`, i % 2, `s${i}`)]));
    expect(store.compact('parts', 2)).toBe(true);
    expect(store.snapshot('parts')).toHaveLength(1);
    expect(statuses(store.snapshot('parts'))).toEqual(['p0:s4', 'p1:s3']);
  });

  it('tells subscribers each change: the fresh bytes and the primary keys an upsert superseded', () => {
    const store = createTableStore();
    const seen: StoreChange[] = [];
    store.append('parts', buildIpc(PARTS_TABLE, [part('a', 1, 'completed'), part('b', 2, 'pending')]));
    const unsubscribe = store.subscribe((change) => seen.push(change));
    const fresh = buildIpc(PARTS_TABLE, [part('b', 2, 'running'), part('c', 3, 'pending')]);
    store.upsert('parts', fresh);
    store.replace('sources', []);
    store.compact('parts', 0);
    unsubscribe();
    store.upsert('parts', buildIpc(PARTS_TABLE, [part('c', 3, 'completed')]));
    expect(seen.map((c) => c.kind)).toEqual(['upsert', 'replace']);
    expect(seen[0]).toMatchObject({ kind: 'upsert', table: 'parts', ipc: fresh, rows: 2, superseded: [['b']] });
  });

  it('tells subscribers of a recomputed table only the rows that changed or vanished, and keeps equal chunks', () => {
    const store = createTableStore();
    const dayRow = (d: string, cost: number): RowOf<'daily_stats'> => ({
      day: d, provider_id: 'p', model_id: 'm', sessions: 1, assistant_messages: 1, tokens_input: 1, tokens_output: 1,
      tokens_reasoning: 0, tokens_cache_read: 0, tokens_cache_write: 0, tokens_total: 2, cost,
    });
    const bucketA = buildIpc(DAILY_STATS_TABLE, [dayRow('d1', 1), dayRow('d2', 2)]);
    const seen: StoreChange[] = [];
    store.subscribe((change) => seen.push(change));
    store.replace('daily_stats', [bucketA, buildIpc(DAILY_STATS_TABLE, [dayRow('d3', 3)])]);
    expect(seen.map((c) => c.kind)).toEqual(['replace']);
    // Bucket A recomputed to the same bytes, bucket B lost d3 and gained d4: one upsert of d4 naming d3 as gone.
    store.replace('daily_stats', [buildIpc(DAILY_STATS_TABLE, [dayRow('d1', 1), dayRow('d2', 2)]), buildIpc(DAILY_STATS_TABLE, [dayRow('d4', 4)])]);
    const upsert = seen[1]!;
    expect(upsert).toMatchObject({ kind: 'upsert', table: 'daily_stats', rows: 1, superseded: [['d3', 'p', 'm']] });
    expect(upsert.kind === 'upsert' && [...tableFromIPC(upsert.ipc)].map((r) => r.day as string)).toEqual(['d4']);
    // Nothing moved: nothing told, and the table's change count stands. Rows only dropped: a delete.
    const changes = store.changes('daily_stats');
    expect(changes).toBe(2);
    store.replace('daily_stats', store.snapshot('daily_stats'));
    expect(seen).toHaveLength(2);
    expect(store.changes('daily_stats')).toBe(changes);
    store.replace('daily_stats', [bucketA]);
    expect(seen[2]).toEqual({ kind: 'delete', table: 'daily_stats', keys: [['d4', 'p', 'm']] });
    expect(store.rowCount('daily_stats')).toBe(2);
    expect(store.changes('daily_stats')).toBe(changes + 1);
    expect(store.changes('parts')).toBe(0);
  });

  it('shares one read of a saved chunk between snapshots taken while the first is still held', () => {
    const store = createTableStore();
    const bytes = buildIpc(PARTS_TABLE, [part('a', 1, 'completed')]);
    let reads = 0;
    store.append('parts', { rows: 1, rowidRange: [1, 1], load: () => (reads++, bytes.slice()) });
    const first = store.snapshot('parts');
    const second = store.snapshot('parts');
    expect(reads).toBe(1);
    expect(second[0]).toBe(first[0]);
    expect(statuses(second)).toEqual(['a:completed']);
  });

  it('keeps saved chunks on disk until read, and decodes only the ones the rowids of an upsert can reach', () => {
    const store = createTableStore();
    const first = buildIpc(PARTS_TABLE, [part('a', 1, 'completed'), part('b', 2, 'pending')]);
    const second = buildIpc(PARTS_TABLE, [part('c', 10, 'completed')]);
    const reads = { first: 0, second: 0 };
    store.append('parts', { rows: 2, rowidRange: [1, 2], load: () => (reads.first++, first) });
    store.append('parts', { rows: 1, rowidRange: [10, 10], load: () => (reads.second++, second) });
    expect(store.rowCount('parts')).toBe(3);
    expect(reads).toEqual({ first: 0, second: 0 });
    expect(store.upsert('parts', buildIpc(PARTS_TABLE, [part('b', 2, 'running')]))).toBe(1);
    // The chunk whose range holds rowid 2 is read (its rowids, then its keys); the other is left on disk.
    expect(reads.first).toBeGreaterThan(0);
    expect(reads.second).toBe(0);
    expect(statuses(store.snapshot('parts'))).toEqual(['a:completed', 'b:running', 'c:completed']);
    expect(statuses([store.newestChunk('parts')!])).toEqual(['b:running']);
    // Saved again (one segment per live chunk): read from there, and the superseded row is simply not in it.
    const saved = store.snapshot('parts');
    expect(store.backBySaved('parts', saved.map((bytes) => ({ rows: tableFromIPC(bytes).numRows, load: () => bytes })))).toBe(true);
    expect(statuses(store.snapshot('parts'))).toEqual(['a:completed', 'b:running', 'c:completed']);
    expect(store.backBySaved('parts', [])).toBe(false);
  });

  it('hands out live chunks one at a time, reading a saved one only when the pass reaches it', () => {
    const store = createTableStore();
    const reads: string[] = [];
    store.append('parts', { rows: 1, rowidRange: [1, 1], load: () => (reads.push('first'), buildIpc(PARTS_TABLE, [part('a', 1, 'completed')])) });
    store.append('parts', { rows: 1, rowidRange: [2, 2], load: () => (reads.push('second'), buildIpc(PARTS_TABLE, [part('b', 2, 'pending')])) });
    store.upsert('parts', buildIpc(PARTS_TABLE, [part('b', 2, 'completed')]));
    expect(reads).toEqual(['second']);
    reads.length = 0;
    const chunks = store.eachChunk('parts');
    expect(statuses([chunks.next().value!])).toEqual(['a:completed']);
    expect(reads).toEqual(['first']);
    // The second chunk's only row was superseded: the pass skips it without reading it.
    expect(statuses([...chunks])).toEqual(['b:completed']);
    expect(reads).toEqual(['first']);
    expect([...createTableStore().eachChunk('parts')]).toEqual([]);
  });
});
