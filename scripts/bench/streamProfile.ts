/**
 * Where a page's time to queryable goes, measured one stage at a time on the same snapshot:
 * - the browser's receive rate with nothing else to do: a bare WebSocket on the engine's origin that only counts
 *   bytes (no DuckDB, no app);
 * - DuckDB-WASM's insert of every snapshot chunk, on its own: the snapshot is first read whole by a Node client,
 *   then loaded through the dashboard's own `createTableSync` into duckdb-wasm's Node build (the same wasm
 *   engine as the page's, without the worker hop).
 * The engine's own send rate is the plain Node client of `engineSocket.ts`.
 */
import NodeWebSocket from 'ws';
import type { BrowserContext } from 'playwright-core';
import { decodeArrowFrame } from '../../shared/src/protocol/index.js';
import { openNodeDatabase } from '../../tests/protocol/support/nodeDuckDb.js';
import { createTableSync } from '../../ui/src/db/index.js';

export interface StageTiming {
  readonly ms: number;
  readonly bytes: number;
  readonly frames: number;
}

/** A bare page-side WebSocket reading the whole snapshot, on a page of the engine's origin (cookie set before). */
export async function browserReceiveOnly(context: BrowserContext, baseUrl: string, timeoutMs: number): Promise<StageTiming> {
  const page = await context.newPage();
  try {
    // Any same-origin page will do; /api/health is small and does not start the dashboard.
    await page.goto(new URL('/api/health', baseUrl).href, { timeout: timeoutMs });
    return await page.evaluate(
      (limitMs) =>
        new Promise<StageTiming>((resolve, reject) => {
          const ws = new globalThis.WebSocket(`ws://${location.host}/ws`);
          ws.binaryType = 'arraybuffer';
          let opened = 0;
          let bytes = 0;
          let frames = 0;
          const timer = setTimeout(() => reject(new Error(`no snapshot-done within ${limitMs} ms`)), limitMs);
          ws.onopen = () => (opened = performance.now());
          ws.onerror = () => reject(new Error('the WebSocket was refused'));
          ws.onmessage = (event) => {
            frames++;
            const data = event.data as string | ArrayBuffer;
            if (typeof data !== 'string') {
              bytes += data.byteLength;
              return;
            }
            bytes += new TextEncoder().encode(data).byteLength;
            if (!data.startsWith('{"type":"snapshot-done"')) return;
            clearTimeout(timer);
            ws.close();
            resolve({ ms: performance.now() - opened, bytes, frames });
          };
        }),
      timeoutMs,
    );
  } finally {
    await page.close();
  }
}

/** The snapshot's binary frames, as a Node client receives them (kept in memory: about one snapshot). */
function readSnapshotFrames(port: number, token: string, timeoutMs: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const ws = new NodeWebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` }, maxPayload: 2 ** 31 - 1, perMessageDeflate: false });
    const frames: Uint8Array[] = [];
    const timer = setTimeout(() => finish(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs);
    function finish(error?: Error) {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.terminate();
      if (error) reject(error);
      else resolve(frames);
    }
    ws.on('error', (error) => finish(error));
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) frames.push(new Uint8Array(data));
      else if (data.toString().startsWith('{"type":"snapshot-done"')) finish();
    });
  });
}

/** One table's share of the inserts: how many chunks (insert calls) it took, and how long they ran. */
export interface TableInsert {
  readonly table: string;
  readonly chunks: number;
  readonly bytes: number;
  readonly largestChunkBytes: number;
  readonly rows: number;
  readonly ms: number;
}

/** Loads every snapshot chunk into duckdb-wasm (Node build) the way the page does, and times only the inserts. */
export async function duckdbInsertOnly(port: number, token: string, timeoutMs: number): Promise<StageTiming & { readonly tables: TableInsert[] }> {
  const frames = await readSnapshotFrames(port, token, timeoutMs);
  const db = await openNodeDatabase(`bench_${process.pid}`);
  try {
    const sync = createTableSync(db);
    const tables = new Map<string, { -readonly [K in keyof TableInsert]: TableInsert[K] }>();
    let bytes = 0;
    const started = performance.now();
    for (const frame of frames) {
      const decoded = decodeArrowFrame(frame);
      if (!decoded.ok || decoded.value.header.type !== 'arrow-chunk') continue;
      const { header, ipc } = decoded.value;
      const begun = performance.now();
      await sync.loadChunk(header.table, ipc, header.chunk === 0);
      const entry = tables.get(header.table) ?? { table: header.table, chunks: 0, bytes: 0, largestChunkBytes: 0, rows: 0, ms: 0 };
      entry.chunks++;
      entry.bytes += frame.byteLength;
      entry.largestChunkBytes = Math.max(entry.largestChunkBytes, frame.byteLength);
      entry.rows += header.rows;
      entry.ms += performance.now() - begun;
      tables.set(header.table, entry);
      bytes += frame.byteLength;
    }
    return { ms: performance.now() - started, bytes, frames: frames.length, tables: [...tables.values()] };
  } finally {
    db.close();
  }
}
