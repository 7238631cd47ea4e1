import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyLiveDiff, createSnapshotBodyReader, decodeArrowFrame, decodeServerMessage, emptyLiveState, PROJECTS_TABLE, SOURCES_TABLE, type ServerMessage } from '../../../../shared/src/index.js';
import { buildIpc, ipcToParquet } from '../../arrow/index.js';
import { silentLogger } from '../../log.js';
import type { EngineSnapshot } from './engineSnapshot.js';
import type { StreamSocket } from './pacedSender.js';
import { createStreamHub, streamLiveChanges, type LiveChangeSource, type StreamHub } from './streamHub.js';

/** An HTTP response that takes every write at once; `body` is what the client would have read. */
function fakeResponse() {
  const slices: Uint8Array[] = [];
  const res = {
    slices,
    writeHead: () => res,
    write(chunk: Uint8Array, done?: (error?: Error | null) => void) {
      slices.push(chunk.slice());
      queueMicrotask(() => done?.());
      return true;
    },
    end(done?: () => void) {
      queueMicrotask(() => done?.());
    },
    destroy() {},
    on: () => res,
  };
  return res;
}

/** Fetches every snapshot body the session announced, as the client would; marks it in the frame list. */
function fetchBodies(hub: StreamHub, socket: ReturnType<typeof fakeSocket>) {
  socket.frames.forEach((frame, i) => {
    if (typeof frame !== 'string' || socket.fetched.has(i)) return;
    const m = decodeServerMessage(frame);
    if (!m.ok || m.value.type !== 'hello' || !m.value.snapshotPath) return;
    socket.fetched.add(i);
    const res = fakeResponse();
    expect(hub.snapshotBodies.serve(m.value.snapshotPath.split('/').pop()!, res as unknown as http.ServerResponse)).toBe(true);
    void Promise.resolve().then(async () => {
      for (let k = 0; k < 50; k++) await flush();
      const reader = createSnapshotBodyReader();
      const tables = res.slices.flatMap((slice) => {
        const r = reader.push(slice);
        return r.ok ? r.value.filter((f) => f.header.end).map((f) => `${f.header.table}=${f.header.rows}`) : ['bad'];
      });
      socket.bodies.push(`body:${tables.join(',')}`);
    });
  });
}

/** A socket whose peer reads only when the test says so: `ack` completes the oldest pending writes. */
function fakeSocket() {
  const frames: (string | Uint8Array)[] = [];
  const unacked: (() => void)[] = [];
  const socket: StreamSocket & { frames: typeof frames; fetched: Set<number>; bodies: string[]; ack(n?: number): void; unacked: number } = {
    frames,
    fetched: new Set(),
    bodies: [],
    send(frame, done) {
      frames.push(frame);
      unacked.push(() => done());
    },
    close() {},
    ack(n = Infinity) {
      for (let i = 0; i < n && unacked.length > 0; i++) unacked.shift()!();
    },
    get unacked() {
      return unacked.length;
    },
  };
  return socket;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
/** Acknowledges writes (and fetches snapshot bodies) until the session has nothing more to send. */
async function drain(socket: ReturnType<typeof fakeSocket>, hub: StreamHub) {
  for (let i = 0; i < 10_000; i++) {
    await flush();
    fetchBodies(hub, socket);
    if (socket.unacked === 0 && hub.snapshotBodies.pending === 0 && i > 60) return;
    socket.ack();
  }
}

const sourceRow = (i: number) => ({ kind: 'sqlite', path: `/d/${i}.db`, bytes: i, sessions: 0, messages: 0, parts: 0, modified_at: null, problem: null });
const snapshotOf = (rows: number): EngineSnapshot => ({
  engineVersion: 't',
  demo: false,
  dataDir: '/d',
  tables: [{ name: 'sources', rows, chunks: [buildIpc(SOURCES_TABLE, Array.from({ length: rows }, (_, i) => sourceRow(i)))] }],
});

function describeFrames(frames: readonly (string | Uint8Array)[]): string[] {
  return frames.map((frame) => {
    if (typeof frame === 'string') {
      const m = decodeServerMessage(frame);
      if (!m.ok) return 'bad';
      const v = m.value as ServerMessage & { seq?: number; mode?: string };
      return v.type === 'hello' ? `hello:${v.mode}:${v.seq}` : v.seq !== undefined ? `${v.type}:${v.seq}` : v.type;
    }
    const f = decodeArrowFrame(frame);
    if (!f.ok) return 'bad';
    return f.value.header.type === 'arrow-chunk' ? 'chunk on the socket' : `${f.value.header.type}:${f.value.header.seq}`;
  });
}

const diff = (n: number) => [{ op: 'set' as const, path: ['instances', `i${n}`], value: { n } }];

describe('client session', () => {
  it('sends hello, live state, the snapshot, then each seq once in order', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(2) });
    hub.publishLiveDiffs(diff(1));
    const socket = fakeSocket();
    hub.attach(socket, { logger: silentLogger });
    await drain(socket, hub);
    hub.publishStoreChange({ kind: 'replace', table: 'sources', chunks: [buildIpc(SOURCES_TABLE, [sourceRow(9)])] });
    hub.publishNotification({ type: 'session.finished', instanceId: 'i', sessionId: 's', title: 't', todos: { pending: 0, inProgress: 0, completed: 0 }, timeMs: 1 });
    await drain(socket, hub);
    expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:1', 'live-state:1', 'snapshot-done:1', 'table-replace:2', 'notification:3']);
    expect(socket.bodies).toEqual(['body:sources=2']);
  });

  it('sends the smallest tables first, so summary panels can show while large tables load', async () => {
    const big = snapshotOf(50).tables[0]!;
    const hub = createStreamHub({ snapshot: () => ({ ...snapshotOf(1), tables: [{ ...big }, { name: 'projects', rows: 0, chunks: [buildIpc(PROJECTS_TABLE, [])] }] }) });
    const socket = fakeSocket();
    hub.attach(socket, { logger: silentLogger });
    await drain(socket, hub);
    const hello = decodeServerMessage(socket.frames[0] as string);
    expect(hello.ok && hello.value.type === 'hello' && hello.value.tables).toEqual(['projects', 'sources']);
    expect(socket.bodies).toEqual(['body:projects=0,sources=50']);
  });

  it('gives a live-only client (the tray) the live state and notifications, and no table at all', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(2) });
    hub.publishLiveDiffs(diff(1));
    const socket = fakeSocket();
    hub.attach(socket, { logger: silentLogger, liveOnly: true });
    await drain(socket, hub);
    hub.publishStoreChange({ kind: 'replace', table: 'sources', chunks: [buildIpc(SOURCES_TABLE, [sourceRow(9)])] });
    hub.publishLiveDiffs(diff(2));
    await drain(socket, hub);
    expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:1', 'live-state:1', 'snapshot-done:1', 'live-diff:3']);
    const hello = decodeServerMessage(socket.frames[0] as string);
    expect(hello.ok && hello.value.type === 'hello' && hello.value.tables).toEqual([]);
  });

  it('paces a client that does not read: the engine holds at most the bound (or one frame) for it', async () => {
    const bound = 64 * 1024;
    const hub = createStreamHub({ snapshot: () => snapshotOf(1) });
    const socket = fakeSocket();
    const session = hub.attach(socket, { logger: silentLogger, maxInFlightBytes: bound });
    await drain(socket, hub);
    const sentBefore = socket.frames.length;
    // 200 changes of ~10 KB each, about 2 MB, to a client that reads nothing.
    const big = buildIpc(SOURCES_TABLE, Array.from({ length: 100 }, (_, i) => ({ ...sourceRow(i), path: `/d/${'x'.repeat(80)}${i}.db` })));
    for (let i = 0; i < 200; i++) hub.publishStoreChange({ kind: 'upsert', table: 'sources', ipc: big, rows: 100, superseded: [] });
    for (let i = 0; i < 20; i++) await flush();
    const stats = session.stats();
    expect(stats.inFlightBytes).toBeLessThanOrEqual(bound);
    expect(stats.peakInFlightBytes).toBeLessThanOrEqual(bound);
    expect(socket.frames.length - sentBefore).toBeLessThan(10);
    expect(stats.cursor).toBeLessThan(20);
    // Once the client reads, it gets every change, in order, with no gap.
    await drain(socket, hub);
    expect(session.stats().cursor).toBe(200);
    const seqs = describeFrames(socket.frames.slice(sentBefore)).map((d) => Number(d.split(':')[1]));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(session.stats().peakInFlightBytes).toBeLessThanOrEqual(bound);
  });

  it('replays exactly what a resuming client missed', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(1) });
    for (let i = 1; i <= 5; i++) hub.publishLiveDiffs(diff(i));
    const socket = fakeSocket();
    hub.attach(socket, { logger: silentLogger, resume: { epoch: hub.epoch, lastSeq: 3 } });
    await drain(socket, hub);
    expect(describeFrames(socket.frames)).toEqual(['hello:replay:3', 'live-diff:4', 'live-diff:5', 'resumed:5']);
  });

  it('sends a fresh snapshot when the resume point is gone, from another epoch, or in the future', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(1), ring: { maxEntries: 2 } });
    for (let i = 1; i <= 5; i++) hub.publishLiveDiffs(diff(i));
    for (const resume of [{ epoch: hub.epoch, lastSeq: 1 }, { epoch: 'other', lastSeq: 4 }, { epoch: hub.epoch, lastSeq: 99 }]) {
      const socket = fakeSocket();
      hub.attach(socket, { logger: silentLogger, resume });
      await drain(socket, hub);
      expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:5', 'live-state:5', 'snapshot-done:5']);
      expect(socket.bodies).toEqual(['body:sources=1']);
    }
  });

  it('gives a client that fell further behind than the ring a fresh snapshot, then carries on', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(1), ring: { maxEntries: 3 } });
    const socket = fakeSocket();
    const session = hub.attach(socket, { logger: silentLogger, maxInFlightBytes: 1 });
    await drain(socket, hub);
    const before = socket.frames.length;
    hub.publishLiveDiffs(diff(1));
    await flush();
    // The client reads nothing while 10 more changes come: the ring keeps only 3.
    for (let i = 2; i <= 11; i++) hub.publishLiveDiffs(diff(i));
    await drain(socket, hub);
    expect(describeFrames(socket.frames.slice(before))).toEqual(['live-diff:1', 'hello:snapshot:11', 'live-state:11', 'snapshot-done:11']);
    expect(socket.bodies).toEqual(['body:sources=1', 'body:sources=1']);
    hub.publishLiveDiffs(diff(12));
    await drain(socket, hub);
    expect(describeFrames(socket.frames).at(-1)).toBe('live-diff:12');
    expect(session.stats().snapshots).toBe(2);
  });

  it('waits for the snapshot body before snapshot-done, and closes a client that never fetches it', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(3), snapshotBodyTtlMs: 30 });
    const closed: string[] = [];
    const socket = { ...fakeSocket(), close: (code: number, reason: string) => void closed.push(`${code} ${reason}`) };
    hub.attach(socket, { logger: silentLogger });
    for (let i = 0; i < 20; i++) (await flush(), socket.ack());
    expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:0', 'live-state:0']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (let i = 0; i < 20; i++) (await flush(), socket.ack());
    expect(closed).toEqual(['1011 snapshot body not fetched']);
    expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:0', 'live-state:0']);
    // The ticket is spent: the path is worthless now.
    const hello = decodeServerMessage(socket.frames[0] as string);
    const id = hello.ok && hello.value.type === 'hello' ? hello.value.snapshotPath!.split('/').pop()! : '';
    expect(hub.snapshotBodies.serve(id, fakeResponse() as unknown as http.ServerResponse)).toBe(false);
  });

  it('lets a slow reader take longer than the fetch deadline once it has started reading', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(3), snapshotBodyTtlMs: 30 });
    const closed: string[] = [];
    const socket = { ...fakeSocket(), close: (code: number, reason: string) => void closed.push(`${code} ${reason}`) };
    hub.attach(socket, { logger: silentLogger });
    for (let i = 0; i < 20; i++) (await flush(), socket.ack());
    const hello = decodeServerMessage(socket.frames[0] as string);
    const id = hello.ok && hello.value.type === 'hello' ? hello.value.snapshotPath!.split('/').pop()! : '';
    const pending: (() => void)[] = [];
    const slow = { ...fakeResponse(), write: (_chunk: Uint8Array, done?: () => void) => (pending.push(() => done?.()), false) };
    expect(hub.snapshotBodies.serve(id, slow as unknown as http.ServerResponse, 16)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(closed).toEqual([]);
    for (let i = 0; i < 200 && !describeFrames(socket.frames).includes('snapshot-done:0'); i++) {
      pending.splice(0).forEach((done) => done());
      await flush();
      socket.ack();
    }
    expect(describeFrames(socket.frames)).toEqual(['hello:snapshot:0', 'live-state:0', 'snapshot-done:0']);
  });

  it('cancels the body of a client that goes away, and serves each body once', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(3) });
    const socket = fakeSocket();
    const session = hub.attach(socket, { logger: silentLogger });
    for (let i = 0; i < 20; i++) (await flush(), socket.ack());
    expect(hub.snapshotBodies.pending).toBe(1);
    session.close();
    expect(hub.snapshotBodies.pending).toBe(0);
    expect(hub.snapshotBodies.serve('not-a-ticket', fakeResponse() as unknown as http.ServerResponse)).toBe(false);
  });

  it('restarts the stream on a resume message, and answers requests as data', async () => {
    const hub = createStreamHub({ snapshot: () => snapshotOf(1) });
    for (let i = 1; i <= 3; i++) hub.publishLiveDiffs(diff(i));
    const socket = fakeSocket();
    const session = hub.attach(socket, {
      logger: silentLogger,
      resolveContent: async (kind, id) => (id === 'p1' ? { ok: true, value: { kind: 'part-text', partId: id, partType: 'text', text: 'hi', length: 2, truncated: false } } : { ok: false, problem: { code: 'serve.not-found', message: `no ${kind} ${id}` } }),
    });
    await drain(socket, hub);
    const before = socket.frames.length;
    session.handle({ type: 'resume', epoch: hub.epoch, lastSeq: 1 });
    await drain(socket, hub);
    expect(describeFrames(socket.frames.slice(before))).toEqual(['hello:replay:1', 'live-diff:2', 'live-diff:3', 'resumed:3']);
    session.handle({ type: 'request', requestId: 'a', kind: 'part-text', id: 'p1' });
    session.handle({ type: 'request', requestId: 'b', kind: 'tool-output', id: 'nope' });
    await drain(socket, hub);
    const responses = socket.frames.slice(-2).map((f) => JSON.parse(f as string) as Record<string, unknown>);
    expect(responses).toContainEqual({ type: 'response', requestId: 'a', ok: true, data: { kind: 'part-text', partId: 'p1', partType: 'text', text: 'hi', length: 2, truncated: false } });
    expect(responses).toContainEqual({ type: 'response', requestId: 'b', ok: false, problem: { code: 'serve.not-found', message: 'no tool-output nope' } });
  });
});

describe('snapshot file', () => {
  /** Sends the file a session's hello named as the client would fetch it. */
  const fetchFile = (hub: StreamHub, socket: ReturnType<typeof fakeSocket>) => {
    const hello = decodeServerMessage(socket.frames[0] as string);
    if (!hello.ok || hello.value.type !== 'hello' || !hello.value.snapshotFile) throw new Error('no snapshot file in the first hello');
    expect(hub.snapshotBodies.serve(hello.value.snapshotFile.path.split('/').pop()!, fakeResponse() as unknown as http.ServerResponse)).toBe(true);
  };
  const settle = async (socket: ReturnType<typeof fakeSocket>) => {
    for (let i = 0; i < 20; i++) {
      await flush();
      socket.ack();
    }
  };
  /** Reading the file is real disk I/O: drain until `snapshot-done` arrives (bounded). */
  const drainUntilDone = async (socket: ReturnType<typeof fakeSocket>, hub: StreamHub) => {
    for (let i = 0; i < 200 && !describeFrames(socket.frames).some((f) => f.startsWith('snapshot-done')); i++) {
      await drain(socket, hub);
      await new Promise((r) => setTimeout(r, 10));
    }
    await drain(socket, hub);
  };

  it('sends a client that attaches the file, then the changes since it, or a new Arrow snapshot when the ring moved past the file meanwhile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-session-file-'));
    const hub = createStreamHub({ snapshot: () => snapshotOf(2), ring: { maxEntries: 2 }, snapshotFiles: { dir, toParquet: ipcToParquet, logger: silentLogger, quietMs: 3_600_000 } });
    try {
      hub.publishLiveDiffs(diff(1));
      expect((await hub.snapshotFiles!.writeNow()).ok).toBe(true);

      const caughtUp = fakeSocket();
      hub.attach(caughtUp, { logger: silentLogger, attach: true });
      await settle(caughtUp);
      hub.publishTableDelete('sources', [['/d/0.db']]); // after the file, before the client fetched it
      fetchFile(hub, caughtUp);
      await drainUntilDone(caughtUp, hub);
      expect(describeFrames(caughtUp.frames)).toEqual(['hello:snapshot:1', 'table-delete:2', 'live-state:2', 'snapshot-done:2']);

      const overtaken = fakeSocket();
      hub.attach(overtaken, { logger: silentLogger, attach: true });
      await settle(overtaken);
      for (let i = 0; i < 3; i++) hub.publishTableDelete('sources', [[`/d/${i}.db`]]); // the ring now starts at 4
      fetchFile(hub, overtaken);
      await drainUntilDone(overtaken, hub);
      expect(describeFrames(overtaken.frames)).toEqual(['hello:snapshot:1', 'hello:snapshot:5', 'live-state:5', 'snapshot-done:5']);
      expect(overtaken.bodies).toEqual(['body:sources=2']);

      // A client that did not ask, and a live-only one, never get the file.
      const plain = fakeSocket();
      hub.attach(plain, { logger: silentLogger });
      await drain(plain, hub);
      expect(plain.bodies).toEqual(['body:sources=2']);
    } finally {
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live changes', () => {
  it('starts from the live monitor’s state and follows its diffs and notifications', async () => {
    let state = applyLiveDiff(emptyLiveState(), diff(1));
    const listeners: Parameters<LiveChangeSource['subscribe']>[0][] = [];
    const source: LiveChangeSource = { state: () => state, subscribe: (listener) => (listeners.push(listener), () => undefined) };
    const hub = createStreamHub({ snapshot: () => snapshotOf(1) });
    streamLiveChanges(source, hub);
    expect(hub.liveState.instances).toEqual({ i1: { n: 1 } });
    state = applyLiveDiff(state, diff(2));
    for (const l of listeners) l({ diffs: diff(2), notifications: [] });
    expect(hub.liveState).toEqual(state);
    expect(hub.ring.seq).toBe(2);
  });
});
