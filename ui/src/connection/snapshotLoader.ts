/**
 * Loads a snapshot body (protocol 3, `shared/src/protocol/snapshotBody.ts`) into DuckDB: each table's pieces are
 * gathered into one Arrow IPC stream and inserted at once. Reading runs ahead of inserting by a bounded amount,
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

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  return joined;
}

export async function loadSnapshotBody(path: string, fetchBody: FetchSnapshotBody, tables: TableSync, progress: SnapshotLoadProgress): Promise<Result<void>> {
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
        while (queuedBytes > READ_AHEAD_BYTES && !abort.signal.aborted) await new Promise<void>((resolve) => (wakeReader = resolve));
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
  let gathered: Uint8Array[] = [];
  let gatheredRows = 0;
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
      gathered.push(frame.ipc);
      gatheredRows += frame.header.rows;
      if (!frame.header.end) continue;
      const { table } = frame.header;
      await tables.loadChunk(table, concat(gathered), !created.has(table));
      created.add(table);
      progress.loaded(table, gatheredRows);
      gathered = [];
      gatheredRows = 0;
    }
  } finally {
    abort.abort();
    nudge('reader');
    await reading;
  }
  if (readProblem) return readProblem;
  if (gathered.length > 0) return fail({ code: 'protocol.bad-message', message: 'the snapshot body ended inside a table (a piece without its end)' });
  return ok(undefined);
}
