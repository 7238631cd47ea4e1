/**
 * The wire contract between the engine and its clients (dashboard, tray, tests). Text frames carry one JSON
 * `ServerMessage` or `ClientMessage`; binary frames carry Arrow IPC bytes behind a small JSON header
 * (see `codec.ts`). Every message is tagged by `type`.
 *
 * A stream starts with `hello`. Then either a snapshot (`live-state`, the tables fetched over HTTP from
 * `hello.snapshotPath` as `arrow-chunk` records (see `snapshotBody.ts`), `snapshot-done`; or the DuckDB file of
 * `hello.snapshotFile`, the seq'd messages since it, `live-state`, `snapshot-done`) or,
 * for a client that resumed, the seq'd messages it missed followed by `resumed`. After that the engine sends
 * every change as a seq'd message: `seq` grows by exactly one per message, so a client that applied seq N
 * next expects N + 1 and anything else is a gap. Seqs are only comparable within one `epoch` (one engine run).
 */
import type { SerializedError } from '../errors/index.js';
import type { Problem } from '../errors/index.js';
import type { LiveDiff, LiveNotification, LiveState } from '../live/index.js';
import type { TableName } from '../schema/index.js';
import type { ContentKind, ContentData } from './content.js';

/** One primary-key value; a key is the tuple of a table's `primaryKey` columns, in that order. */
export type KeyValue = string | number | boolean | null;
export type KeyTuple = readonly KeyValue[];

/** Sent first on every stream (and again when the engine restarts a stream for a client that fell behind). */
export interface HelloMessage {
  readonly type: 'hello';
  readonly protocolVersion: number;
  readonly schemaVersion: number;
  readonly engineVersion: string;
  /** Tables the engine serves, in the order a snapshot sends them. */
  readonly tables: readonly TableName[];
  /** True when the engine runs on the embedded demo dataset instead of the user's data. */
  readonly demo: boolean;
  /** The OpenCode data directory the engine reads. */
  readonly dataDir: string;
  /** Identifies this engine run; a resume point from another epoch is worthless. */
  readonly epoch: string;
  /** The seq the data that follows is at: the snapshot's seq, or (replay) the client's own `lastSeq`. */
  readonly seq: number;
  /** What follows: a full snapshot, or a replay of the seq'd messages after `seq`. */
  readonly mode: 'snapshot' | 'replay';
  /** Snapshot mode: rows each table will have once loaded (for progress). Empty in replay mode. */
  readonly tableRows: Readonly<Partial<Record<TableName, number>>>;
  /**
   * Snapshot mode with tables: where to `GET` the snapshot body (the tables' Arrow data, `snapshotBody.ts`), with
   * the same token as the socket. Valid once, for this connection only, and only for a short while; the engine
   * sends `snapshot-done` once the body has been sent. Browsers take an HTTP body several times faster than
   * WebSocket frames (about 600 against 80 MiB/s in headless Chromium on the reference machine).
   */
  readonly snapshotPath?: string;
  /** Snapshot mode: bytes of the snapshot body (for progress). */
  readonly snapshotBytes?: number;
  /**
   * Snapshot mode, instead of `snapshotPath`, for a client that said it can attach one (`/ws?attach=1`): where to
   * `GET` a DuckDB database file holding every table as it was at `seq` (rows as `tableRows` says), to attach
   * read-only. Once the client has fetched it, the engine sends the seq'd messages after `seq` (table changes to
   * apply over the file; live diffs and notifications only to count, the live state follows), then `live-state`
   * and `snapshot-done` at the seq reached, whose `rows` the tables then hold. Fetched once, like the body.
   */
  readonly snapshotFile?: { readonly path: string; readonly bytes: number };
}

/** Snapshot phase: the live state at the snapshot's seq; later changes come as `live-diff`. */
export interface LiveStateMessage {
  readonly type: 'live-state';
  readonly seq: number;
  readonly state: LiveState;
}

/** Every table listed in `hello` has been sent in full; seq'd messages after `seq` follow. */
export interface SnapshotDoneMessage {
  readonly type: 'snapshot-done';
  readonly seq: number;
  readonly rows: Readonly<Record<string, number>>;
}

/** Replay phase over: every seq'd message up to `seq` has been sent again. */
export interface ResumedMessage {
  readonly type: 'resumed';
  readonly fromSeq: number;
  readonly seq: number;
}

/** Rows removed from a table, by primary key. */
export interface TableDeleteMessage {
  readonly type: 'table-delete';
  readonly seq: number;
  readonly table: TableName;
  readonly keys: readonly KeyTuple[];
}

/** Changes to the live state, to apply in order with `applyLiveDiff`. */
export interface LiveDiffMessage {
  readonly type: 'live-diff';
  readonly seq: number;
  readonly diffs: readonly LiveDiff[];
}

export interface NotificationMessage {
  readonly type: 'notification';
  readonly seq: number;
  readonly notification: LiveNotification;
}

/** An expected problem the client should show (e.g. a malformed client message, dropped). */
export interface ProblemMessage {
  readonly type: 'problem';
  readonly problem: Problem;
}

/** Answer to a request the engine could not process because of a bug. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly requestId?: string;
  readonly error: SerializedError;
}

/** Answer to a `ping`. */
export interface PongMessage {
  readonly type: 'pong';
  readonly requestId: string;
}

/** Answer to a `request`: the content, or the problem that prevented it (errors are data). */
export type ResponseMessage =
  | { readonly type: 'response'; readonly requestId: string; readonly ok: true; readonly data: ContentData }
  | { readonly type: 'response'; readonly requestId: string; readonly ok: false; readonly problem: Problem };

export type ServerMessage =
  | HelloMessage
  | LiveStateMessage
  | SnapshotDoneMessage
  | ResumedMessage
  | TableDeleteMessage
  | LiveDiffMessage
  | NotificationMessage
  | ProblemMessage
  | ErrorMessage
  | PongMessage
  | ResponseMessage;
export type ServerMessageType = ServerMessage['type'];

export interface PingMessage {
  readonly type: 'ping';
  readonly requestId: string;
}

/**
 * Restart this connection's stream from `lastSeq` of `epoch`: the engine replays what came after it, or sends a
 * fresh snapshot when it no longer holds that far back (or the epoch is another run's). The same resume point
 * may be given in the WebSocket URL (`/ws?epoch=…&lastSeq=…`) so a reconnect skips the first snapshot.
 */
export interface ResumeMessage {
  readonly type: 'resume';
  readonly epoch: string;
  readonly lastSeq: number;
}

/** Asks for content the tables only preview. Answered by a `response` with the same `requestId`. */
export interface RequestMessage {
  readonly type: 'request';
  readonly requestId: string;
  readonly kind: ContentKind;
  /** Part id for `part-text` and `tool-output`; session id for `transcript`. */
  readonly id: string;
}

export type ClientMessage = PingMessage | ResumeMessage | RequestMessage;

/**
 * Header of a snapshot record: a piece of one table's Arrow IPC stream. A table's pieces come one after another;
 * concatenated up to the piece with `end`, they form one complete IPC stream (schema first, end-of-stream
 * marker last), so the client loads a whole table in one insert instead of hundreds. A table may be sent as
 * more than one stream: the first (chunk 0) creates the table, later ones append to it.
 */
export interface ArrowChunkHeader {
  readonly type: 'arrow-chunk';
  readonly table: TableName;
  /** 0-based index of this piece within the table's snapshot. */
  readonly chunk: number;
  /** Rows in this piece. */
  readonly rows: number;
  /** This piece ends an IPC stream: load what has been gathered. */
  readonly end: boolean;
  /** Bytes of the whole IPC stream this piece belongs to, so the client gathers it in one buffer, copied once. */
  readonly streamBytes: number;
}

/**
 * New or changed rows (the Arrow IPC that follows). Apply: delete rows whose key is in `deletes` or equals the
 * key of a row that follows, then insert the rows. Replaying it is harmless.
 */
export interface TableUpsertHeader {
  readonly type: 'table-upsert';
  readonly seq: number;
  readonly table: TableName;
  readonly rows: number;
  /** Keys of rows this change superseded that the new rows do not carry again. */
  readonly deletes: readonly KeyTuple[];
}

/** The table's new content, whole (derived tables the engine recomputes). */
export interface TableReplaceHeader {
  readonly type: 'table-replace';
  readonly seq: number;
  readonly table: TableName;
  readonly rows: number;
}

export type ArrowFrameHeader = ArrowChunkHeader | TableUpsertHeader | TableReplaceHeader;

/** A seq'd message of either kind: what the engine's ring of recent changes holds. */
export type SeqHeader = TableUpsertHeader | TableReplaceHeader;
export type SeqMessage = TableDeleteMessage | LiveDiffMessage | NotificationMessage;
