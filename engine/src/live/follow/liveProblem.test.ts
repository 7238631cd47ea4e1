import { describe, expect, it } from 'vitest';
import { liveProblem } from './liveProblem.js';
import { reconnectDelay } from './follower.js';

describe('live problems', () => {
  it('builds a Problem with source and detail', () => {
    expect(liveProblem('live.http-status', 'GET /x answered 401', 'http://h', { status: 401 })).toEqual({ code: 'live.http-status', message: 'GET /x answered 401', source: 'http://h', detail: { status: 401 } });
  });
});

describe('reconnectDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const b = { initialMs: 250, maxMs: 5_000 };
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => reconnectDelay(a, b))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
