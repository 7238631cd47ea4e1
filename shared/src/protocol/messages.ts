/**
 * The wire contract between the engine and its clients (dashboard, tray, tests). Text frames carry one JSON
 * `ServerMessage` or `ClientMessage`; binary frames carry Arrow IPC bytes behind a small JSON header
 * (see `codec.ts`). Every message is tagged by `type`.
 */
import type { SerializedError } from '../errors/index.js';
import type { Problem } from '../errors/index.js';
import type { TableName } from '../schema/index.js';

/** Sent first on every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly protocolVersion: number;
  readonly schemaVersion: number;
  readonly engineVersion: string;
  /** Tables the engine will send, in order. */
  readonly tables: readonly TableName[];
  /** True when the engine runs on the embedded demo dataset instead of the user's data. */
  readonly demo: boolean;
  /** The OpenCode data directory the engine reads. */
  readonly dataDir: string;
}

/** Every table listed in `hello` has been sent in full. */
export interface SnapshotDoneMessage {
  readonly type: 'snapshot-done';
  readonly rows: Readonly<Record<string, number>>;
}

/** An expected problem the client should show (e.g. a source that could not be read). */
export interface ProblemMessage {
  readonly type: 'problem';
  readonly problem: Problem;
}

/** Answer to a request the engine could not process. */
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

export type ServerMessage = HelloMessage | SnapshotDoneMessage | ProblemMessage | ErrorMessage | PongMessage;
export type ServerMessageType = ServerMessage['type'];

export interface PingMessage {
  readonly type: 'ping';
  readonly requestId: string;
}

export type ClientMessage = PingMessage;

/** Header of a binary frame: which table the Arrow IPC stream that follows belongs to. */
export interface ArrowChunkHeader {
  readonly type: 'arrow-chunk';
  readonly table: TableName;
  /** 0-based index of this chunk within the table's snapshot. */
  readonly chunk: number;
  /** Rows in this chunk. */
  readonly rows: number;
}
