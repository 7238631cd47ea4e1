/**
 * A client of the engine's `/ws`, speaking protocol 3 (shared/src/protocol): a `hello` that names the snapshot
 * body, that body fetched over HTTP (each table an Arrow IPC stream cut into `arrow-chunk` records, in the order
 * `hello` lists), then `snapshot-done` on the socket. The engine takes its snapshot of the tables when a
 * connection opens, so what a probe reads is the engine's state at its `openedAt`.
 */
import { tableFromIPC } from 'apache-arrow';
import WebSocket from 'ws';
import { concatBytes } from '../../engine/src/arrow/index.js';
import { fail, ok, type Result } from '../../shared/src/errors/index.js';
import { createSnapshotBodyReader, decodeArrowFrame, decodeServerMessage, type ArrowChunkHeader, type DecodedArrowFrame } from '../../shared/src/protocol/index.js';

export interface Probe {
  /** performance.now() when the upgrade completed: the snapshot was taken just before. */
  readonly openedAt: number;
  readonly doneAt: number;
  /** Live rows of the engine's `parts` table (read up to `parts` or further). */
  readonly partsRows: number;
  /** Part rows the engine's `sources` table reports for its SQLite databases. */
  readonly sourcesDbParts: number;
  /** Bytes on the socket plus bytes of the snapshot body read. */
  readonly bytes: number;
  /** Socket frames plus snapshot body records. */
  readonly frames: number;
}

/**
 * How far to read: `sources` stops after the first table (a few kB), `parts` after the parts table, `all`
 * reads the whole snapshot, as a dashboard does on load.
 */
export type ProbeDepth = 'sources' | 'parts' | 'all';

export type SnapshotRecord = DecodedArrowFrame<ArrowChunkHeader>;

interface FollowOptions {
  readonly depth: ProbeDepth;
  readonly timeoutMs: number;
  /** Every record of the body, as it completes. */
  readonly onRecord?: (record: SnapshotRecord) => void;
  /** Socket frames after `snapshot-done`; given, the socket stays open after a full (`all`) snapshot. */
  readonly afterSnapshot?: (data: Buffer, isBinary: boolean) => void;
}

function connect(port: number, token: string): WebSocket {
  // Deltas are still binary frames on the socket; a large replace can pass ws's default 100 MiB limit.
  return new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` }, maxPayload: 2 ** 31 - 1, perMessageDeflate: false });
}

/** A table's pieces joined: one complete Arrow IPC stream when they run up to an `end` piece. */
function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? pieces[0]! : concatBytes(pieces);
}

/**
 * GETs a snapshot body with the token as a bearer header and hands each record to `onRecord` until it returns
 * false (the fetch is then aborted, which makes the engine close that connection's socket) or the body ends.
 * `complete` says which; `onBytes` follows the body bytes read so far.
 */
async function fetchSnapshotBody(
  port: number,
  token: string,
  path: string,
  signal: AbortSignal,
  onRecord: (record: SnapshotRecord) => boolean,
  onBytes: (bytes: number) => void,
): Promise<Result<{ complete: boolean }>> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  signal.addEventListener('abort', abort, { once: true });
  const reader = createSnapshotBodyReader();
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: stop.signal });
    if (!response.ok || !response.body) return fail({ code: 'protocol.disconnected', message: `the snapshot body was refused: HTTP ${response.status}` });
    let wanted = true;
    for await (const slice of response.body) {
      const records = reader.push(slice);
      onBytes(reader.bytes);
      if (!records.ok) return records;
      for (const record of records.value) if (wanted) wanted = onRecord(record);
      // Leaving the loop cancels the body; aborting first would make that cancel throw.
      if (!wanted) break;
    }
    if (!wanted) {
      stop.abort();
      return ok({ complete: false });
    }
    const end = reader.finish();
    return end.ok ? ok({ complete: true }) : end;
  } catch (error) {
    return fail({ code: 'protocol.disconnected', message: `the snapshot body stopped after ${reader.bytes} bytes: ${(error as Error).message}` });
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

function sqliteParts(ipc: Uint8Array): number {
  const table = tableFromIPC(ipc);
  const kind = table.getChild('kind');
  const parts = table.getChild('parts');
  let sum = 0;
  for (let i = 0; i < table.numRows; i++) if (kind?.get(i) === 'sqlite') sum += Number(parts?.get(i) ?? 0);
  return sum;
}

/**
 * Opens a connection and follows its snapshot to `depth`: the socket's `hello`, the body it names (fetched at
 * once), `snapshot-done`. Settles once `depth`'s table has ended (the fetch aborted, the socket closed) or, for
 * `all`, once both the body was read whole and `snapshot-done` came.
 */
function followSnapshot(port: number, token: string, options: FollowOptions): { ws: WebSocket; snapshot: Promise<Probe> } {
  const ws = connect(port, token);
  const bodyAbort = new AbortController();
  const seen = { openedAt: 0, partsRows: 0, sourcesDbParts: 0, bytes: 0, frames: 0 };
  let bodyBytes = 0;
  let bodyDone = false;
  let snapshotDone = false;
  let settled = false;
  let sourcesPieces: Uint8Array[] = [];
  let settle!: (error?: Error) => void;

  const snapshot = new Promise<Probe>((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`no snapshot within ${options.timeoutMs} ms`)), options.timeoutMs);
    settle = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      bodyAbort.abort();
      if (error || options.depth !== 'all' || !options.afterSnapshot) ws.terminate();
      if (error) reject(error);
      else resolve({ ...seen, bytes: seen.bytes + bodyBytes, doneAt: performance.now() });
    };
  });

  const onRecord = ({ header, ipc }: SnapshotRecord): boolean => {
    seen.frames++;
    options.onRecord?.({ header, ipc });
    if (header.table === 'parts') seen.partsRows += header.rows;
    if (header.table === 'sources') {
      // A table's pieces form one IPC stream only together: decode at the piece that ends it.
      sourcesPieces.push(ipc);
      if (header.end) {
        seen.sourcesDbParts += sqliteParts(joinPieces(sourcesPieces));
        sourcesPieces = [];
      }
    }
    return !(header.end && header.table === options.depth);
  };

  const readBody = async (path: string) => {
    const read = await fetchSnapshotBody(port, token, path, bodyAbort.signal, onRecord, (bytes) => (bodyBytes = bytes));
    if (settled) return;
    if (!read.ok) return settle(new Error(read.problem.message));
    if (!read.value.complete) return settle();
    if (options.depth !== 'all') return settle(new Error(`the snapshot body ended without the ${options.depth} table`));
    bodyDone = true;
    if (snapshotDone) settle();
  };

  ws.once('open', () => (seen.openedAt = performance.now()));
  ws.on('error', (error) => settle(error));
  ws.on('close', () => settle(new Error('the engine closed the connection before the snapshot was read')));
  ws.once('unexpected-response', (_req, res) => settle(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  ws.on('message', (data: Buffer, isBinary) => {
    if (snapshotDone) return options.afterSnapshot?.(data, isBinary);
    if (settled) return;
    seen.frames++;
    seen.bytes += data.length;
    if (isBinary) return;
    const message = decodeServerMessage(data.toString());
    if (!message.ok) return settle(new Error(message.problem.message));
    const m = message.value;
    if (m.type === 'hello') {
      if (!m.tables.includes('parts')) return settle(new Error(`the engine sends no parts table (tables: ${m.tables.join(', ')})`));
      if (m.snapshotPath) void readBody(m.snapshotPath);
      else bodyDone = true;
    } else if (m.type === 'snapshot-done') {
      snapshotDone = true;
      seen.partsRows = m.rows['parts'] ?? seen.partsRows;
      if (bodyDone) settle();
    }
  });
  return { ws, snapshot };
}

/** Opens a connection, reads its snapshot to `depth` and closes it. */
export function probe(port: number, token: string, depth: ProbeDepth, timeoutMs: number): Promise<Probe> {
  return followSnapshot(port, token, { depth, timeoutMs }).snapshot;
}

/** A whole snapshot's body records, in order (kept in memory: about one snapshot). */
export async function readSnapshotRecords(port: number, token: string, timeoutMs: number): Promise<SnapshotRecord[]> {
  const records: SnapshotRecord[] = [];
  await followSnapshot(port, token, { depth: 'all', timeoutMs, onRecord: (record) => records.push(record) }).snapshot;
  return records;
}

export interface PushWatch {
  /** The connection's own snapshot, read in full. */
  readonly snapshot: Promise<Probe>;
  /** Frames received after `snapshot-done`: the engine pushing something. */
  readonly pushes: PushedFrame[];
  close(): void;
}

export interface PushedFrame {
  readonly at: number;
  readonly kind: string;
  /** For rows pushed into `parts` (`table-upsert`, `table-append`): their ids, to tell when a change arrived. */
  readonly partIds?: readonly string[];
}

/** After the snapshot the socket's binary frames are deltas (`table-upsert`, `table-replace`); text is JSON. */
function describe(data: Buffer, isBinary: boolean): string {
  if (isBinary) {
    const frame = decodeArrowFrame(data);
    return frame.ok ? `${frame.value.header.type} ${frame.value.header.table}` : 'unreadable binary frame';
  }
  try {
    return String((JSON.parse(data.toString()) as { type?: unknown }).type);
  } catch {
    return 'unreadable text frame';
  }
}

/** The ids of the `parts` rows a pushed binary frame carries, if it carries any. */
function pushedPartIds(data: Buffer, isBinary: boolean): string[] | undefined {
  if (!isBinary) return undefined;
  const frame = decodeArrowFrame(data);
  if (!frame.ok || frame.value.header.table !== 'parts') return undefined;
  try {
    const ids = tableFromIPC(frame.value.ipc).getChild('id');
    return ids ? (ids.toArray() as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps one connection open after its snapshot and records every later frame: what the engine pushes. */
export function watchPushes(port: number, token: string, timeoutMs: number): PushWatch {
  const pushes: PushedFrame[] = [];
  const { ws, snapshot } = followSnapshot(port, token, {
    depth: 'all',
    timeoutMs,
    afterSnapshot: (data, isBinary) => {
      const at = performance.now();
      const partIds = pushedPartIds(data, isBinary);
      pushes.push({ at, kind: describe(data, isBinary), ...(partIds ? { partIds } : {}) });
    },
  });
  return { snapshot, pushes, close: () => ws.terminate() };
}
