/**
 * The wire codec (shared/src/protocol): frames and client messages round-trip, and anything malformed is a
 * problem, never a throw. Kept in tests/ because shared/ may import nothing, vitest included.
 */
import { describe, expect, it } from 'vitest';
import { decodeClientMessage } from '../../shared/src/protocol/clientMessages.js';
import { decodeArrowFrame, decodeServerMessage, encodeArrowFrame, encodeMessage } from '../../shared/src/protocol/codec.js';
import { nextSeqCheck } from '../../shared/src/protocol/seqCheck.js';
import { createSnapshotBodyReader, snapshotRecordHead } from '../../shared/src/protocol/snapshotBody.js';

const ipc = new Uint8Array([1, 2, 3, 4]);

describe('binary frames', () => {
  it('round-trips each header kind with its Arrow bytes', () => {
    for (const header of [
      { type: 'arrow-chunk', table: 'parts', chunk: 2, rows: 10, end: false, streamBytes: 40 },
      { type: 'table-upsert', table: 'parts', seq: 7, rows: 1, deletes: [['prt_1'], ['prt_2']] },
      { type: 'table-replace', table: 'daily_stats', seq: 8, rows: 0 },
    ] as const) {
      const decoded = decodeArrowFrame(encodeArrowFrame(header, ipc));
      expect(decoded.ok && decoded.value.header).toEqual(header);
      expect(decoded.ok && [...decoded.value.ipc]).toEqual([1, 2, 3, 4]);
    }
  });

  it('refuses malformed frames as protocol.bad-message problems', () => {
    const cases: Uint8Array[] = [
      new Uint8Array([1, 0]),
      new Uint8Array([255, 255, 0, 0, 1]),
      encodeArrowFrame({ type: 'arrow-chunk', table: 'nope' as 'parts', chunk: 0, rows: 1, end: true, streamBytes: 4 }, ipc),
      encodeArrowFrame({ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 1, end: true } as never, ipc),
      encodeArrowFrame({ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 1 } as never, ipc),
      encodeArrowFrame({ type: 'table-upsert', table: 'parts', seq: -1, rows: 1, deletes: [] }, ipc),
      encodeArrowFrame({ type: 'table-upsert', table: 'parts', seq: 1, rows: 1, deletes: [{ a: 1 }] as never }, ipc),
      encodeArrowFrame({ type: 'table-replace', table: 'parts', rows: 1 } as never, ipc),
    ];
    for (const frame of cases) {
      const decoded = decodeArrowFrame(frame);
      expect(decoded.ok).toBe(false);
      expect(!decoded.ok && decoded.problem.code).toBe('protocol.bad-message');
    }
  });
});

describe('server messages', () => {
  it('accepts every server message type and checks seqs where they matter', () => {
    const ok = [
      { type: 'live-diff', seq: 3, diffs: [] },
      { type: 'table-delete', seq: 4, table: 'parts', keys: [['a']] },
      { type: 'resumed', fromSeq: 1, seq: 4 },
      { type: 'response', requestId: 'r', ok: false, problem: { code: 'serve.not-found', message: 'x' } },
    ];
    for (const message of ok) expect(decodeServerMessage(JSON.stringify(message)).ok).toBe(true);
    for (const bad of [{ type: 'live-diff', diffs: [] }, { type: 'table-delete', seq: 1, table: 'parts', keys: 'a' }, { type: 'drop' }]) {
      expect(decodeServerMessage(JSON.stringify(bad)).ok).toBe(false);
    }
  });
});

describe('client messages', () => {
  it('accepts ping, resume and request with checked fields', () => {
    for (const message of [
      { type: 'ping', requestId: 'p' },
      { type: 'resume', epoch: 'e1', lastSeq: 0 },
      { type: 'request', requestId: 'r', kind: 'transcript', id: 'ses_1' },
    ] as const) {
      expect(decodeClientMessage(encodeMessage(message))).toEqual({ ok: true, value: message });
    }
  });

  it('drops extra fields a client adds', () => {
    const decoded = decodeClientMessage(JSON.stringify({ type: 'resume', epoch: 'e', lastSeq: 2, admin: true }));
    expect(decoded).toEqual({ ok: true, value: { type: 'resume', epoch: 'e', lastSeq: 2 } });
  });

  it('refuses anything malformed as protocol.bad-message', () => {
    for (const text of [
      '{not json',
      '[]',
      '{"type":1}',
      JSON.stringify({ type: 'drop-tables' }),
      JSON.stringify({ type: 'resume', epoch: 'e', lastSeq: -1 }),
      JSON.stringify({ type: 'resume', epoch: '', lastSeq: 1 }),
      JSON.stringify({ type: 'resume', epoch: 'e', lastSeq: 1.5 }),
      JSON.stringify({ type: 'request', requestId: 'r', kind: 'shell', id: 'x' }),
      JSON.stringify({ type: 'request', requestId: 'r', kind: 'part-text', id: 'x'.repeat(300) }),
      JSON.stringify({ type: 'ping', requestId: 'x'.repeat(70_000) }),
    ]) {
      const decoded = decodeClientMessage(text);
      expect(decoded.ok, text.slice(0, 60)).toBe(false);
      expect(!decoded.ok && decoded.problem.code).toBe('protocol.bad-message');
    }
  });
});

describe('seq check', () => {
  it('applies only the next seq, drops repeats and flags gaps', () => {
    expect(nextSeqCheck(4, 5)).toBe('apply');
    expect(nextSeqCheck(4, 4)).toBe('duplicate');
    expect(nextSeqCheck(4, 2)).toBe('duplicate');
    expect(nextSeqCheck(4, 6)).toBe('gap');
  });
});

describe('snapshot body', () => {
  const records = [
    [{ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 0, end: false, streamBytes: 5 }, new Uint8Array([1, 2])],
    [{ type: 'arrow-chunk', table: 'parts', chunk: 1, rows: 4, end: true, streamBytes: 5 }, new Uint8Array([3, 4, 5])],
    [{ type: 'arrow-chunk', table: 'todos', chunk: 0, rows: 1, end: true, streamBytes: 0 }, new Uint8Array([])],
  ] as const;
  const body = new Uint8Array(records.flatMap(([header, ipc]) => [...snapshotRecordHead(header, ipc.length), ...ipc]));
  const read = (slices: Uint8Array[]) => {
    const reader = createSnapshotBodyReader();
    const out = slices.flatMap((slice): Record<string, unknown>[] => {
      const r = reader.push(slice);
      return r.ok ? r.value.map((f) => ({ header: f.header, ipc: [...f.ipc] })) : [{ problem: r.problem.code }];
    });
    return { out, end: reader.finish() };
  };

  it('reads the same records from one slice and from one byte at a time', () => {
    const expected = records.map(([header, ipc]) => ({ header, ipc: [...ipc] }));
    expect(read([body]).out).toEqual(expected);
    expect(read([...body].map((b) => new Uint8Array([b]))).out).toEqual(expected);
    expect(read([body]).end.ok).toBe(true);
  });

  it('refuses a body cut inside a record, a wild length and a frame that is not a chunk', () => {
    expect(read([body.subarray(0, body.length - 2)]).end.ok).toBe(false);
    expect(read([new Uint8Array([255, 255, 255, 255, 0])]).out).toEqual([{ problem: 'protocol.bad-message' }]);
    const upsert = encodeArrowFrame({ type: 'table-upsert', table: 'parts', seq: 1, rows: 1, deletes: [] }, ipc);
    const record = new Uint8Array(4 + upsert.length);
    new DataView(record.buffer).setUint32(0, upsert.length, true);
    record.set(upsert, 4);
    expect(read([record]).out).toEqual([{ problem: 'protocol.bad-message' }]);
  });
});
