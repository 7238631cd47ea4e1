/**
 * The engine client core, the same in the page and in the Node twin: opens the socket, feeds frames to the
 * applier strictly in order, reconnects with back-off and resumes from the last applied seq (the engine
 * replays what was missed, or sends a fresh snapshot), and carries request/response for on-demand content.
 */
import {
  encodeMessage,
  fail,
  type ClientMessage,
  type ContentData,
  type ContentKind,
  type LiveNotification,
  type Result,
} from '../../../shared/src/index.js';
import type { TableSync } from '../db/tableSync.js';
import { initialClientState, type EngineClientState } from './clientState.js';
import type { EngineSocket, OpenSocket } from './engineConnection.js';
import { createStreamApplier } from './streamApplier.js';
import type { FetchSnapshotBody } from './snapshotLoader.js';

export interface EngineClientOptions {
  /** The engine's `/ws` URL, without a resume point (the client adds it on reconnects). */
  readonly url: string;
  readonly openSocket: OpenSocket;
  /** Fetches a snapshot's tables (`hello.snapshotPath`) from the engine's origin with the same token. */
  readonly fetchSnapshotBody: FetchSnapshotBody;
  readonly tables: TableSync;
  /** Lets the page make the state reactive (`reactive`); identity by default. */
  readonly wrapState?: (state: EngineClientState) => EngineClientState;
  readonly onNotification?: (notification: LiveNotification) => void;
  /** Back-off between reconnects; `false` never reconnects. @default { minDelayMs: 250, maxDelayMs: 10_000 } */
  readonly reconnect?: { readonly minDelayMs?: number; readonly maxDelayMs?: number } | false;
}

export interface EngineClient {
  readonly state: EngineClientState;
  /** Settles once the first snapshot (or resume) is in the database. */
  readonly ready: Promise<void>;
  /** Settles once every change up to `seq` is applied. */
  waitForSeq(seq: number): Promise<void>;
  /** Settles once every frame received so far has been applied. */
  settled(): Promise<void>;
  request(kind: ContentKind, id: string): Promise<Result<ContentData>>;
  /** Drops the socket as a network failure would; the client reconnects and resumes. */
  dropConnection(): void;
  close(): void;
}

export function createEngineClient(options: EngineClientOptions): EngineClient {
  const state = (options.wrapState ?? ((s) => s))(initialClientState());
  const backoff = options.reconnect === false ? undefined : { min: options.reconnect?.minDelayMs ?? 250, max: options.reconnect?.maxDelayMs ?? 10_000 };
  let delay = backoff?.min ?? 0;
  let socket: EngineSocket | undefined;
  let closed = false;
  let synced = false;
  let chain: Promise<void> = Promise.resolve();
  let requestCounter = 0;
  const pending = new Map<string, (result: Result<ContentData>) => void>();
  const seqWaiters: { seq: number; resolve: () => void }[] = [];
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  const send = (message: ClientMessage) => socket?.send(encodeMessage(message));
  const releaseSeqWaiters = () => {
    for (let i = seqWaiters.length - 1; i >= 0; i--) {
      if (seqWaiters[i]!.seq <= state.appliedSeq && synced) {
        seqWaiters[i]!.resolve();
        seqWaiters.splice(i, 1);
      }
    }
  };
  const failPending = (message: string) => {
    for (const [id, resolve] of pending) resolve(fail({ code: 'protocol.disconnected', message, source: id }));
    pending.clear();
  };

  const applier = createStreamApplier(state, options.tables, options.fetchSnapshotBody, {
    onSynced() {
      synced = true;
      delay = backoff?.min ?? 0;
      resolveReady();
      releaseSeqWaiters();
    },
    onGap(expected, got) {
      state.lastError = `missed changes (expected seq ${expected}, got ${got}); resuming`;
      send({ type: 'resume', epoch: state.epoch, lastSeq: state.appliedSeq });
    },
    onFatal(reason, retry) {
      state.lastError = reason;
      if (!retry) {
        state.phase = 'incompatible';
        closed = true;
      } else synced = false; // reconnect without a resume point: a fresh snapshot
      socket?.close();
    },
    onResponse(message) {
      const resolve = pending.get(message.requestId);
      pending.delete(message.requestId);
      resolve?.(message.ok ? { ok: true, value: message.data } : { ok: false, problem: message.problem });
    },
    ...(options.onNotification ? { onNotification: options.onNotification } : {}),
  });

  /** Every frame is applied after the one before it, whatever each costs. */
  const enqueue = (work: () => Promise<void>) => {
    chain = chain
      .then(work)
      .then(releaseSeqWaiters)
      .catch((error: Error) => {
        // A delta that DuckDB refused leaves the database unknown: start over from a snapshot.
        state.lastError = `could not apply a change: ${error.message}`;
        synced = false;
        socket?.close();
      });
  };

  const urlFor = (): string => {
    if (!synced || !state.epoch) return options.url;
    const join = options.url.includes('?') ? '&' : '?';
    return `${options.url}${join}epoch=${encodeURIComponent(state.epoch)}&lastSeq=${state.appliedSeq}`;
  };

  const connect = () => {
    if (closed) return;
    state.phase = 'connecting';
    const current = options.openSocket(urlFor(), {
      onOpen() {},
      onText: (text) => socket === current && enqueue(() => applier.text(text)),
      onBinary: (bytes) => socket === current && enqueue(() => applier.binary(bytes.slice())),
      onClose(reason) {
        if (socket !== current) return;
        socket = undefined;
        failPending(`the engine connection closed before the answer (${reason})`);
        state.lastError = reason;
        // Frames that arrived before the close are valid and still applied; the resume point is where they end.
        void chain.then(() => {
          // A snapshot cut off half way leaves no consistent point to resume from.
          if (applier.loading) synced = false;
          if (closed) return;
          state.phase = 'disconnected';
          if (!backoff) return;
          setTimeout(connect, delay);
          delay = Math.min(backoff.max, delay * 2);
        });
      },
    });
    socket = current;
  };
  connect();

  return {
    state,
    ready,
    waitForSeq(seq) {
      if (synced && state.appliedSeq >= seq) return Promise.resolve();
      return new Promise((resolve) => seqWaiters.push({ seq, resolve }));
    },
    settled: () => chain,
    request(kind, id) {
      if (!socket) return Promise.resolve(fail({ code: 'protocol.disconnected', message: 'not connected to the engine' }));
      const requestId = `r${++requestCounter}`;
      const answer = new Promise<Result<ContentData>>((resolve) => pending.set(requestId, resolve));
      send({ type: 'request', requestId, kind, id });
      return answer;
    },
    dropConnection: () => socket?.close(),
    close() {
      closed = true;
      state.phase = 'closed';
      socket?.close();
      socket = undefined;
      failPending('the client was closed');
    },
  };
}
