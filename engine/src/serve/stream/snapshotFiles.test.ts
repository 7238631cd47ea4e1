import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TODOS_TABLE } from '../../../../shared/src/index.js';
import { buildIpc, ipcToParquet } from '../../arrow/index.js';
import { createMemoryLogger } from '../../log.js';
import { createSnapshotFiles, type SnapshotFileSource, type SnapshotFiles } from './snapshotFiles.js';

let dir: string;
let files: SnapshotFiles | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-files-'));
});
afterEach(async () => {
  await files?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A todo row: every column a value of its type. */
const todo = (i: number) =>
  Object.fromEntries(TODOS_TABLE.columns.map((c) => [c.name, c.type === 'utf8' ? `${c.name} ${i}` : c.type === 'timestamp_ms' ? 1_700_000_000_000 + i : i]));

/** A hub stand-in: `rows` todos at `seq`; the ring reaches back to `oldest`. */
function fakeSource() {
  const source = {
    seq: 1,
    oldest: 0,
    rows: 2,
    replayable: (seq: number) => seq >= source.oldest && seq <= source.seq,
    async takeSnapshot() {
      const rows = Array.from({ length: source.rows }, (_, i) => todo(i));
      const snapshot = { engineVersion: 't', demo: false, dataDir: '/d', tables: [{ name: 'todos' as const, rows: rows.length, chunks: [buildIpc(TODOS_TABLE, rows as never)] }] };
      return { seq: source.seq, snapshot };
    },
  };
  return source satisfies SnapshotFileSource;
}

const held = () => fs.readdirSync(dir).filter((f) => f.endsWith('.duckdb')).sort();

describe('snapshot files', () => {
  it('writes the tables at the hub’s seq and offers the file while the ring reaches back to it', async () => {
    const source = fakeSource();
    files = createSnapshotFiles(source, { dir, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 3_600_000 });
    expect(files.offer()).toBeUndefined();
    const written = await files.writeNow();
    expect(written).toMatchObject({ ok: true, value: { seq: 1, rows: { todos: 2 } } });
    expect(files.offer()?.seq).toBe(1);
    expect(held()).toEqual(['tables-1.duckdb']);
    // Private, as the rest of the state dir.
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'tables-1.duckdb')).mode & 0o777).toBe(0o600);
    // Nothing moved: writing again keeps the same file.
    expect((await files.writeNow()).ok && files.offer()?.file).toBe(path.join(dir, 'tables-1.duckdb'));
    source.seq = 5;
    source.oldest = 3; // the messages after seq 1 are gone from the ring
    expect(files.offer()).toBeUndefined();
  });

  it('writes once the hub has been quiet, not on every change', async () => {
    const source = fakeSource();
    let conversions = 0;
    const toParquet = (ipc: Uint8Array) => (conversions++, ipcToParquet(ipc));
    files = createSnapshotFiles(source, { dir, toParquet, logger: createMemoryLogger(), quietMs: 80, minIntervalMs: 0 });
    for (let i = 0; i < 5; i++) {
      source.seq++;
      files.changed();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(conversions).toBe(0);
    for (let i = 0; i < 100 && files.offer()?.seq !== source.seq; i++) await new Promise((r) => setTimeout(r, 20));
    expect(files.offer()?.seq).toBe(6);
    expect(conversions).toBe(1);
  });

  it('removes a file once a newer one is kept and no body still serves it', async () => {
    const source = fakeSource();
    files = createSnapshotFiles(source, { dir, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 3_600_000 });
    const first = await files.writeNow();
    if (!first.ok) throw new Error(first.problem.message);
    const body = files.body(first.value);
    source.seq = 2;
    source.rows = 3;
    const second = await files.writeNow();
    expect(second).toMatchObject({ ok: true, value: { seq: 2, rows: { todos: 3 } } });
    expect(held()).toEqual(['tables-1.duckdb', 'tables-2.duckdb']);
    // The body still reads the first file whole, then lets it go.
    const chunks: Uint8Array[] = [];
    expect(await body.write(async (bytes) => (chunks.push(bytes.slice()), true))).toBe(true);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(first.value.bytes);
    body.release?.();
    for (let i = 0; i < 50 && held().length > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held()).toEqual(['tables-2.duckdb']);
  });

  it('reports a file it could not write as a problem and offers none', async () => {
    const source = fakeSource();
    const logger = createMemoryLogger();
    files = createSnapshotFiles(source, { dir, toParquet: async () => new Uint8Array([1, 2, 3]), logger, quietMs: 3_600_000 });
    const written = await files.writeNow();
    expect(written).toMatchObject({ ok: false, problem: { code: 'serve.snapshot-file' } });
    expect(files.offer()).toBeUndefined();
    expect(held()).toEqual([]);
    expect(logger.lines.join('\n')).toMatch(/serve\.snapshot-file/);
  });

  it('writes while the tables keep changing once a change has waited long enough', async () => {
    const source = fakeSource();
    files = createSnapshotFiles(source, { dir, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 60, minIntervalMs: 0, maxWaitMs: 200 });
    // A change every 20 ms never leaves 60 ms of quiet; the file comes anyway, within the wait.
    for (let i = 0; i < 40 && files.offer() === undefined; i++) {
      source.seq++;
      files.changed();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(files.offer()).toBeDefined();
  });

  it('writes a new file when the ring has moved past the one it holds, with no table change', async () => {
    const source = fakeSource();
    files = createSnapshotFiles(source, { dir, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 20, minIntervalMs: 3_600_000 });
    await files.writeNow();
    source.seq = 9; // live diffs only: they move the seq, not the tables
    source.oldest = 8;
    expect(files.offer()).toBeUndefined();
    for (let i = 0; i < 100 && files.offer() === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    expect(files.offer()?.seq).toBe(9);
  });

  it('stops a write in progress when closed, keeping nothing', async () => {
    const source = fakeSource();
    const logger = createMemoryLogger();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Were it converted, the slice would wait until the manager is closed.
    let conversions = 0;
    const slow = async (ipc: Uint8Array) => (conversions++, await held, ipcToParquet(ipc));
    files = createSnapshotFiles(source, { dir, toParquet: slow, logger, quietMs: 3_600_000 });
    const writing = files.writeNow();
    const closing = files.close();
    release();
    await closing;
    expect(await writing).toMatchObject({ ok: false });
    expect(conversions).toBe(0); // stopped before its first slice, not after the whole file
    expect(fs.existsSync(dir)).toBe(false);
    expect(logger.lines.join('\n')).not.toMatch(/warn/);
    files = undefined;
  });

  it('takes over a kept file as the current one, and keeps its current file for a later run unless it is served', async () => {
    const source = fakeSource();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-files-kept-'));
    try {
      files = createSnapshotFiles(source, { dir, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 3_600_000 });
      const written = await files.writeNow();
      if (!written.ok) throw new Error(written.problem.message);
      const body = files.body(written.value);
      expect(files.keepAs(path.join(other, 'kept.duckdb'))).toBe(false); // still served
      body.release?.();
      expect(files.keepAs(path.join(other, 'kept.duckdb'))).toBe(true);
      expect(files.current).toBeUndefined();
      await files.close();

      source.seq = 7;
      const again = path.join(os.tmpdir(), `ocm-files-again-${process.pid}`);
      files = createSnapshotFiles(source, { dir: again, toParquet: ipcToParquet, logger: createMemoryLogger(), quietMs: 3_600_000, initial: { file: path.join(other, 'kept.duckdb'), bytes: written.value.bytes, rows: written.value.rows, tag: 't' } });
      expect(files.offer()).toMatchObject({ seq: 7, bytes: written.value.bytes, tag: 't' });
      expect(fs.existsSync(path.join(other, 'kept.duckdb'))).toBe(false);
      expect(fs.statSync(files.offer()!.file).size).toBe(written.value.bytes);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
