/**
 * Where a page's time to queryable goes, measured one stage at a time on the same snapshot:
 * - the browser's receive rate with nothing else to do: the page's own path (a WebSocket for `hello`, then a
 *   `fetch` of the snapshot body it names) on the engine's origin, only counting bytes (no DuckDB, no app);
 * - DuckDB-WASM's insert of every snapshot table, on its own: the body is first read whole by a Node client,
 *   then each table is loaded once (its pieces joined) through the dashboard's own `createTableSync` into
 *   duckdb-wasm's Node build (the same wasm engine as the page's, without the worker hop).
 * The engine's own send rate is the plain Node client of `engineSocket.ts`.
 */
import type { BrowserContext } from 'playwright-core';
import { openNodeDatabase } from '../../tests/protocol/support/nodeDuckDb.js';
import { ok, snapshotRecordHead } from '../../shared/src/index.js';
import { loadSnapshotBody, type FetchSnapshotBody } from '../../ui/src/connection/index.js';
import { createTableSync, type TableSync } from '../../ui/src/db/index.js';
import { readSnapshotRecords } from './engineSocket.js';

export interface StageTiming {
  readonly ms: number;
  /** Socket bytes plus snapshot body bytes. */
  readonly bytes: number;
  /** Socket frames plus body records (Node) or body reads (browser: slices as the network delivered them). */
  readonly frames: number;
}

/** The page's snapshot path, bytes only: socket open → hello → fetch of the body read to its end. */
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
          let bodyEnd = -1;
          let snapshotDone = false;
          // Methods, not named functions: tsx wraps those in a `__name` helper the page does not have.
          const run = {
            fail(why: string): void {
              clearTimeout(timer);
              ws.close();
              reject(new Error(why));
            },
            settleWhenBoth(): void {
              if (bodyEnd < 0 || !snapshotDone) return;
              clearTimeout(timer);
              ws.close();
              resolve({ ms: bodyEnd - opened, bytes, frames });
            },
            async readBody(path: string): Promise<void> {
              // The dashboard's own request (engineConnection.ts `httpSnapshotBody`): the cookie carries the token.
              const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
              if (!response.ok || !response.body) {
                run.fail(`the snapshot body was refused: HTTP ${response.status}`);
                return;
              }
              const reader = response.body.getReader();
              for (;;) {
                const { done, value } = await reader.read();
                if (done) break;
                frames++;
                bytes += value.byteLength;
              }
              bodyEnd = performance.now();
              run.settleWhenBoth();
            },
          };
          const timer = setTimeout(() => run.fail(`no snapshot-done within ${limitMs} ms`), limitMs);
          ws.onopen = () => (opened = performance.now());
          ws.onerror = () => run.fail('the WebSocket was refused');
          ws.onmessage = (event) => {
            frames++;
            const data = event.data as string | ArrayBuffer;
            if (typeof data !== 'string') return void (bytes += data.byteLength);
            bytes += new TextEncoder().encode(data).byteLength;
            if (data.startsWith('{"type":"hello"')) {
              const hello = JSON.parse(data) as { snapshotPath?: string };
              if (hello.snapshotPath) run.readBody(hello.snapshotPath).catch((error: Error) => run.fail(`the snapshot body stopped: ${error.message}`));
              else bodyEnd = performance.now();
            } else if (data.startsWith('{"type":"snapshot-done"')) {
              snapshotDone = true;
              run.settleWhenBoth();
            }
          };
        }),
      timeoutMs,
    );
  } finally {
    await page.close();
  }
}

/** One table's share of the inserts: the pieces it came in, the inserts it took, and how long they ran. */
export interface TableInsert {
  readonly table: string;
  /** Body records (pieces of its IPC stream). */
  readonly chunks: number;
  /** `loadChunk` calls: one per joined stream, normally one per table. */
  readonly inserts: number;
  readonly bytes: number;
  readonly largestInsertBytes: number;
  readonly rows: number;
  readonly ms: number;
}

/**
 * Loads the snapshot into duckdb-wasm (Node build) the way the page does (`snapshotLoader.ts`): each table's
 * pieces joined up to its `end` piece, then one insert; times only the inserts.
 */
export async function duckdbInsertOnly(port: number, token: string, timeoutMs: number): Promise<StageTiming & { readonly tables: TableInsert[] }> {
  const records = await readSnapshotRecords(port, token, timeoutMs);
  // The body again, as bytes in memory: the page's own loader reads it, so only DuckDB's inserts are left to time.
  const slices = records.map(({ header, ipc }) => {
    const head = snapshotRecordHead(header, ipc.length);
    const slice = new Uint8Array(head.length + ipc.length);
    slice.set(head);
    slice.set(ipc, head.length);
    return slice;
  });
  const inMemory: FetchSnapshotBody = async () => ok((async function* () {
    yield* slices;
  })());
  const db = await openNodeDatabase(`bench_${process.pid}`);
  try {
    const sync = createTableSync(db);
    const tables = new Map<string, { -readonly [K in keyof TableInsert]: TableInsert[K] }>();
    const entryOf = (table: string) => {
      const entry = tables.get(table) ?? { table, chunks: 0, inserts: 0, bytes: 0, largestInsertBytes: 0, rows: 0, ms: 0 };
      tables.set(table, entry);
      return entry;
    };
    let insertMs = 0;
    const timed: TableSync = {
      ...sync,
      async loadChunk(table, ipc, first) {
        const begun = performance.now();
        await sync.loadChunk(table, ipc, first);
        const ms = performance.now() - begun;
        const entry = entryOf(table);
        entry.inserts++;
        entry.largestInsertBytes = Math.max(entry.largestInsertBytes, ipc.byteLength);
        entry.ms += ms;
        insertMs += ms;
      },
    };
    const loaded = await loadSnapshotBody('/snapshot/in-memory', inMemory, timed, {
      received(table, bytes) {
        const entry = entryOf(table);
        entry.chunks++;
        entry.bytes += bytes;
      },
      loaded: (table, rows) => void (entryOf(table).rows += rows),
    });
    if (!loaded.ok) throw new Error(loaded.problem.message);
    const bytes = [...tables.values()].reduce((n, t) => n + t.bytes, 0);
    return { ms: insertMs, bytes, frames: records.length, tables: [...tables.values()] };
  } finally {
    db.close();
  }
}
