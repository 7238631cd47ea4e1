import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateStore, type StateStore } from '../persist/index.js';
import { createBodySpill } from './bodySpill.js';

let dir: string;
let persist: StateStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-spill-'));
  persist = createStateStore(dir, 1);
  expect((await persist.clear()).ok).toBe(true);
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const chunk = (n: number) => new Uint8Array([n, n, n]);
const toSegment = (_table: string, bytes: Uint8Array) => ({ bytes, rows: bytes[0]! });

describe('body spill', () => {
  it('writes the chunks of its tables in arrival order and leaves the others to the caller', async () => {
    const spill = createBodySpill(persist, ['parts', 'tool_calls'], toSegment);
    const taken = Array.from({ length: 19 }, (_, i) => spill.take(i % 2 === 0 ? 'parts' : 'tool_calls', chunk(i + 1)));
    expect(taken.every(Boolean)).toBe(true);
    expect(spill.take('messages', chunk(99))).toBe(false);
    const outcome = await spill.finish();
    expect(outcome.problem).toBeUndefined();
    expect(outcome.unsaved.size).toBe(0);
    expect(outcome.saved.get('parts')!.map((s) => s.rows)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(outcome.saved.get('tool_calls')!.map((s) => s.rows)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
    // Staged in the state dir: a commit names them, and they read back as written.
    expect((await persist.commit({})).ok).toBe(true);
    const read = await persist.readTable('parts');
    expect(read.ok && read.value.parts).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map(chunk));
  });

  it('keeps every chunk a failed write left, stops taking more, and says why', async () => {
    // No segment can be written: the segments directory is a file.
    await fs.mkdir(persist.dir, { recursive: true });
    await fs.writeFile(path.join(persist.dir, 'segments'), 'not a directory');
    const spill = createBodySpill(persist, ['parts'], toSegment);
    for (let i = 1; i <= 8; i++) expect(spill.take('parts', chunk(i))).toBe(true); // a batch, written at once
    const kept = [9, 10].filter((i) => spill.take('parts', chunk(i)));
    const outcome = await spill.finish();
    expect(outcome.problem).toMatch(/segment/);
    expect(outcome.saved.size).toBe(0);
    expect(outcome.unsaved.get('parts')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, ...kept].map(chunk));
    expect(spill.take('parts', chunk(11))).toBe(false);
  });

  it('makes its caller wait while more than its bound is taken and not written, and always lets it go on', async () => {
    // The disk holds every write until the test opens it.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const appended: number[] = [];
    const slowDisk: StateStore = {
      ...persist,
      appendSegments: async (table, parts) => {
        await gate;
        appended.push(parts.length);
        return persist.appendSegments(table, parts);
      },
    };
    const spill = createBodySpill(slowDisk, ['parts', 'tool_calls'], toSegment, 10);
    spill.take('parts', chunk(1));
    spill.take('tool_calls', chunk(2));
    spill.take('parts', chunk(3));
    await expect(spill.room()).resolves.toBeUndefined(); // 9 bytes queued: within the bound
    spill.take('tool_calls', chunk(4)); // 12 bytes, in two partial batches that no full batch would start
    let released = false;
    const room = spill.room().then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    open();
    await room;
    expect(released).toBe(true);
    expect(appended[0]).toBe(2); // a partial batch was written to make room (6 bytes left: within the bound)
    const outcome = await spill.finish();
    expect(appended).toEqual([2, 2]);
    expect(outcome.saved.get('parts')!.map((s) => s.rows)).toEqual([1, 3]);
    expect(outcome.saved.get('tool_calls')!.map((s) => s.rows)).toEqual([2, 4]);
  });

  it('lets its caller go on after a failed write, with the chunks kept for it', async () => {
    await fs.mkdir(persist.dir, { recursive: true });
    await fs.writeFile(path.join(persist.dir, 'segments'), 'not a directory');
    const spill = createBodySpill(persist, ['parts'], toSegment, 4);
    spill.take('parts', chunk(1));
    spill.take('parts', chunk(2));
    await spill.room(); // resolves once the failed write handed its chunks back
    const outcome = await spill.finish();
    expect(outcome.problem).toMatch(/segment/);
    expect(outcome.unsaved.get('parts')).toEqual([1, 2].map(chunk));
  });
});
