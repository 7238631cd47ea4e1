import { describe, expect, it } from 'vitest';
import { encodeArrowFrame, encodeMessage, fail, ok, PROTOCOL_VERSION, snapshotRecordHead, type ArrowChunkHeader, type HelloMessage, type KeyTuple, type TableName } from '../../../shared/src/index.js';
import type { TableSync } from '../db/tableSync.js';
import { initialClientState } from './clientState.js';
import { createStreamApplier } from './streamApplier.js';
import type { FetchSnapshotBody } from './snapshotLoader.js';

/** Records what would reach DuckDB; `rows` is what `rowCount` answers. */
function recordingTables(rows = 3) {
  const calls: string[] = [];
  const tables: TableSync = {
    attachFile: async (bytes: Uint8Array, names: readonly TableName[]) => void calls.push(`attach ${bytes.length} ${names.join(',')}`),
    rowCount: async () => rows,
    loadChunk: async (table: TableName, _ipc: Uint8Array, first: boolean) => void calls.push(`load ${table}${first ? ' first' : ''}`),
    upsert: async (table: TableName, _ipc: Uint8Array, deletes: readonly KeyTuple[]) => void calls.push(`upsert ${table} -${deletes.length}`),
    delete: async (table: TableName, keys: readonly KeyTuple[]) => void calls.push(`delete ${table} ${keys.length}`),
    replace: async (table: TableName) => void calls.push(`replace ${table}`),
  };
  return { tables, calls };
}

const hello = (mode: 'snapshot' | 'replay', seq: number, epoch = 'e1'): HelloMessage => ({
  type: 'hello', protocolVersion: PROTOCOL_VERSION, schemaVersion: 4, engineVersion: 't', tables: ['parts'], demo: false, dataDir: '/d', epoch, seq, mode, tableRows: mode === 'snapshot' ? { parts: 3 } : {},
  ...(mode === 'snapshot' ? { snapshotPath: `/snapshot/s${seq}` } : {}),
});

/** A snapshot body of these pieces, delivered in 3-byte slices so records straddle them. */
function body(pieces: readonly [ArrowChunkHeader, Uint8Array][]): Uint8Array[] {
  const bytes = pieces.flatMap(([header, ipc]) => [...snapshotRecordHead(header, ipc.length), ...ipc]);
  const slices: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 3) slices.push(new Uint8Array(bytes.slice(i, i + 3)));
  return slices;
}
const partsBody = () =>
  body([
    [{ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 0, end: false, streamBytes: 3 }, new Uint8Array([1, 2])],
    [{ type: 'arrow-chunk', table: 'parts', chunk: 1, rows: 2, end: true, streamBytes: 3 }, new Uint8Array([3])],
    [{ type: 'arrow-chunk', table: 'parts', chunk: 2, rows: 1, end: true, streamBytes: 3 }, new Uint8Array([4, 5, 6])],
  ]);
const ipc = new Uint8Array([1]);
const upsert = (seq: number) => encodeArrowFrame({ type: 'table-upsert', table: 'parts', seq, rows: 1, deletes: [] }, ipc);

function setup(bodies: (path: string) => Uint8Array[] | undefined = () => partsBody(), rowCount = 3) {
  const state = initialClientState();
  const { tables, calls } = recordingTables(rowCount);
  const events: string[] = [];
  const fetchBody: FetchSnapshotBody = async (path) => {
    const slices = bodies(path);
    if (!slices) return fail({ code: 'protocol.disconnected', message: 'refused' });
    return ok((async function* () {
      yield* slices;
    })());
  };
  const applier = createStreamApplier(state, tables, fetchBody, {
    onSynced: () => events.push(`synced ${state.appliedSeq}`),
    onGap: (expected, got) => events.push(`gap ${expected} ${got}`),
    onFatal: (_reason, retry) => events.push(`fatal ${retry}`),
    onResponse: () => events.push('response'),
  });
  return { state, calls, events, applier };
}

async function snapshotAt(applier: ReturnType<typeof setup>['applier'], seq: number) {
  await applier.text(encodeMessage(hello('snapshot', seq)));
  await applier.text(encodeMessage({ type: 'snapshot-done', seq, rows: { parts: 3 } }));
}

describe('stream applier', () => {
  it('loads a snapshot with progress, then applies each next seq once', async () => {
    const { state, calls, events, applier } = setup();
    await snapshotAt(applier, 5);
    expect(state.tables['parts']).toMatchObject({ expectedRows: 3, loadedRows: 3, bytes: 6 });
    await applier.binary(upsert(6));
    await applier.text(encodeMessage({ type: 'table-delete', seq: 7, table: 'parts', keys: [['a'], ['b']] }));
    await applier.binary(upsert(6));
    expect(calls).toEqual(['load parts first', 'load parts', 'upsert parts -0', 'delete parts 2']);
    expect(state.appliedSeq).toBe(7);
    expect(state.duplicatesDropped).toBe(1);
    expect(events).toEqual(['synced 5']);
  });

  it('stops at a gap, asks to resume, and ignores seq’d messages until the engine restarts the stream', async () => {
    const { state, calls, events, applier } = setup();
    await snapshotAt(applier, 0);
    await applier.binary(upsert(1));
    await applier.binary(upsert(3));
    await applier.binary(upsert(4));
    expect(events).toEqual(['synced 0', 'gap 2 3']);
    expect(state.appliedSeq).toBe(1);
    await applier.text(encodeMessage(hello('replay', 1)));
    await applier.binary(upsert(2));
    await applier.binary(upsert(3));
    await applier.text(encodeMessage({ type: 'resumed', fromSeq: 1, seq: 3 }));
    expect(state.appliedSeq).toBe(3);
    expect(calls.filter((c) => c.startsWith('upsert'))).toHaveLength(3);
    expect(events.at(-1)).toBe('synced 3');
    expect(state.gapsDetected).toBe(1);
  });

  it('refuses a replay that does not start where the client is, and another protocol version', async () => {
    const { events, applier } = setup();
    await snapshotAt(applier, 2);
    await applier.text(encodeMessage(hello('replay', 1)));
    await applier.text(encodeMessage({ ...hello('snapshot', 1), protocolVersion: PROTOCOL_VERSION + 1 }));
    expect(events).toEqual(['synced 2', 'fatal true', 'fatal false']);
  });

  it('keeps malformed frames as problems and carries on', async () => {
    const { state, applier } = setup();
    await applier.text('{oops');
    await applier.binary(new Uint8Array([9, 9]));
    await applier.binary(encodeArrowFrame({ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 1, end: true, streamBytes: 1 }, ipc));
    await snapshotAt(applier, 0);
    expect(state.problems.map((p) => p.code)).toEqual(['protocol.bad-message', 'protocol.bad-message', 'protocol.bad-message']);
    expect(state.problems[2]!.message).toMatch(/belongs in the snapshot body/);
    expect(state.phase).toBe('live');
  });

  it('starts over when the snapshot body is refused, cut short or corrupt, or its rows do not add up', async () => {
    const whole = partsBody();
    const cases: ((path: string) => Uint8Array[] | undefined)[] = [
      () => undefined,
      () => whole.slice(0, whole.length - 1),
      () => [new Uint8Array([255, 255, 255, 255])],
      () => body([[{ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 2, end: true, streamBytes: 1 }, ipc]]),
      () => body([[{ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 3, end: true, streamBytes: 2 }, ipc]]),
      () => body([[{ type: 'arrow-chunk', table: 'parts', chunk: 0, rows: 3, end: false, streamBytes: 1 }, ipc], [{ type: 'arrow-chunk', table: 'parts', chunk: 1, rows: 0, end: true, streamBytes: 1 }, ipc]]),
    ];
    for (const bodies of cases) {
      const { state, events, applier } = setup(bodies);
      await snapshotAt(applier, 4);
      expect(events).toEqual(['fatal true']);
      expect(state.appliedSeq).not.toBe(4);
    }
  });

  it('attaches a snapshot file, applies the table changes since it and only counts live ones, then checks the rows', async () => {
    const file = [new Uint8Array([1, 2, 3]), new Uint8Array([4])];
    const { state, calls, events, applier } = setup((path) => (path === '/snapshot/f' ? file : undefined), 4);
    const fileHello: HelloMessage = { ...hello('snapshot', 5), snapshotPath: undefined, snapshotFile: { path: '/snapshot/f', bytes: 4 } } as HelloMessage;
    await applier.text(encodeMessage(fileHello));
    expect(calls).toEqual(['attach 4 parts']);
    await applier.binary(upsert(6));
    await applier.text(encodeMessage({ type: 'live-diff', seq: 7, diffs: [{ op: 'set', path: ['instances'], value: [] }] }));
    await applier.text(encodeMessage({ type: 'notification', seq: 8, notification: { id: 'n', kind: 'idle', title: 't', body: 'b', at: 1 } as never }));
    await applier.text(encodeMessage({ type: 'live-state', seq: 8, state: state.live }));
    expect(events).toEqual([]);
    await applier.text(encodeMessage({ type: 'snapshot-done', seq: 8, rows: { parts: 4 } }));
    expect(events).toEqual(['synced 8']);
    expect(calls).toEqual(['attach 4 parts', 'upsert parts -0']);
    expect(state.notifications).toEqual([]);
    expect(state.tables['parts']).toMatchObject({ loadedRows: 4 });
  });

  it('takes the file’s own row counts for tables no change touched, without counting them', async () => {
    const { events, applier } = setup(() => [new Uint8Array([1, 2, 3, 4])], 99);
    const fileHello = { ...hello('snapshot', 5), snapshotPath: undefined, snapshotFile: { path: '/snapshot/f', bytes: 4 } } as HelloMessage;
    await applier.text(encodeMessage(fileHello));
    await applier.text(encodeMessage({ type: 'live-diff', seq: 6, diffs: [{ op: 'set', path: ['instances'], value: {} }] }));
    await applier.text(encodeMessage({ type: 'snapshot-done', seq: 6, rows: { parts: 3 } }));
    expect(events).toEqual(['synced 6']);
  });

  it('starts over when a snapshot file is cut short or too long, its changes stop short, or its rows do not add up', async () => {
    const fileHello = (bytes: number): HelloMessage => ({ ...hello('snapshot', 5), snapshotPath: undefined, snapshotFile: { path: '/snapshot/f', bytes } }) as HelloMessage;
    for (const [bytes, rowCount, lastSeq] of [[5, 3, 6], [3, 3, 6], [4, 3, 5], [4, 2, 6]] as const) {
      const { state, events, applier } = setup(() => [new Uint8Array([1, 2, 3, 4])], rowCount);
      await applier.text(encodeMessage(fileHello(bytes)));
      if (lastSeq === 6) await applier.binary(upsert(6));
      await applier.text(encodeMessage({ type: 'snapshot-done', seq: 6, rows: { parts: 3 } }));
      expect(events).toEqual(['fatal true']);
      expect(state.phase).not.toBe('live');
    }
  });
});
