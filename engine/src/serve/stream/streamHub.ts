/**
 * The engine side of the stream, one per engine run: hands out seqs, keeps the ring of recent seq'd messages
 * and the current live state, and tells every connected client's session when something new is there.
 * Producers call `publish*` synchronously right after they change the data, so a snapshot taken between two
 * publishes is exactly the state at the ring's current seq.
 */
import { randomBytes } from 'node:crypto';
import { applyLiveDiff, emptyLiveState, type KeyTuple, type LiveDiff, type LiveNotification, type LiveState, type TableName } from '../../../../shared/src/index.js';
import type { StoreChange } from '../../store/index.js';
import type { EngineSnapshot } from './engineSnapshot.js';
import { createClientSession, type ClientSession, type EngineDescription, type ResumePoint, type SessionOptions, type SessionStats, type StreamSource } from './clientSession.js';
import { createDeltaRing, type DeltaRing, type RingLimits } from './deltaRing.js';
import { arrowSnapshotBody, createSnapshotTickets, type SnapshotTickets } from './snapshotBody.js';
import { createSnapshotFiles, type SnapshotFiles, type SnapshotFilesOptions } from './snapshotFiles.js';
import { liveDiffFrame, notificationFrame, storeChangeFrame, tableDeleteFrame } from './deltaFrames.js';
import type { StreamSocket } from './pacedSender.js';

export interface StreamSnapshot {
  readonly seq: number;
  readonly snapshot: EngineSnapshot;
  readonly live: LiveState;
}

export interface StreamHubOptions {
  /**
   * The tables as they are now. Called right after reading the seq: a synchronous function gives an exact
   * snapshot; an async one may already hold changes that follow as deltas (harmless: applying them is idempotent).
   */
  readonly snapshot: () => EngineSnapshot | Promise<EngineSnapshot>;
  readonly ring?: RingLimits;
  /** @default random: each engine run is its own epoch. */
  readonly epoch?: string;
  readonly initialLiveState?: LiveState;
  /** How long an issued snapshot body waits to be fetched. @default 60 s */
  readonly snapshotBodyTtlMs?: number;
  /** Keep a DuckDB file of the tables for clients that attach one (`snapshotFiles.ts`); none without. */
  readonly snapshotFiles?: SnapshotFilesOptions;
}

export interface HubStats {
  readonly seq: number;
  readonly ringEntries: number;
  readonly ringBytes: number;
  readonly clients: readonly SessionStats[];
}

export interface StreamHub extends StreamSource {
  readonly liveState: LiveState;
  /** One change of the engine's tables (from `TableStore.subscribe`). */
  publishStoreChange(change: StoreChange): void;
  publishTableDelete(table: TableName, keys: readonly KeyTuple[]): void;
  publishLiveDiffs(diffs: readonly LiveDiff[]): void;
  publishNotification(notification: LiveNotification): void;
  /** Starts a client's stream on `socket`; call `close()` on the session when the socket closes. */
  attach(socket: StreamSocket, options: SessionOptions & { readonly resume?: ResumePoint }): ClientSession;
  /** The snapshot bodies sessions have issued, for the server's `GET /snapshot/<id>`. */
  readonly snapshotBodies: SnapshotTickets;
  /** The DuckDB file kept for clients that attach one, when the hub was given `snapshotFiles`. */
  readonly snapshotFiles: SnapshotFiles | undefined;
  /** Stops what runs in the background (the DuckDB file's writes) and removes the file. */
  close(): Promise<void>;
  stats(): HubStats;
}

export function createStreamHub(options: StreamHubOptions): StreamHub {
  const ring: DeltaRing = createDeltaRing(options.ring);
  const epoch = options.epoch ?? randomBytes(9).toString('base64url');
  let live = options.initialLiveState ?? emptyLiveState();
  const sessions = new Set<ClientSession>();
  let described: EngineDescription | undefined;
  const snapshotBodies = createSnapshotTickets(options.snapshotBodyTtlMs === undefined ? {} : { ttlMs: options.snapshotBodyTtlMs });
  let files: SnapshotFiles | undefined;
  const notifyAll = () => {
    for (const session of sessions) session.notify();
  };

  const hub: StreamHub = {
    epoch,
    ring,
    get liveState() {
      return live;
    },
    async takeSnapshot() {
      const seq = ring.seq;
      const state = live;
      const snapshot = await options.snapshot();
      described = { engineVersion: snapshot.engineVersion, demo: snapshot.demo, dataDir: snapshot.dataDir, tables: snapshot.tables.map((t) => t.name) };
      return { seq, live: state, snapshot };
    },
    async describe() {
      return described ?? (await hub.takeSnapshot(), described!);
    },
    snapshotBodies,
    get snapshotFiles() {
      return files;
    },
    issueSnapshotBody: (tables) => snapshotBodies.issue(arrowSnapshotBody(tables)),
    issueSnapshotFile() {
      const file = files?.offer();
      if (!file) return undefined;
      return { seq: file.seq, rows: file.rows, ticket: snapshotBodies.issue(files!.body(file)) };
    },
    publishStoreChange(change) {
      ring.push((seq) => storeChangeFrame(change, seq));
      files?.changed();
      notifyAll();
    },
    publishTableDelete(table, keys) {
      if (keys.length === 0) return;
      ring.push((seq) => tableDeleteFrame(table, keys, seq));
      files?.changed();
      notifyAll();
    },
    publishLiveDiffs(diffs) {
      if (diffs.length === 0) return;
      live = applyLiveDiff(live, diffs);
      ring.push((seq) => liveDiffFrame(diffs, seq), true);
      notifyAll();
    },
    publishNotification(notification) {
      ring.push((seq) => notificationFrame(notification, seq), true);
      notifyAll();
    },
    attach(socket, sessionOptions) {
      const session = createClientSession(socket, hub, sessionOptions);
      const close = session.close;
      sessions.add(session);
      session.close = () => {
        sessions.delete(session);
        close();
      };
      session.start(sessionOptions.resume);
      return session;
    },
    stats: () => ({ seq: ring.seq, ringEntries: ring.size, ringBytes: ring.bytes, clients: [...sessions].map((s) => s.stats()) }),
    close: async () => files?.close(),
  };
  if (options.snapshotFiles) {
    files = createSnapshotFiles(
      {
        get seq() {
          return ring.seq;
        },
        replayable: (seq) => ring.since(seq, 0).ok,
        takeSnapshot: () => hub.takeSnapshot(),
      },
      options.snapshotFiles,
    );
  }
  return hub;
}

/** A source of live-state changes, as the engine's live monitor hub (`engine/src/live`) provides them. */
export interface LiveChangeSource {
  state(): LiveState;
  subscribe(listener: (change: { readonly diffs: readonly LiveDiff[]; readonly notifications: readonly LiveNotification[] }) => void): () => void;
}

/**
 * Keeps a hub's live state and notifications in step with the live monitor. The monitor's current state goes
 * in first as one seq'd diff (it may already hold instances), then every change as it happens.
 */
export function streamLiveChanges(source: LiveChangeSource, hub: StreamHub): () => void {
  const unsubscribe = source.subscribe((change) => {
    hub.publishLiveDiffs(change.diffs);
    for (const notification of change.notifications) hub.publishNotification(notification);
  });
  hub.publishLiveDiffs([{ op: 'set', path: ['instances'], value: source.state().instances }]);
  return unsubscribe;
}

/** Keeps a hub fed from a store: every change becomes one seq'd delta. Returns the unsubscribe function. */
export function streamStoreChanges(store: { subscribe(listener: (change: StoreChange) => void): () => void }, hub: StreamHub): () => void {
  return store.subscribe((change) => hub.publishStoreChange(change));
}
