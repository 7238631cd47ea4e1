import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUsageBody, usageLevel } from './usageWindows.js';

const answer = JSON.parse(readFileSync(new URL('./fixtures/claude-usage.json', import.meta.url), 'utf8')) as unknown;

describe('parseUsageBody', () => {
  it('reads both windows, truncating utilisation and parsing reset times', () => {
    expect(parseUsageBody(answer, 1_000)).toEqual({
      ok: true,
      value: {
        fiveHour: { utilizationPercent: 45, resetsAtMs: Date.UTC(2026, 10, 25, 14, 0, 0, 123) },
        sevenDay: { utilizationPercent: 12, resetsAtMs: Date.UTC(2026, 10, 30, 9) },
        fetchedAtMs: 1_000,
      },
    });
  });

  it('keeps one window when the other is null, and a window without a reset time', () => {
    const result = parseUsageBody({ five_hour: null, seven_day: { utilization: 99.99, resets_at: null } }, 5);
    expect(result).toEqual({ ok: true, value: { fiveHour: null, sevenDay: { utilizationPercent: 99, resetsAtMs: null }, fetchedAtMs: 5 } });
  });

  it('treats a window with a non-numeric utilisation as absent and an unparsable reset as unknown', () => {
    const result = parseUsageBody({ five_hour: { utilization: '45' }, seven_day: { utilization: 3, resets_at: 'soon' } }, 0);
    expect(result).toEqual({ ok: true, value: { fiveHour: null, sevenDay: { utilizationPercent: 3, resetsAtMs: null }, fetchedAtMs: 0 } });
  });

  it.each([null, [], 'text', 42, {}, { five_hour: null, seven_day: null }])('rejects %j as a bad response', (body) => {
    const result = parseUsageBody(body, 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('live.bad-response');
  });
});

describe('usageLevel', () => {
  it('uses the seed thresholds', () => {
    expect([0, 49, 50, 69, 70, 89, 90, 100].map(usageLevel)).toEqual(['green', 'green', 'yellow', 'yellow', 'orange', 'orange', 'red', 'red']);
  });
});
