import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DAILY_STATS_TABLE, INGEST_ISSUES_TABLE, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { diffRows, sameBytes, sideOf } from './tableDiff.js';

function day(d: string, model: string, cost: number): RowOf<'daily_stats'> {
  return {
    day: d, provider_id: 'p', model_id: model, sessions: 1, assistant_messages: 2, tokens_input: 3, tokens_output: 4,
    tokens_reasoning: 0, tokens_cache_read: 0, tokens_cache_write: 0, tokens_total: 7, cost,
  };
}

const side = (rows: RowOf<'daily_stats'>[]) => sideOf(tableFromIPC(buildIpc(DAILY_STATS_TABLE, rows)));

describe('diffRows', () => {
  it('finds changed, new and vanished rows by a composite primary key', () => {
    const before = [side([day('2026-01-01', 'a', 1), day('2026-01-01', 'b', 2)]), side([day('2026-01-02', 'a', 3)])];
    const after = [side([day('2026-01-01', 'a', 1), day('2026-01-01', 'b', 2.5), day('2026-01-03', 'a', 4)])];
    const diff = diffRows(DAILY_STATS_TABLE, before, after)!;
    expect(diff.changed.map((r) => `${r.day as string}|${r.model_id as string}|${r.cost as number}`)).toEqual(['2026-01-01|b|2.5', '2026-01-03|a|4']);
    expect(diff.vanished).toEqual([['2026-01-02', 'p', 'a']]);
  });

  it('tells a null from the text "null", and leaves dead rows out of the old side', () => {
    const issue = (example: string | null): RowOf<'ingest_issues'> => ({ source_path: 'db', reason: 'r', count: 1, example });
    const nullToText = diffRows(INGEST_ISSUES_TABLE, [sideOf(tableFromIPC(buildIpc(INGEST_ISSUES_TABLE, [issue(null)])))], [sideOf(tableFromIPC(buildIpc(INGEST_ISSUES_TABLE, [issue('null')])))])!;
    expect(nullToText.changed).toHaveLength(1);
    const old = sideOf(tableFromIPC(buildIpc(INGEST_ISSUES_TABLE, [issue('x')])));
    const deadOld = { ...old, dead: Uint8Array.of(1) };
    expect(diffRows(INGEST_ISSUES_TABLE, [deadOld], [])).toEqual({ changed: [], vanished: [] });
  });

  it('gives up (null) when a key appears twice', () => {
    expect(diffRows(DAILY_STATS_TABLE, [], [side([day('d', 'a', 1), day('d', 'a', 2)])])).toBeNull();
  });

  it('compares bytes', () => {
    const a = buildIpc(DAILY_STATS_TABLE, [day('d', 'a', 1)]);
    expect(sameBytes(a, buildIpc(DAILY_STATS_TABLE, [day('d', 'a', 1)]))).toBe(true);
    expect(sameBytes(a, buildIpc(DAILY_STATS_TABLE, [day('d', 'a', 2)]))).toBe(false);
  });
});
