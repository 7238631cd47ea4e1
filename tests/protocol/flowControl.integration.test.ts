/**
 * The engine's side of a real socket: a client that stops reading is paced (what the engine holds for it stays
 * under the bound, then everything arrives in order once it reads again), and malformed client messages are
 * answered with `protocol.bad-message` while the connection and its stream carry on.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeArrowFrame, decodeServerMessage, SOURCES_TABLE, type ServerMessage } from '../../shared/src/index.js';
import { buildIpc } from '../../engine/src/arrow/index.js';
import { silentLogger } from '../../engine/src/log.js';
import { createStreamHub, startServer, type RunningServer, type StreamHub } from '../../engine/src/serve/index.js';

const TOKEN = 'flow-control-token-0123456789abcdefghijklmno';
const BOUND = 256 * 1024;
let server: RunningServer;
let hub: StreamHub;
let uiDir: string;

const source = (i: number, pad: number) => ({ kind: 'sqlite', path: `/d/${'p'.repeat(pad)}${i}.db`, bytes: i, sessions: 0, messages: 0, parts: 0, modified_at: null, problem: null });
const snapshot = { engineVersion: 't', demo: false, dataDir: '/d', tables: [{ name: 'sources' as const, rows: 1, chunks: [buildIpc(SOURCES_TABLE, [source(0, 1)])] }] };

beforeAll(async () => {
  uiDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-flow-ui-'));
  hub = createStreamHub({ snapshot: () => snapshot });
  server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, uiDir, logger: silentLogger, snapshot: async () => snapshot, stream: hub, maxInFlightBytes: BOUND });
});

afterAll(async () => {
  await server?.close();
  await fs.rm(uiDir, { recursive: true, force: true });
});

function open(): { ws: WebSocket; seqs: number[]; messages: ServerMessage[]; next: (pred: (m: ServerMessage) => boolean) => Promise<ServerMessage> } {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const seqs: number[] = [];
  const messages: ServerMessage[] = [];
  const waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      const frame = decodeArrowFrame(new Uint8Array(data));
      if (frame.ok && frame.value.header.type !== 'arrow-chunk') seqs.push(frame.value.header.seq);
      return;
    }
    const decoded = decodeServerMessage(data.toString());
    if (!decoded.ok) return;
    messages.push(decoded.value);
    // The snapshot's tables come as an HTTP body; read it so the engine sends snapshot-done.
    if (decoded.value.type === 'hello' && decoded.value.snapshotPath) {
      void fetch(`http://127.0.0.1:${server.port}${decoded.value.snapshotPath}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.arrayBuffer());
    }
    for (const w of waiters.splice(0)) (w.pred(decoded.value) ? w.resolve(decoded.value) : waiters.push(w));
  });
  const next = (pred: (m: ServerMessage) => boolean) =>
    new Promise<ServerMessage>((resolve) => {
      const seen = messages.find(pred);
      if (seen) resolve(seen);
      else waiters.push({ pred, resolve });
    });
  return { ws, seqs, messages, next };
}

describe('flow control on a real socket', () => {
  it('holds at most the bound for a client that stops reading, and delivers everything in order after', async () => {
    const client = open();
    await client.next((m) => m.type === 'snapshot-done');
    const start = hub.ring.seq;
    client.ws.pause();
    // ~40 MB of changes: far more than loopback's socket buffers absorb.
    const change = buildIpc(SOURCES_TABLE, Array.from({ length: 400 }, (_, i) => source(i, 200)));
    const count = Math.ceil((40 * 1024 * 1024) / change.byteLength);
    for (let i = 0; i < count; i++) hub.publishStoreChange({ kind: 'upsert', table: 'sources', ipc: change, rows: 400, superseded: [] });
    // Wait (bounded by the test timeout, not asserted on) until the engine has sent all the socket will take.
    const stats = () => hub.stats().clients.find((c) => c.cursor >= start)!;
    await new Promise<void>((resolve) => {
      let last = -1;
      const poll = () => {
        const sent = stats().sentBytes;
        if (sent === last && stats().inFlightBytes > 0) return resolve();
        last = sent;
        setTimeout(poll, 100);
      };
      poll();
    });
    expect(stats().cursor - start).toBeLessThan(count);
    expect(stats().peakInFlightBytes).toBeLessThanOrEqual(BOUND + change.byteLength);
    client.ws.resume();
    await new Promise<void>((resolve) => {
      const poll = () => (client.seqs.at(-1) === start + count ? resolve() : setTimeout(poll, 20));
      poll();
    });
    expect(client.seqs).toEqual(Array.from({ length: count }, (_, i) => start + i + 1));
    expect(stats().peakInFlightBytes).toBeLessThanOrEqual(BOUND + change.byteLength);
    client.ws.close();
  });

  it('answers malformed messages with protocol.bad-message and keeps streaming', async () => {
    const client = open();
    await client.next((m) => m.type === 'snapshot-done');
    client.ws.send('{not json');
    client.ws.send(JSON.stringify({ type: 'request', requestId: 'r', kind: 'shell', id: 'rm -rf' }));
    client.ws.send(Buffer.from([1, 2, 3]));
    client.ws.send(JSON.stringify({ type: 'resume', epoch: hub.epoch, lastSeq: -4 }));
    client.ws.send(JSON.stringify({ type: 'ping', requestId: 'after' }));
    await client.next((m) => m.type === 'pong');
    const problems = client.messages.filter((m) => m.type === 'problem');
    expect(problems).toHaveLength(4);
    expect(problems.every((m) => m.type === 'problem' && m.problem.code === 'protocol.bad-message')).toBe(true);
    hub.publishLiveDiffs([{ op: 'set', path: ['instances', 'x'], value: 1 }]);
    const diff = await client.next((m) => m.type === 'live-diff');
    expect(diff).toMatchObject({ type: 'live-diff', seq: hub.ring.seq });
    client.ws.close();
  });
});
