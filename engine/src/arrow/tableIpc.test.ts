import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { SOURCES_TABLE, type TableSpec } from '../../../shared/src/index.js';
import { buildIpc, concatIpc, setBoolColumn } from './tableIpc.js';

const EVERY_TYPE: TableSpec = {
  name: 'every_type',
  doc: 'test table',
  primaryKey: ['s'],
  columns: [
    { name: 's', type: 'utf8', nullable: true, doc: '' },
    { name: 'i', type: 'int32', nullable: true, doc: '' },
    { name: 'f', type: 'float64', nullable: false, doc: '' },
    { name: 'big', type: 'int64', nullable: true, doc: '' },
    { name: 't', type: 'timestamp_ms', nullable: true, doc: '' },
    { name: 'b', type: 'bool', nullable: true, doc: '' },
  ],
};

describe('buildIpc', () => {
  it('round-trips rows through an IPC stream with the spec types', () => {
    const ipc = buildIpc(SOURCES_TABLE, [
      { kind: 'sqlite', path: '/d/opencode.db', bytes: 4096, sessions: 3, messages: 10, parts: 42, modified_at: 1_700_000_000_000, problem: null },
      { kind: 'json', path: '/d/storage', bytes: 0, sessions: 1, messages: 2, parts: 3, modified_at: null, problem: 'source.unreadable' },
    ]);
    const table = tableFromIPC(ipc);
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => f.name)).toEqual(SOURCES_TABLE.columns.map((c) => c.name));
    const first = table.get(0)!.toJSON();
    expect(first.kind).toBe('sqlite');
    expect(first.parts).toBe(42n);
    expect(table.get(1)!.toJSON().modified_at).toBeNull();
  });

  it('refuses a null in a non-nullable column instead of shipping a wrong row', () => {
    expect(() => buildIpc(SOURCES_TABLE, [{ kind: null, path: '/x', bytes: 0, sessions: 0, messages: 0, parts: 0 }])).toThrow(/non-nullable column "kind"/);
  });

  it('writes every column type exactly: nulls, multi-byte text, 64-bit integers, bits', () => {
    const texts = ['', 'plain', 'naïve café', '日本語のテキスト', 'emoji 🚀🔥 mixed', 'x'.repeat(5000)];
    const rows = Array.from({ length: 203 }, (_, n) => ({
      s: n % 7 === 3 ? null : `${texts[n % texts.length]}#${n}`,
      i: n % 5 === 0 ? null : n * 3 - 100,
      f: n / 7,
      big: n % 11 === 0 ? null : BigInt(Number.MAX_SAFE_INTEGER) * 3n + BigInt(n),
      t: n % 13 === 0 ? null : 1_700_000_000_000 + n,
      b: n % 3 === 0 ? null : n % 2 === 0,
    }));
    const table = tableFromIPC(buildIpc(EVERY_TYPE, rows));
    expect(table.numRows).toBe(rows.length);
    rows.forEach((row, n) => {
      const got = table.get(n)!.toJSON();
      expect(got.s).toBe(row.s);
      expect(got.i).toBe(row.i);
      expect(got.f).toBe(row.f);
      expect(got.big).toBe(row.big);
      expect(got.t).toBe(row.t);
      expect(got.b).toBe(row.b);
    });
    expect(table.getChild('s')!.nullCount).toBe(rows.filter((r) => r.s === null).length);
  });

  it('joins chunks batch by batch and swaps a bool column without touching the others', () => {
    const a = buildIpc(EVERY_TYPE, [{ s: 'a', i: 1, f: 1, big: 1n, t: 1, b: false }]);
    const b = buildIpc(EVERY_TYPE, [{ s: 'b', i: 2, f: 2, big: 2n, t: 2, b: null }, { s: 'c', i: 3, f: 3, big: 3n, t: 3, b: true }]);
    const joined = tableFromIPC(concatIpc([a, b]));
    expect(joined.toArray().map((r) => r.toJSON().s)).toEqual(['a', 'b', 'c']);
    const flipped = tableFromIPC(setBoolColumn(concatIpc([a, b]), 'b', [true, true, false]));
    expect(flipped.toArray().map((r) => [r.toJSON().s, r.toJSON().b])).toEqual([['a', true], ['b', true], ['c', false]]);
    expect(flipped.schema.fields.map((f) => [f.name, f.nullable])).toEqual(joined.schema.fields.map((f) => [f.name, f.nullable]));
  });
});

