import { describe, expect, it } from 'vitest';
import { createDeltaRing } from './deltaRing.js';

const text = (size: number) => (seq: number) => ({ frame: `m${seq}`, bytes: size });
const seqs = (read: ReturnType<ReturnType<typeof createDeltaRing>['since']>) => (read.ok ? read.entries.map((e) => e.seq) : read.reason);

describe('delta ring', () => {
  it('hands out consecutive seqs and replays exactly what came after a point', () => {
    const ring = createDeltaRing();
    for (let i = 0; i < 5; i++) ring.push(text(10));
    expect(ring.seq).toBe(5);
    expect(seqs(ring.since(2))).toEqual([3, 4, 5]);
    expect(seqs(ring.since(5))).toEqual([]);
    expect(seqs(ring.since(0))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(ring.since(1, 2))).toEqual([2, 3]);
    const read = ring.since(2);
    expect(read.ok && read.entries[0]?.frame).toBe('m3');
  });

  it('evicts the oldest by count and says when a resume point is gone', () => {
    const ring = createDeltaRing({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) ring.push(text(1));
    expect(ring.size).toBe(3);
    expect(ring.firstSeq).toBe(8);
    expect(seqs(ring.since(7))).toEqual([8, 9, 10]);
    expect(seqs(ring.since(6))).toBe('evicted');
  });

  it('evicts by bytes but always keeps the newest entry', () => {
    const ring = createDeltaRing({ maxBytes: 25 });
    for (let i = 0; i < 4; i++) ring.push(text(10));
    expect(ring.bytes).toBeLessThanOrEqual(25);
    expect(seqs(ring.since(2))).toEqual([3, 4]);
    ring.push(text(100));
    expect(ring.size).toBe(1);
    expect(seqs(ring.since(4))).toEqual([5]);
  });

  it('refuses a resume point from the future (another run, or a confused client)', () => {
    const ring = createDeltaRing();
    ring.push(text(1));
    expect(seqs(ring.since(9))).toBe('ahead');
  });

  it('stays consistent across many evictions (the backing array is compacted)', () => {
    const ring = createDeltaRing({ maxEntries: 100 });
    for (let i = 0; i < 5000; i++) ring.push(text(1));
    expect(ring.size).toBe(100);
    expect(seqs(ring.since(4990))).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
    expect(seqs(ring.since(4900))).toEqual(Array.from({ length: 100 }, (_, i) => 4901 + i));
    expect(seqs(ring.since(4899))).toBe('evicted');
  });
});
