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
});
