import { describe, expect, it } from 'vitest';
import { pushLatencies } from './live.js';

describe('live bench: pushed latency', () => {
  it('times each change to the first pushed parts frame holding its row, and counts the ones never pushed', () => {
    const written = [
      { partId: 'prt_a', committedAt: 100 },
      { partId: 'prt_b', committedAt: 500 },
      { partId: 'prt_c', committedAt: 900 },
    ];
    const pushes = [
      { at: 150, kind: 'table-upsert parts', partIds: ['prt_a'] },
      { at: 160, kind: 'table-upsert exchanges' },
      { at: 580, kind: 'table-upsert parts', partIds: ['prt_x', 'prt_b'] },
      { at: 700, kind: 'table-upsert parts', partIds: ['prt_b'] },
    ];
    expect(pushLatencies(written, pushes)).toEqual({ latenciesMs: [50, 80], missing: 1 });
  });
});
