import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PARTS_TABLE, type RowOf } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { columnValues } from './columnValues.js';

function part(i: number): RowOf<'parts'> {
  return {
    id: `prt_${i}_é`, message_id: 'm', session_id: 's', type: i % 2 ? 'tool' : 'text', is_known_type: i % 3 !== 0, tool: i % 2 ? 'bash' : null,
    status: i % 2 ? 'completed' : null, created_at: 1_700_000_000_000 + i, started_at: i % 4 ? null : 5, ended_at: null, preview: i % 5 ? `p${i}` : null,
    bytes: 10 * i, source: 'sqlite', source_rowid: i,
  };
}

/** What Arrow's own accessor gives, int64 as numbers. */
const slow = (values: Iterable<unknown>) => [...values].map((v) => (typeof v === 'bigint' ? Number(v) : v));

describe('columnValues', () => {
  it('reads every column as Arrow’s accessor does, nulls, booleans and a sliced table included', () => {
    const table = tableFromIPC(buildIpc(PARTS_TABLE, Array.from({ length: 23 }, (_v, i) => part(i))));
    for (const view of [table, table.slice(3, 20)]) {
      for (const field of view.schema.fields) {
        const vector = view.getChild(field.name)!;
        expect(columnValues(vector), field.name).toEqual(slow(vector));
      }
    }
  });
});
