/**
 * One client's stream: `hello`, then a snapshot or a replay of what it missed, then every seq'd message in
 * order. The session never queues messages of its own: it keeps a cursor into the shared ring and pulls the
 * next entry when the paced sender lets it, so a slow client costs a cursor, and one that falls further behind
 * than the ring holds is sent a fresh snapshot (a new `hello`) instead.
 */
import {
  encodeMessage,
  fail,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type ClientMessage,
  type HelloMessage,
  type LiveState,
  type Problem,
  type RequestMessage,
  type ServerMessage,
  type TableName,
} from '../../../../shared/src/index.js';
import type { Logger } from '../../log.js';
import type { EngineSnapshot } from './engineSnapshot.js';
import type { ContentResolver } from './contentResolver.js';
import type { DeltaRing } from './deltaRing.js';
import { createPacedSender, type SenderStats, type StreamSocket } from './pacedSender.js';
import type { SnapshotTicket } from './snapshotBody.js';

/** What a session reads from the hub. */
export interface StreamSource {
  readonly epoch: string;
  readonly ring: DeltaRing;
  /** The tables and live state at one seq, taken in one synchronous step so the two agree. */
  takeSnapshot(): Promise<{ readonly seq: number; readonly snapshot: EngineSnapshot; readonly live: LiveState }>;
  /** What a replay's hello says about the engine (cached from the last snapshot; no tables are read). */
  describe(): Promise<EngineDescription>;
  /** Makes the snapshot's tables fetchable once over HTTP (the snapshot body, `snapshotBody.ts`). */
  issueSnapshotBody(tables: EngineSnapshot['tables']): SnapshotTicket;
  /** The DuckDB file a client that attaches may start from, made fetchable once (`snapshotFiles.ts`), or none. */
  issueSnapshotFile?(): { readonly seq: number; readonly rows: HelloMessage['tableRows']; readonly ticket: SnapshotTicket } | undefined;
}

export type EngineDescription = Pick<EngineSnapshot, 'engineVersion' | 'demo' | 'dataDir'> & { readonly tables: readonly TableName[] };

function helloMessage(
  engine: EngineDescription,
  epoch: string,
  seq: number,
  mode: HelloMessage['mode'],
  tableRows: HelloMessage['tableRows'],
  body?: { readonly ticket: SnapshotTicket; readonly file: boolean },
): HelloMessage {
  const { engineVersion, demo, dataDir, tables } = engine;
  const snapshotBody = !body ? {} : body.file ? { snapshotFile: { path: body.ticket.path, bytes: body.ticket.bytes } } : { snapshotPath: body.ticket.path, snapshotBytes: body.ticket.bytes };
  return { type: 'hello', protocolVersion: PROTOCOL_VERSION, schemaVersion: SCHEMA_VERSION, engineVersion, tables, demo, dataDir, epoch, seq, mode, tableRows, ...snapshotBody };
}

export interface ResumePoint {
  readonly epoch: string;
  readonly lastSeq: number;
}

export interface SessionOptions {
  readonly maxInFlightBytes?: number;
  readonly resolveContent?: ContentResolver;
  /** Requests answered at once per client; more are refused as data. @default 4 */
  readonly maxPendingRequests?: number;
  /**
   * Live state and notifications only, no tables (the tray): the snapshot is `hello` (no tables), `live-state`
   * and `snapshot-done`; table deltas are skipped, so this client's seqs have gaps where they were.
   */
  readonly liveOnly?: boolean;
  /**
   * The client can attach a DuckDB file (`/ws?attach=1`): its snapshot is the engine's file when there is one,
   * followed by the seq'd messages since the file's seq, then `live-state` and `snapshot-done` at the seq reached.
   */
  readonly attach?: boolean;
  readonly logger: Logger;
}

export type SessionPhase = 'snapshot' | 'replay' | 'live' | 'closed';

export interface SessionStats extends SenderStats {
  readonly phase: SessionPhase;
  /** The last seq sent to this client. */
  readonly cursor: number;
  readonly snapshots: number;
}

export interface ClientSession {
  /** (Re)starts the stream: a replay from `resume` when the ring still holds it, else a snapshot. */
  start(resume?: ResumePoint): void;
  handle(message: ClientMessage): void;
  /** Sends an expected problem (e.g. a malformed message) without touching the stream. */
  problem(problem: Problem): void;
  /** The hub has new seq'd entries. */
  notify(): void;
  close(): void;
  stats(): SessionStats;
}

type RangeOutcome = 'done' | 'evicted' | 'stopped';

const byteSize = (chunks: readonly Uint8Array[]) => chunks.reduce((n, c) => n + c.length, 0);
const PAGE = 256;

export function createClientSession(socket: StreamSocket, source: StreamSource, options: SessionOptions): ClientSession {
  const sender = createPacedSender(socket, options.maxInFlightBytes);
  const maxPending = options.maxPendingRequests ?? 4;
  let generation = 0;
  let cursor = 0;
  let phase: SessionPhase = 'snapshot';
  let snapshots = 0;
  let pending = 0;
  let running: Promise<unknown> = Promise.resolve();
  let wake: (() => void) | undefined;
  /** The snapshot body this session is waiting to be fetched, if any. */
  let body: SnapshotTicket | undefined;
  const current = (gen: number) => gen === generation && !sender.closed;

  const sendMessage = (message: ServerMessage): Promise<boolean> => {
    const text = encodeMessage(message);
    return sender.send(text, Buffer.byteLength(text));
  };

  /** Waits for the client to fetch its snapshot body or file; a failed fetch ends the connection. */
  const fetched = async (gen: number, ticket: SnapshotTicket): Promise<boolean> => {
    const outcome = await ticket.outcome;
    body = undefined;
    if (!current(gen)) return false;
    if (outcome.ok) return true;
    // The client has no consistent tables without it; its reconnect gets a fresh snapshot.
    options.logger.warn(`ws: snapshot body: ${outcome.problem.message}`);
    socket.close(1011, 'snapshot body not fetched');
    return false;
  };

  const sendSnapshot = async (gen: number, fileAllowed = true): Promise<boolean> => {
    phase = 'snapshot';
    snapshots++;
    if (fileAllowed && options.attach && !options.liveOnly) {
      const offered = source.issueSnapshotFile?.();
      if (offered) return sendFileSnapshot(gen, offered);
    }
    const { seq, snapshot: full, live } = await source.takeSnapshot();
    if (!current(gen)) return false;
    // Smallest tables first: the page can show its summary panels while the large per-row tables still load.
    const bySize = [...full.tables].sort((a, b) => byteSize(a.chunks) - byteSize(b.chunks));
    const snapshot = { ...full, tables: options.liveOnly ? [] : bySize };
    const tableRows = Object.fromEntries(snapshot.tables.map((t) => [t.name, t.rows]));
    const engine = { ...snapshot, tables: snapshot.tables.map((t) => t.name) };
    body?.cancel('a newer snapshot replaced this one');
    body = snapshot.tables.length > 0 ? source.issueSnapshotBody(snapshot.tables) : undefined;
    if (!(await sendMessage(helloMessage(engine, source.epoch, seq, 'snapshot', tableRows, body && { ticket: body, file: false })))) return false;
    if (!(await sendMessage({ type: 'live-state', seq, state: live }))) return false;
    if (body && !(await fetched(gen, body))) return false;
    if (!(await sendMessage({ type: 'snapshot-done', seq, rows: tableRows }))) return false;
    cursor = seq;
    return current(gen);
  };

  /**
   * A snapshot from the engine's DuckDB file at seq S: hello names the file; once the client has fetched it, the
   * ring's messages after S up to the seq N reached by then, the live state at N, and `snapshot-done` at N.
   */
  const sendFileSnapshot = async (gen: number, offered: NonNullable<ReturnType<NonNullable<StreamSource['issueSnapshotFile']>>>): Promise<boolean> => {
    body?.cancel('a newer snapshot replaced this one');
    body = offered.ticket;
    const engine = await source.describe();
    if (!current(gen)) {
      offered.ticket.cancel('the stream restarted');
      return false;
    }
    if (!(await sendMessage(helloMessage(engine, source.epoch, offered.seq, 'snapshot', offered.rows, { ticket: offered.ticket, file: true })))) return false;
    if (!(await fetched(gen, offered.ticket))) return false;
    const { seq, snapshot, live } = await source.takeSnapshot();
    if (!current(gen)) return false;
    cursor = offered.seq;
    const caughtUp = await sendRange(gen, seq);
    if (caughtUp === 'stopped') return false;
    // The ring moved past the file while the client fetched it: a snapshot the ordinary way (a new hello).
    if (caughtUp === 'evicted') return sendSnapshot(gen, false);
    if (!(await sendMessage({ type: 'live-state', seq, state: live }))) return false;
    const rows = Object.fromEntries(snapshot.tables.map((t) => [t.name, t.rows]));
    if (!(await sendMessage({ type: 'snapshot-done', seq, rows }))) return false;
    return current(gen);
  };

  /** Sends the ring's entries after the cursor up to `target`, in pages, each only when the sender lets it. */
  const sendRange = async (gen: number, target: number): Promise<RangeOutcome> => {
    while (cursor < target) {
      const read = source.ring.since(cursor, PAGE);
      if (!read.ok) return 'evicted';
      for (const entry of read.entries) {
        if (entry.seq > target) break;
        if (!current(gen)) return 'stopped';
        if ((entry.live || !options.liveOnly) && !(await sender.send(entry.frame, entry.bytes))) return 'stopped';
        cursor = entry.seq;
      }
    }
    return current(gen) ? 'done' : 'stopped';
  };

  const replay = async (gen: number, from: ResumePoint): Promise<RangeOutcome> => {
    phase = 'replay';
    const engine = await source.describe();
    if (!current(gen)) return 'stopped';
    if (!(await sendMessage(helloMessage(engine, source.epoch, from.lastSeq, 'replay', {})))) return 'stopped';
    cursor = from.lastSeq;
    const target = source.ring.seq;
    const outcome = await sendRange(gen, target);
    if (outcome !== 'done') return outcome;
    return (await sendMessage({ type: 'resumed', fromSeq: from.lastSeq, seq: target })) ? 'done' : 'stopped';
  };

  /** Live phase: wait for the hub, send what is new; a fresh snapshot when the ring has moved past the cursor. */
  const follow = async (gen: number): Promise<void> => {
    phase = 'live';
    while (current(gen)) {
      if (cursor >= source.ring.seq) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const outcome = await sendRange(gen, source.ring.seq);
      if (outcome === 'stopped') return;
      if (outcome === 'evicted' && !(await sendSnapshot(gen))) return;
      phase = 'live';
    }
  };

  const stream = async (gen: number, resume: ResumePoint | undefined): Promise<void> => {
    if (!current(gen)) return;
    const canReplay = resume !== undefined && resume.epoch === source.epoch && source.ring.since(resume.lastSeq, 0).ok;
    if (canReplay) {
      const outcome = await replay(gen, resume);
      if (outcome === 'stopped') return;
      if (outcome === 'evicted' && !(await sendSnapshot(gen))) return;
    } else if (!(await sendSnapshot(gen))) return;
    await follow(gen);
  };

  const answer = async (request: RequestMessage): Promise<void> => {
    if (pending >= maxPending) {
      await sendMessage({ type: 'response', requestId: request.requestId, ok: false, problem: { code: 'protocol.bad-message', message: `more than ${maxPending} requests in flight; wait for an answer first` } });
      return;
    }
    pending++;
    let result;
    try {
      result = options.resolveContent ? await options.resolveContent(request.kind, request.id) : fail({ code: 'serve.not-found', message: 'this engine serves no on-demand content' });
    } catch (error) {
      options.logger.error(`ws: request ${request.kind} ${request.id}: ${(error as Error).message}`);
      result = fail({ code: 'internal.bug', message: 'the engine failed to read this content' });
    } finally {
      pending--;
    }
    const message: ServerMessage = result.ok
      ? { type: 'response', requestId: request.requestId, ok: true, data: result.value }
      : { type: 'response', requestId: request.requestId, ok: false, problem: result.problem };
    await sendMessage(message);
  };

  const session: ClientSession = {
    start(resume) {
      const gen = ++generation;
      body?.cancel('the client restarted its stream');
      wake?.();
      running = running
        .then(() => stream(gen, resume))
        .catch((error: Error) => {
          options.logger.warn(`ws: stream stopped: ${error.message}`);
          socket.close(1011, 'stream failed');
        });
    },
    handle(message) {
      switch (message.type) {
        case 'ping':
          return void sendMessage({ type: 'pong', requestId: message.requestId });
        case 'resume':
          return session.start({ epoch: message.epoch, lastSeq: message.lastSeq });
        case 'request':
          return void answer(message);
      }
    },
    problem(problem) {
      void sendMessage({ type: 'problem', problem });
    },
    notify() {
      wake?.();
    },
    close() {
      generation++;
      phase = 'closed';
      body?.cancel('the client disconnected');
      sender.close();
      wake?.();
    },
    stats: () => ({ ...sender.stats(), phase, cursor, snapshots }),
  };
  return session;
}
