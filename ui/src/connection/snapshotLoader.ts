/**
 * Loads a snapshot body (protocol 3, `shared/src/protocol/snapshotBody.ts`) into DuckDB: each table's pieces are
 * gathered into one buffer of the size the first piece announces (one copy per byte) and inserted at once. Reading runs ahead of inserting by a bounded amount,
 * so the network keeps delivering the next tables while DuckDB inserts the current one, without the page holding
 * the whole snapshot when DuckDB is the slower side.
 */
import { createSnapshotBodyReader, fail, ok, type ArrowChunkHeader, type DecodedArrowFrame, type Result, type TableName } from '../../../shared/src/index.js';
import type { TableSync } from '../db/tableSync.js';

/** Opens the body at `path` (same origin as the socket, same token); its slices in order, or why it cannot. */
export type FetchSnapshotBody = (path: string, signal: AbortSignal) => Promise<Result<AsyncIterable<Uint8Array>>>;

/** Bytes read from the network but not yet inserted, at most (one record more may be in hand). */
export const READ_AHEAD_BYTES = 192 * 1024 * 1024;

export interface SnapshotLoadProgress {
  /** A piece arrived for `table`: its bytes; its rows once they are in DuckDB. */
  received(table: TableName, bytes: number): void;
  loaded(table: TableName, rows: number): void;
}

/** Largest joined stream the page gathers in one buffer (typed arrays stop near 2 GiB in some browsers). */
const MAX_STREAM_BYTES = 2 ** 31 - 1;

/** One table stream being gathered: a buffer of the size its first piece announced, filled piece by piece. */
interface Gathering {
  readonly table: TableName;
  readonly bytes: Uint8Array;
  filled: number;
  rows: number;
}

function badBody(message: string): Result<never> {
  return fail({ code: 'protocol.bad-message', message: `snapshot body: ${message}` });
}

export async function loadSnapshotBody(
  path: string,
  fetchBody: FetchSnapshotBody,
  tables: TableSync,
  progress: SnapshotLoadProgress,
  readAheadBytes = READ_AHEAD_BYTES,
): Promise<Result<void>> {
  const abort = new AbortController();
  const opened = await fetchBody(path, abort.signal);
  if (!opened.ok) return opened;

  const queue: DecodedArrowFrame<ArrowChunkHeader>[] = [];
  let queuedBytes = 0;
  let readEnded = false;
  let readProblem: Result<never> | undefined;
  let wakeLoader: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  const nudge = (which: 'loader' | 'reader') => {
    const wake = which === 'loader' ? wakeLoader : wakeReader;
    if (which === 'loader') wakeLoader = undefined;
    else wakeReader = undefined;
    wake?.();
  };

  const read = async () => {
    const reader = createSnapshotBodyReader();
    try {
      for await (const slice of opened.value) {
        const frames = reader.push(slice);
        if (!frames.ok) return void (readProblem = frames);
        for (const frame of frames.value) {
          queue.push(frame);
          queuedBytes += frame.ipc.length;
          progress.received(frame.header.table, frame.ipc.length);
        }
        nudge('loader');
        while (queuedBytes > readAheadBytes && !abort.signal.aborted) await new Promise<void>((resolve) => (wakeReader = resolve));
        if (abort.signal.aborted) return;
      }
      const end = reader.finish();
      if (!end.ok) readProblem = end;
    } catch (error) {
      readProblem = fail({ code: 'protocol.disconnected', message: `the snapshot body stopped: ${(error as Error).message}` });
    } finally {
      readEnded = true;
      nudge('loader');
    }
  };
  const reading = read();

  const created = new Set<TableName>();
  let gathering: Gathering | undefined;
  let problem: Result<never> | undefined;
  try {
    for (;;) {
      const frame = queue.shift();
      if (!frame) {
        if (readEnded) break;
        await new Promise<void>((resolve) => (wakeLoader = resolve));
        continue;
      }
      queuedBytes -= frame.ipc.length;
      nudge('reader');
      const { header, ipc } = frame;
      if (!gathering) {
        if (header.streamBytes > MAX_STREAM_BYTES) return (problem = badBody(`a ${header.table} stream of ${header.streamBytes} bytes is more than this page can hold`));
        gathering = { table: header.table, bytes: new Uint8Array(header.streamBytes), filled: 0, rows: 0 };
      }
      if (header.table !== gathering.table || gathering.filled + ipc.length > gathering.bytes.length) {
        return (problem = badBody(`a piece of ${header.table} does not fit the ${gathering.table} stream it continues`));
      }
      gathering.bytes.set(ipc, gathering.filled);
      gathering.filled += ipc.length;
      gathering.rows += header.rows;
      if (!header.end) continue;
      if (gathering.filled !== gathering.bytes.length) return (problem = badBody(`the ${header.table} stream ended at ${gathering.filled} of ${gathering.bytes.length} bytes`));
      const { table, bytes, rows } = gathering;
      gathering = undefined;
      const insertStart = performance.now();
      const streamBytes = bytes.length; // the insert may transfer (detach) the buffer to DuckDB's worker
      await tables.loadChunk(table, bytes, !created.has(table));
      // On the page's timeline (devtools, the stream benchmark): which table DuckDB spent its time on.
      performance.measure(`ocm:insert ${table}`, { start: insertStart, end: performance.now(), detail: { bytes: streamBytes, rows } });
      created.add(table);
      progress.loaded(table, rows);
    }
  } finally {
    abort.abort();
    nudge('reader');
    await reading;
  }
  if (problem) return problem;
  if (readProblem) return readProblem;
  if (gathering) return badBody(`it ended inside the ${gathering.table} stream (a piece without its end)`);
  return ok(undefined);
}

/**
 * Loads a snapshot file (`hello.snapshotFile`): the DuckDB database file is read whole into one buffer of the
 * announced size, then attached read-only with every table a view over it (`TableSync.attachFile`).
 */
export async function loadSnapshotFile(
  file: { readonly path: string; readonly bytes: number },
  tableNames: readonly TableName[],
  fetchBody: FetchSnapshotBody,
  tables: TableSync,
  received: (bytes: number) => void,
): Promise<Result<void>> {
  if (file.bytes > MAX_STREAM_BYTES) return badFile(`${file.bytes} bytes is more than this page can hold`);
  const abort = new AbortController();
  const opened = await fetchBody(file.path, abort.signal);
  if (!opened.ok) return opened;
  const bytes = new Uint8Array(file.bytes);
  let filled = 0;
  try {
    for await (const slice of opened.value) {
      if (filled + slice.length > bytes.length) {
        abort.abort();
        return badFile(`it is longer than the ${file.bytes} bytes announced`);
      }
      bytes.set(slice, filled);
      filled += slice.length;
      received(slice.length);
    }
  } catch (error) {
    return fail({ code: 'protocol.disconnected', message: `the snapshot file stopped: ${(error as Error).message}` });
  }
  if (filled !== bytes.length) return badFile(`it ended at ${filled} of ${file.bytes} bytes`);
  const attachStart = performance.now();
  await tables.attachFile(bytes, tableNames);
  performance.measure('ocm:attach', { start: attachStart, end: performance.now(), detail: { bytes: file.bytes } });
  return ok(undefined);
}

function badFile(message: string): Result<never> {
  return fail({ code: 'protocol.bad-message', message: `snapshot file: ${message}` });
}
