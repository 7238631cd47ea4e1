/**
 * A WebSocket client of the engine's `/ws`, speaking the wire protocol of shared/src/protocol: a `hello`, then
 * each table as Arrow IPC chunks (in the order `hello` lists), then `snapshot-done`. The engine takes its
 * snapshot of the tables when a connection opens, so what a probe reads is the engine's state at its `openedAt`.
 */
import { tableFromIPC } from 'apache-arrow';
import WebSocket from 'ws';
import { decodeArrowChunk, decodeServerMessage } from '../../shared/src/protocol/index.js';

export interface Probe {
  /** performance.now() when the upgrade completed: the snapshot was taken just before. */
  readonly openedAt: number;
  readonly doneAt: number;
  /** Live rows of the engine's `parts` table (read up to `parts` or further). */
  readonly partsRows: number;
  /** Part rows the engine's `sources` table reports for its SQLite databases. */
  readonly sourcesDbParts: number;
  readonly bytes: number;
  readonly frames: number;
}

/**
 * How far to read: `sources` stops after the first table (a few kB), `parts` after the parts table, `all`
 * reads the whole snapshot, as a dashboard does on load.
 */
export type ProbeDepth = 'sources' | 'parts' | 'all';

function connect(port: number, token: string): WebSocket {
  // Node's ws client refuses frames over 100 MiB by default; one table chunk of a large corpus can be bigger.
  return new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` }, maxPayload: 2 ** 31 - 1, perMessageDeflate: false });
}

function sqliteParts(ipc: Uint8Array): number {
  const table = tableFromIPC(ipc);
  const kind = table.getChild('kind');
  const parts = table.getChild('parts');
  let sum = 0;
  for (let i = 0; i < table.numRows; i++) if (kind?.get(i) === 'sqlite') sum += Number(parts?.get(i) ?? 0);
  return sum;
}

/** Opens a connection, reads its snapshot to `depth` and closes it. */
export function probe(port: number, token: string, depth: ProbeDepth, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const ws = connect(port, token);
    const seen = { openedAt: 0, partsRows: 0, sourcesDbParts: 0, bytes: 0, frames: 0 };
    let current = '';
    const timer = setTimeout(() => finish(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs);
    function finish(error?: Error) {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.terminate();
      if (error) reject(error);
      else resolve({ ...seen, doneAt: performance.now() });
    }
    ws.once('open', () => (seen.openedAt = performance.now()));
    ws.on('error', (error) => finish(error));
    ws.once('unexpected-response', (_req, res) => finish(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.on('message', (data: Buffer, isBinary) => {
      seen.frames++;
      seen.bytes += data.length;
      if (isBinary) {
        const chunk = decodeArrowChunk(data);
        if (!chunk.ok) return finish(new Error(chunk.problem.message));
        const { table, rows } = chunk.value.header;
        // A frame of the next table means the previous one is complete.
        if (table !== current && current === depth) return finish();
        current = table;
        if (table === 'parts') seen.partsRows += rows;
        if (table === 'sources') seen.sourcesDbParts += sqliteParts(chunk.value.ipc);
        return;
      }
      const message = decodeServerMessage(data.toString());
      if (!message.ok) return finish(new Error(message.problem.message));
      if (message.value.type === 'hello' && !message.value.tables.includes('parts')) {
        finish(new Error(`the engine sends no parts table (tables: ${message.value.tables.join(', ')})`));
      } else if (message.value.type === 'snapshot-done') {
        seen.partsRows = message.value.rows['parts'] ?? seen.partsRows;
        finish();
      }
    });
  });
}

export interface PushWatch {
  /** The connection's own snapshot, read in full. */
  readonly snapshot: Promise<Probe>;
  /** Frames received after `snapshot-done`: the engine pushing something. */
  readonly pushes: { at: number; kind: string }[];
  close(): void;
}

function describe(data: Buffer, isBinary: boolean): string {
  if (isBinary) {
    const chunk = decodeArrowChunk(data);
    return chunk.ok ? `arrow-chunk ${chunk.value.header.table}` : 'unreadable binary frame';
  }
  try {
    return String((JSON.parse(data.toString()) as { type?: unknown }).type);
  } catch {
    return 'unreadable text frame';
  }
}

/**
 * Keeps one connection open after its snapshot and records every later frame. The protocol has no change push
 * yet, so none is expected; if the engine starts pushing, the report shows it.
 */
export function watchPushes(port: number, token: string, timeoutMs: number): PushWatch {
  const ws = connect(port, token);
  const pushes: { at: number; kind: string }[] = [];
  const seen = { openedAt: 0, partsRows: 0, sourcesDbParts: 0, bytes: 0, frames: 0 };
  let done = false;
  const snapshot = new Promise<Probe>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs);
    ws.once('open', () => (seen.openedAt = performance.now()));
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (done) return void pushes.push({ at: performance.now(), kind: describe(data, isBinary) });
      seen.frames++;
      seen.bytes += data.length;
      if (isBinary) {
        const chunk = decodeArrowChunk(data);
        if (chunk.ok && chunk.value.header.table === 'sources') seen.sourcesDbParts += sqliteParts(chunk.value.ipc);
        return;
      }
      const message = decodeServerMessage(data.toString());
      if (message.ok && message.value.type === 'snapshot-done') {
        done = true;
        clearTimeout(timer);
        resolve({ ...seen, partsRows: message.value.rows['parts'] ?? 0, doneAt: performance.now() });
      }
    });
  });
  return { snapshot, pushes, close: () => ws.terminate() };
}
