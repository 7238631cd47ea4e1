import { describe, expect, it } from 'vitest';
import { IN_FLIGHT_BOUND_BYTES, judgeStreamGoals, median, rssGrowth, timeSplit, type StreamFigures } from './streamFigures.js';
import type { PageLoad } from './streamPage.js';

const load = (queryableMs: number, bytes = 100 * 2 ** 20): PageLoad => ({
  queryableMs,
  marks: { duckdbStarted: 900, socketOpen: 200, firstFrame: 250, snapshotReceived: 1_250, snapshotApplied: 2_000, queryable: 2_010 },
  wire: { frames: 4, bytes, bodyBytes: bytes - 1_000, textBytes: 1_000, binaryBytes: 0, binaryFrames: 0 },
  partsRows: 1_000_000,
  jsHeapUsedBytes: 1,
  jsHeapPeakBytes: 4,
  jsHeapTotalBytes: 2,
  duckdbMemoryBytes: 3,
  queries: {},
});

function figures(single: PageLoad[], growthKb: number | null): Omit<StreamFigures, 'goals'> {
  return {
    date: 'd',
    machine: { cores: 2, cpu: 'c', ramGb: 1, node: 'v20', os: 'Linux', busyAtStart: 0 },
    corpus: { sessions: 1, messages: 1, parts: 1, dbBytes: 1, generatedMs: null },
    index: null,
    engine: { startMs: 1, rssKb: 1 },
    nodeProbe: null,
    profile: { browserReceive: null, duckdbInsert: null },
    snapshotFile: null,
    single,
    singleArrow: [],
    browserPssKb: null,
    concurrent:
      growthKb === null
        ? null
        : { pages: 5, loads: [], wallMs: 1, intervalMs: 250, browserPssKb: null, rss: { baselineKb: 1_000_000, peakKb: 1_000_000 + growthKb, growthKb, samples: 40 } },
    errors: [],
  };
}

describe('stream benchmark figures', () => {
  it('takes the median of odd and even samples', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('measures RSS growth from the last sample before the pages opened', () => {
    const samples = [
      { atMs: 0, rssKb: 900 },
      { atMs: 250, rssKb: 1_000 },
      { atMs: 500, rssKb: 1_400 },
      { atMs: 750, rssKb: 1_100 },
    ];
    expect(rssGrowth(samples, 300)).toEqual({ baselineKb: 1_000, peakKb: 1_400, growthKb: 400, samples: 4 });
    expect(rssGrowth([], 0)).toBeNull();
  });

  it('splits a page load into steps that add up to the time to queryable', () => {
    const split = timeSplit(load(2_500));
    expect(split.map((s) => s.ms)).toEqual([200, 50, 1_000, 750, 10]);
    expect(split.reduce((sum, s) => sum + s.ms, 0)).toBe(2_010);
  });

  it('judges the 3 s goal on the median single-page run', () => {
    expect(judgeStreamGoals(figures([load(2_000), load(2_900), load(9_000)], null))[0]).toMatchObject({ met: true, actual: '2.90 s (0.97 × the goal)' });
    expect(judgeStreamGoals(figures([load(3_100)], null))[0]?.met).toBe(false);
    expect(judgeStreamGoals(figures([], null)).map((g) => g.met)).toEqual([null, null]);
  });

  it('calls RSS flat within pages × the in-flight bound plus one snapshot, and not when every page costs a snapshot', () => {
    const snapshot = 100 * 2 ** 20;
    const allowedKb = (5 * IN_FLIGHT_BOUND_BYTES + snapshot) / 1024;
    expect(judgeStreamGoals(figures([load(1_000, snapshot)], allowedKb))[1]?.met).toBe(true);
    expect(judgeStreamGoals(figures([load(1_000, snapshot)], (5 * snapshot) / 1024))[1]?.met).toBe(false);
  });
});
