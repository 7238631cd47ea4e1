import { Int32, Table, Utf8, tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { mergeIpcStreams } from './merge.js';

function ipc(ids: number[]): Uint8Array {
  const table = new Table({
    id: vectorFromArray(ids, new Int32()),
    label: vectorFromArray(ids.map((i) => (i % 2 ? `row ${i}` : null)), new Utf8()),
  });
  return tableToIPC(table, 'stream');
}

describe('mergeIpcStreams', () => {
  it('keeps every row in order and drops empty parts', () => {
    const result = mergeIpcStreams([ipc([1, 2]), ipc([]), ipc([3]), ipc([4, 5, 6])]);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.value.rows).toBe(6);
    const table = tableFromIPC(result.value.bytes);
    expect(table.getChild('id')!.toArray()).toEqual(Int32Array.from([1, 2, 3, 4, 5, 6]));
    expect(table.getChild('label')!.get(2)).toBe('row 3');
    expect(table.getChild('label')!.get(1)).toBeNull();
  });

  it('keeps the schema when every part is empty', () => {
    const result = mergeIpcStreams([ipc([]), ipc([])]);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.value.rows).toBe(0);
    expect(tableFromIPC(result.value.bytes).schema.fields.map((f) => f.name)).toEqual(['id', 'label']);
  });

  it('refuses parts with different schemas', () => {
    const other = tableToIPC(new Table({ id: vectorFromArray(['x'], new Utf8()) }), 'stream');
    const result = mergeIpcStreams([ipc([1]), other], 'parts');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatchObject({ code: 'internal.bug', source: 'parts' });
  });

  it('reports bytes that are not a complete IPC stream as unreadable', () => {
    const whole = ipc([1, 2, 3]);
    for (const bad of [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), new Uint8Array([1, 2, 3]), whole.subarray(0, whole.byteLength - 1)]) {
      const result = mergeIpcStreams([ipc([1]), bad]);
      expect(!result.ok && result.problem.code).toBe('source.unreadable');
      expect(!result.ok && result.problem.message).toMatch(/part 1 is not/);
    }
  });

  it('refuses to merge dictionary-encoded columns rather than write a broken stream', () => {
    const dict = (labels: string[]) => tableToIPC(tableFromArrays({ label: labels }), 'stream');
    const result = mergeIpcStreams([dict(['a']), dict(['b'])]);
    expect(!result.ok && result.problem.message).toMatch(/dictionary-encoded column label/);
  });
});
