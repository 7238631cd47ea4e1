import { describe, expect, it } from 'vitest';
import { SESSIONS_TABLE, tableSpec, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { sumSessionChunks, sumSessionRows } from './summary.js';

function session(id: string, parent: string | null, n: number): RowOf<'sessions'> {
  const row: Record<string, unknown> = {};
  for (const column of tableSpec('sessions').columns) row[column.name] = column.nullable ? null : column.type === 'utf8' ? '' : column.type === 'bool' ? false : 0;
  return {
    ...row,
    id,
    root_id: parent ?? id,
    parent_id: parent,
    tokens_input: 10 * n,
    tokens_output: n,
    tokens_reasoning: 2 * n,
    tokens_cache_read: 100 * n,
    tokens_cache_write: 5 * n,
    tokens_total: 118 * n,
    cost: 0.1 * n,
    zero_cost_steps: n % 2,
    user_messages: n,
    assistant_messages: 3 * n,
    fork_copies: n > 2 ? 1 : 0,
  } as RowOf<'sessions'>;
}

describe('session sums for the index summary', () => {
  const rows = [session('ses_a', null, 1), session('ses_b', 'ses_a', 2), session('ses_c', null, 3), session('ses_d', 'ses_c', 4)];

  it('adds the same from IPC chunks, column by column, as from rows', () => {
    const chunks = [buildIpc(SESSIONS_TABLE, rows.slice(0, 3)), buildIpc(SESSIONS_TABLE, rows.slice(3))];
    const fromChunks = sumSessionChunks(chunks);
    expect(fromChunks).toEqual(sumSessionRows(rows));
    expect(fromChunks).toMatchObject({ sessions: 4, roots: 2, user: 10, assistant: 30, forkCopies: 2, zeroCostSteps: 2 });
    expect(fromChunks.tokens).toEqual({ input: 100, output: 10, reasoning: 20, cacheRead: 1000, cacheWrite: 50, total: 1180 });
    expect(fromChunks.cost).toBeCloseTo(1.0, 10);
  });

  it('is all zeros for no sessions', () => {
    expect(sumSessionChunks([])).toEqual(sumSessionRows([]));
    expect(sumSessionChunks([]).sessions).toBe(0);
  });
});
