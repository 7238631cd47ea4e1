import { describe, expect, it } from 'vitest';
import { runBounded } from './pool.js';
import { childRootsRef } from './index.js';
import type { IngestTask, TaskResult } from './tasks.js';

const task = (n: number): IngestTask => ({ kind: 'sqlite-parts', dbPath: `/db${n}`, fromRowid: n * 10, toRowid: n * 10 + 10, childRoots: childRootsRef({}) });
const resultOf = (t: IngestTask) => ({ task: t.kind, source: 'dbPath' in t ? t.dbPath : '', records: 10 }) as unknown as TaskResult;

describe('runBounded', () => {
  it('starts a lane\'s next task only once its onResult promise settled', async () => {
    const started: string[] = [];
    const run = async (t: IngestTask) => {
      started.push('dbPath' in t ? t.dbPath : '');
      return resultOf(t);
    };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const done = runBounded([1, 2, 3].map(task), run, (r) => (r.source === '/db1' ? held : undefined), 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual(['/db1']); // one lane, held by the consumer of its first result
    release();
    await done;
    expect(started).toEqual(['/db1', '/db2', '/db3']);
  });

  it('keeps at most inFlight tasks pending, turns a failed task into its issue and rethrows a consumer\'s error', async () => {
    let pending = 0;
    let most = 0;
    const run = async (t: IngestTask) => {
      most = Math.max(most, ++pending);
      await new Promise((resolve) => setTimeout(resolve, 2));
      pending--;
      if ('dbPath' in t && t.dbPath === '/db3') throw new Error('worker ran out of memory');
      return resultOf(t);
    };
    const seen: TaskResult[] = [];
    await runBounded([1, 2, 3, 4, 5].map(task), run, (r) => void seen.push(r), 2);
    expect(most).toBe(2);
    expect(seen).toHaveLength(5);
    const crashed = seen.find((r) => r.source === '/db3')!;
    expect(JSON.stringify(crashed.issues)).toMatch(/worker ran out of memory/);
    await expect(runBounded([1].map(task), run, async () => Promise.reject(new Error('consumer failed')), 1)).rejects.toThrow('consumer failed');
  });
});
