/**
 * The snapshot body (protocol 3): a client's snapshot tables as one HTTP response instead of WebSocket frames
 * (or, for a client that attaches one, the DuckDB file of `snapshotFiles.ts`).
 * The session that takes a snapshot issues a ticket (a random, single-use path named in its `hello`); the client
 * `GET`s it with its token; the session waits for the body to be written before it sends `snapshot-done`.
 *
 * Each table's chunks are joined into one Arrow IPC stream (`spliceIpcStreams`, byte views, no copy) and written
 * through the same paced sender as the socket, so a slow reader holds at most the in-flight bound of bytes that
 * are not the store's own: the records are views into the store's chunks.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { tableFromIPC } from 'apache-arrow';
import { fail, ok, SNAPSHOT_BODY_CONTENT_TYPE, snapshotRecordHead, type Result } from '../../../../shared/src/index.js';
import { spliceIpcStreams, type IpcPiece } from '../../arrow/index.js';
import type { TableSnapshot } from './engineSnapshot.js';
import { createPacedSender } from './pacedSender.js';

/** Where snapshot bodies are served; the rest of the path is the ticket id. */
export const SNAPSHOT_BODY_PATH = '/snapshot/';
/** A client that has not started fetching its body by then gets a fresh snapshot on its next connection. */
export const DEFAULT_TICKET_TTL_MS = 60_000;

interface BodyRecord {
  readonly head: Uint8Array;
  readonly ipc: Uint8Array;
}

/** Bytes of the joined stream that starts at piece `from`. */
function bytesUntilEnd(pieces: readonly IpcPiece[], from: number): number {
  let bytes = 0;
  for (let i = from; i < pieces.length; i++) {
    bytes += pieces[i]!.ipc.length;
    if (pieces[i]!.end) break;
  }
  return bytes;
}

/** The records of a snapshot body, in send order, and their total size. */
export function snapshotBodyRecords(tables: readonly TableSnapshot[]): { readonly records: BodyRecord[]; readonly bytes: number } {
  const records: BodyRecord[] = [];
  let bytes = 0;
  for (const table of tables) {
    const pieces = spliceIpcStreams(table.chunks);
    const joinedStreams = pieces.filter((p) => p.end).length;
    let streamBytes = 0;
    pieces.forEach((piece, chunk) => {
      if (chunk === 0 || pieces[chunk - 1]!.end) streamBytes = bytesUntilEnd(pieces, chunk);
      // Rows travel with the piece that ends a stream; a table joined into one stream needs no decoding to count.
      const rows = joinedStreams === 1 ? (piece.end ? table.rows : 0) : tableFromIPC(table.chunks[piece.source]!).numRows;
      const head = snapshotRecordHead({ type: 'arrow-chunk', table: table.name, chunk, rows, end: piece.end, streamBytes }, piece.ipc.length);
      records.push({ head, ipc: piece.ipc });
      bytes += head.length + piece.ipc.length;
    });
  }
  return { records, bytes };
}

/**
 * What a ticket serves: its size and content type up front, then its bytes through `send` (the paced sender; false
 * once the response is gone). `release` runs once the ticket is settled, however it ended.
 */
export interface TicketBody {
  readonly bytes: number;
  readonly contentType: string;
  write(send: (bytes: Uint8Array) => Promise<boolean>): Promise<boolean>;
  release?(): void;
}

/** A snapshot's tables as Arrow records (the body `hello.snapshotPath` names). */
export function arrowSnapshotBody(tables: readonly TableSnapshot[]): TicketBody {
  const { records, bytes } = snapshotBodyRecords(tables);
  return {
    bytes,
    contentType: SNAPSHOT_BODY_CONTENT_TYPE,
    async write(send) {
      for (const record of records) if (!(await send(record.head)) || !(await send(record.ipc))) return false;
      return true;
    },
  };
}

export interface SnapshotTicket {
  readonly id: string;
  /** The path to put in `hello.snapshotPath` (or `hello.snapshotFile.path`). */
  readonly path: string;
  readonly bytes: number;
  /** Settles once the body was written whole, or with the problem that stopped it (expired, cut, cancelled). */
  readonly outcome: Promise<Result<void>>;
  /** The session no longer wants it (closed or restarted): stops a body being written. */
  cancel(reason: string): void;
}

export interface SnapshotTickets {
  issue(body: TicketBody): SnapshotTicket;
  /** Serves `GET /snapshot/<id>`; false when there is no such ticket (already used, expired, never issued). */
  serve(id: string, res: http.ServerResponse, maxInFlightBytes?: number): boolean;
  readonly pending: number;
}

export function createSnapshotTickets(options: { readonly ttlMs?: number } = {}): SnapshotTickets {
  const ttlMs = options.ttlMs ?? DEFAULT_TICKET_TTL_MS;
  const waiting = new Map<string, { body: TicketBody; settle: (result: Result<void>) => void; attach: (stop: (reason: string) => void) => void }>();
  // The expiry covers the wait for the fetch only: a large body to a slow reader may take longer to write.

  return {
    issue(body) {
      const id = randomBytes(18).toString('base64url');
      let settled = false;
      let stopWriting: ((reason: string) => void) | undefined;
      let resolve!: (result: Result<void>) => void;
      const outcome = new Promise<Result<void>>((r) => (resolve = r));
      const settle = (result: Result<void>) => {
        if (settled) return;
        settled = true;
        clearTimeout(expiry);
        waiting.delete(id);
        body.release?.();
        resolve(result);
      };
      const expiry = setTimeout(() => settle(fail({ code: 'protocol.disconnected', message: `the snapshot body was not fetched within ${ttlMs} ms` })), ttlMs);
      expiry.unref?.();
      waiting.set(id, {
        body,
        settle,
        attach: (stop) => {
          clearTimeout(expiry);
          stopWriting = stop;
        },
      });
      return {
        id,
        path: `${SNAPSHOT_BODY_PATH}${id}`,
        bytes: body.bytes,
        outcome,
        cancel(reason) {
          stopWriting?.(reason);
          settle(fail({ code: 'protocol.disconnected', message: reason }));
        },
      };
    },
    serve(id, res, maxInFlightBytes) {
      const ticket = waiting.get(id);
      if (!ticket) return false;
      waiting.delete(id);
      res.writeHead(200, { 'content-type': ticket.body.contentType, 'content-length': ticket.body.bytes, 'cache-control': 'no-store' });
      const sender = createPacedSender(
        { send: (frame, done) => void res.write(frame, (error) => done(error ?? undefined)), close: () => res.destroy() },
        maxInFlightBytes,
      );
      let finished = false;
      const stop = (reason: string) => {
        if (finished) return;
        finished = true;
        sender.close();
        res.destroy();
        ticket.settle(fail({ code: 'protocol.disconnected', message: reason }));
      };
      ticket.attach(stop);
      res.on('close', () => stop('the client stopped reading the snapshot body'));
      void (async () => {
        let whole: boolean;
        try {
          whole = await ticket.body.write((bytes) => sender.send(bytes, bytes.length));
        } catch (error) {
          return stop(`the snapshot body could not be read: ${(error as Error).message}`);
        }
        if (!whole) return stop('the snapshot body could not be written');
        finished = true;
        res.end(() => ticket.settle(ok(undefined)));
      })();
      return true;
    },
    get pending() {
      return waiting.size;
    },
  };
}
