import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { TODOS_TABLE } from '../../../shared/src/index.js';
import { ipcToParquet, joinIpcStreams } from './parquet.js';
import { buildIpc } from './tableIpc.js';

const todo = (i: number) => Object.fromEntries(TODOS_TABLE.columns.map((c) => [c.name, c.type === 'utf8' ? `${c.name} ${i}` : c.type === 'timestamp_ms' ? 1_700_000_000_000 + i : i]));
const chunk = (from: number, rows: number) => buildIpc(TODOS_TABLE, Array.from({ length: rows }, (_, i) => todo(from + i)) as never);

describe('Arrow IPC to Parquet', () => {
  it('joins a table’s streams into valid streams of about the size asked, every row once, in order', () => {
    const chunks = [chunk(10, 3), chunk(13, 3), chunk(16, 3), chunk(19, 3)];
    expect(new Set(chunks.map((c) => c.length)).size).toBe(1);
    for (const [maxBytes, streams] of [[1, 4], [chunks[0]!.length * 2, 2], [Infinity, 1]] as const) {
      const joined = [...joinIpcStreams(chunks, maxBytes)];
      const ids = joined.flatMap((ipc) => [...tableFromIPC(ipc).getChild('id')!] as string[]);
      expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `id ${10 + i}`));
      expect(joined).toHaveLength(streams);
      // Buffers of their own, so they can be transferred to a worker.
      for (const ipc of joined) expect(ipc.byteLength).toBe(ipc.buffer.byteLength);
    }
  });

  it('writes a Parquet file parquet-wasm reads back with the same rows', async () => {
    const { readParquet } = await import('parquet-wasm/node');
    const parquet = await ipcToParquet(chunk(0, 5));
    expect([...parquet.subarray(0, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PAR1');
    const back = tableFromIPC(readParquet(parquet).intoIPCStream());
    expect(back.numRows).toBe(5);
    expect([...back.getChild('content')!]).toEqual(Array.from({ length: 5 }, (_, i) => `content ${i}`));
  });
});
