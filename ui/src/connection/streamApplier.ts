/**
 * The client's reading of the stream, one frame at a time in arrival order: hello resets, snapshot chunks load,
 * seq'd messages apply only if they carry exactly the next seq. A duplicate is dropped; a gap stops applying
 * until the engine restarts the stream (the client asks for that with `resume`).
 */
import {
  applyLiveDiff,
  decodeArrowFrame,
  decodeServerMessage,
  nextSeqCheck,
  PROTOCOL_VERSION,
  type DecodedArrowFrame,
  type ServerMessage,
  type TableName,
} from '../../../shared/src/index.js';
import type { TableSync } from '../db/tableSync.js';
import { MAX_KEPT_NOTIFICATIONS, MAX_KEPT_PROBLEMS, pushBounded, tableProgress, type EngineClientState } from './clientState.js';
import { loadSnapshotBody, loadSnapshotFile, type FetchSnapshotBody } from './snapshotLoader.js';

/** What the applier asks of the connection around it. */
export interface ApplierEvents {
  /** A snapshot or replay completed: the database is consistent at `state.appliedSeq`. */
  onSynced(): void;
  /** A seq'd message skipped ahead: ask the engine to resume from `state.appliedSeq`. */
  onGap(expected: number, got: number): void;
  /** The engine cannot be followed (another protocol version, or a replay that does not start where we are). */
  onFatal(reason: string, retry: boolean): void;
  onResponse(message: Extract<ServerMessage, { type: 'response' }>): void;
  onNotification?(notification: Extract<ServerMessage, { type: 'notification' }>['notification']): void;
}

export interface StreamApplier {
  text(text: string): Promise<void>;
  binary(frame: Uint8Array): Promise<void>;
  /** True between a snapshot hello and its snapshot-done: the database is half loaded and no resume point. */
  readonly loading: boolean;
}

const utf8 = new TextEncoder();

/** Tables whose loaded rows differ from what `snapshot-done` says they hold (a snapshot that did not land whole). */
function shortTables(state: EngineClientState, rows: Readonly<Record<string, number>>): string[] {
  return Object.entries(rows)
    .filter(([name, expected]) => (state.tables[name as keyof typeof state.tables]?.loadedRows ?? 0) !== expected)
    .map(([name, expected]) => `${name} (${state.tables[name as keyof typeof state.tables]?.loadedRows ?? 0} of ${expected} rows)`);
}

export function createStreamApplier(state: EngineClientState, tables: TableSync, fetchBody: FetchSnapshotBody, events: ApplierEvents): StreamApplier {
  /** After a gap, seq'd messages are dropped until the engine's next hello restarts the stream. */
  let waitingForHello = false;
  let loading = false;
  /**
   * A snapshot file is attached and the seq'd messages since its seq arrive before `snapshot-done`: table changes
   * apply, live diffs and notifications only move the seq (the live state at the end comes whole).
   */
  let catchingUp = false;

  /** Decides whether a seq'd message is the next one; counts the others. */
  const admit = (seq: number): boolean => {
    if (waitingForHello || (loading && !catchingUp)) return false;
    const check = nextSeqCheck(state.appliedSeq, seq);
    if (check === 'apply') return true;
    if (check === 'duplicate') state.duplicatesDropped++;
    else {
      state.gapsDetected++;
      waitingForHello = true;
      events.onGap(state.appliedSeq + 1, seq);
    }
    return false;
  };
  const applied = (seq: number) => {
    state.appliedSeq = seq;
    state.revision++;
  };
  /** Nothing of this snapshot counts: wait for the next hello (the reconnect's fresh snapshot). */
  const abandonSnapshot = (reason: string) => {
    loading = false;
    catchingUp = false;
    waitingForHello = true;
    events.onFatal(reason, true);
  };

  const onMessage = async (message: ServerMessage): Promise<void> => {
    switch (message.type) {
      case 'hello':
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          return events.onFatal(`protocol.version-mismatch: the engine speaks protocol ${message.protocolVersion}, this page ${PROTOCOL_VERSION}; reload the page`, false);
        }
        if (message.mode === 'replay' && (message.epoch !== state.epoch || message.seq !== state.appliedSeq || loading)) {
          return events.onFatal(`the engine replays from seq ${message.seq} but this client is at ${state.appliedSeq}`, true);
        }
        waitingForHello = false;
        state.hello = message;
        state.epoch = message.epoch;
        state.phase = message.mode;
        if (message.mode === 'snapshot') {
          loading = true;
          catchingUp = false;
          state.snapshots++;
          state.tables = {};
          for (const name of message.tables) tableProgress(state, name).expectedRows = message.tableRows[name] ?? 0;
          if (message.snapshotFile) {
            const attached = await loadSnapshotFile(message.snapshotFile, message.tables, fetchBody, tables, (bytes) => (state.bytesReceived += bytes));
            if (!attached.ok) return abandonSnapshot(`could not load the snapshot file: ${attached.problem.message}`);
            for (const name of message.tables) tableProgress(state, name).loadedRows = message.tableRows[name] ?? 0;
            state.appliedSeq = message.seq;
            catchingUp = true;
          } else if (message.snapshotPath) {
            const loaded = await loadSnapshotBody(message.snapshotPath, fetchBody, tables, {
              received(table, bytes) {
                tableProgress(state, table).bytes += bytes;
                state.bytesReceived += bytes;
              },
              loaded: (table, rows) => void (tableProgress(state, table).loadedRows += rows),
            });
            if (!loaded.ok) return abandonSnapshot(`could not load the snapshot: ${loaded.problem.message}`);
          }
        } else state.replays++;
        return;
      case 'live-state':
        if (loading) state.live = message.state;
        return;
      case 'snapshot-done': {
        if (!loading) return;
        if (catchingUp) {
          // Over a file, the seq'd messages since it came first: they must end exactly where the snapshot does.
          if (state.appliedSeq !== message.seq) return abandonSnapshot(`the snapshot ends at seq ${message.seq} but its changes reached ${state.appliedSeq}`);
          // A table no change touched holds the file's rows (hello.tableRows); the others are counted.
          for (const name of Object.keys(message.rows) as TableName[]) {
            if (tableProgress(state, name).deltas > 0) tableProgress(state, name).loadedRows = await tables.rowCount(name);
          }
        }
        const short = shortTables(state, message.rows);
        if (short.length > 0) return abandonSnapshot(`the snapshot did not arrive whole: ${short.join(', ')}`);
        loading = false;
        catchingUp = false;
        state.phase = 'live';
        applied(message.seq);
        return events.onSynced();
      }
      case 'resumed':
        if (waitingForHello || loading) return;
        state.phase = 'live';
        return events.onSynced();
      case 'table-delete':
        if (!admit(message.seq)) return;
        await tables.delete(message.table, message.keys);
        tableProgress(state, message.table).deltas++;
        return applied(message.seq);
      case 'live-diff':
        if (!admit(message.seq)) return;
        if (!catchingUp) state.live = applyLiveDiff(state.live, message.diffs);
        return applied(message.seq);
      case 'notification':
        if (!admit(message.seq)) return;
        if (catchingUp) return applied(message.seq);
        pushBounded(state.notifications, message.notification, MAX_KEPT_NOTIFICATIONS);
        events.onNotification?.(message.notification);
        return applied(message.seq);
      case 'response':
        return events.onResponse(message);
      case 'problem':
        return pushBounded(state.problems, message.problem, MAX_KEPT_PROBLEMS);
      case 'error':
        state.lastError = message.error.message;
        return;
      case 'pong':
        return;
    }
  };

  const onFrame = async ({ header, ipc }: DecodedArrowFrame): Promise<void> => {
    const progress = tableProgress(state, header.table);
    progress.bytes += ipc.byteLength;
    switch (header.type) {
      case 'arrow-chunk':
        // Protocol 3 sends snapshot tables in the HTTP snapshot body only.
        return protocolProblem(`an arrow-chunk frame for "${header.table}" arrived on the socket; it belongs in the snapshot body`);
      case 'table-upsert':
        if (!admit(header.seq)) return;
        await tables.upsert(header.table, ipc, header.deletes);
        progress.deltas++;
        return applied(header.seq);
      case 'table-replace':
        if (!admit(header.seq)) return;
        await tables.replace(header.table, ipc);
        progress.deltas++;
        return applied(header.seq);
    }
  };

  const protocolProblem = (message: string) => pushBounded(state.problems, { code: 'protocol.bad-message', message }, MAX_KEPT_PROBLEMS);

  return {
    async text(text) {
      state.framesReceived++;
      state.bytesReceived += utf8.encode(text).byteLength;
      const decoded = decodeServerMessage(text);
      if (!decoded.ok) return protocolProblem(decoded.problem.message);
      await onMessage(decoded.value);
    },
    async binary(frame) {
      state.framesReceived++;
      state.bytesReceived += frame.byteLength;
      const decoded = decodeArrowFrame(frame);
      if (!decoded.ok) return protocolProblem(decoded.problem.message);
      await onFrame(decoded.value);
    },
    get loading() {
      return loading;
    },
  };
}
