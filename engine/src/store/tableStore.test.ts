import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildIpc } from '../arrow/index.js';
import { PARTS_TABLE, type RowOf } from '../../../shared/src/index.js';
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
});
