/**
 * What the dashboard (and a test) can see of the stream: phase, position, progress per table, live state.
 * Plain data, mutated in place by the client; the page wraps it in `reactive()` so views follow along.
 */
import { emptyLiveState, type HelloMessage, type LiveNotification, type LiveState, type Problem } from '../../../shared/src/index.js';

/**
 * connecting: socket opening; snapshot: loading a fresh snapshot; replay: receiving what was missed; live: in
 * step with the engine; disconnected: waiting to reconnect; closed: stopped by the caller; incompatible: the
 * engine speaks another protocol version (no retry).
 */
export type ClientPhase = 'connecting' | 'snapshot' | 'replay' | 'live' | 'disconnected' | 'closed' | 'incompatible';

export interface TableProgress {
  /** Rows the snapshot announced for the table (hello.tableRows). */
  expectedRows: number;
  /** Snapshot rows received and inserted so far. */
  loadedRows: number;
  /** Bytes of Arrow frames received for the table, snapshot and deltas. */
  bytes: number;
  /** Delta frames applied to the table since the last snapshot. */
  deltas: number;
}

export interface EngineClientState {
  phase: ClientPhase;
  hello: HelloMessage | null;
  /** The engine run the position belongs to. */
  epoch: string;
  /** Seq of the last change applied to the database; meaningful once a snapshot or resume completed. */
  appliedSeq: number;
  tables: Record<string, TableProgress>;
  bytesReceived: number;
  framesReceived: number;
  snapshots: number;
  /** Reconnects that resumed by replay rather than a fresh snapshot. */
  replays: number;
  duplicatesDropped: number;
  gapsDetected: number;
  live: LiveState;
  /** The latest notifications, newest last (bounded). */
  notifications: LiveNotification[];
  problems: Problem[];
  lastError: string;
  /** Bumped whenever the database changed (snapshot done, delta applied): panels re-run their queries. */
  revision: number;
}

export const MAX_KEPT_NOTIFICATIONS = 50;
export const MAX_KEPT_PROBLEMS = 20;

export function initialClientState(): EngineClientState {
  return {
    phase: 'connecting',
    hello: null,
    epoch: '',
    appliedSeq: 0,
    tables: {},
    bytesReceived: 0,
    framesReceived: 0,
    snapshots: 0,
    replays: 0,
    duplicatesDropped: 0,
    gapsDetected: 0,
    live: emptyLiveState(),
    notifications: [],
    problems: [],
    lastError: '',
    revision: 0,
  };
}

export function tableProgress(state: EngineClientState, table: string): TableProgress {
  return (state.tables[table] ??= { expectedRows: 0, loadedRows: 0, bytes: 0, deltas: 0 });
}

/** Keeps the newest `max` items. */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
