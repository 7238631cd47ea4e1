import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeArrowFrame, FILE_OPERATIONS_TABLE, type RowOf } from '../../../../shared/src/index.js';
import { buildIpc } from '../../arrow/index.js';
import { storeChangeFrame } from './deltaFrames.js';

const op = (partId: string, index: number): RowOf<'file_operations'> => ({
  id: `${partId}:${index}`, part_id: partId, session_id: 's', root_session_id: 's', operation: 'edit', path: `/f${index}`, status: 'completed', additions: 1, deletions: 0, at: 1, source_rowid: 7,
});

describe('delta frames', () => {
  it('lists only superseded keys the new rows do not carry again', () => {
    // A patch part that touched three files is rewritten to touch one: two rows vanish.
    const fresh = buildIpc(FILE_OPERATIONS_TABLE, [op('prt_1', 0)]);
    const frame = storeChangeFrame({ kind: 'upsert', table: 'file_operations', ipc: fresh, rows: 1, superseded: [['prt_1:0'], ['prt_1:1'], ['prt_1:2']] }, 9);
    const decoded = decodeArrowFrame(frame.frame as Uint8Array);
    expect(decoded.ok && decoded.value.header).toEqual({ type: 'table-upsert', table: 'file_operations', seq: 9, rows: 1, deletes: [['prt_1:1'], ['prt_1:2']] });
    expect(frame.bytes).toBe((frame.frame as Uint8Array).byteLength);
  });

  it('makes a replace of several chunks one Arrow stream, and of none an empty table with its schema', () => {
    const chunks = [buildIpc(FILE_OPERATIONS_TABLE, [op('a', 0)]), buildIpc(FILE_OPERATIONS_TABLE, [op('b', 0), op('b', 1)])];
    const whole = decodeArrowFrame(storeChangeFrame({ kind: 'replace', table: 'file_operations', chunks }, 3).frame as Uint8Array);
    expect(whole.ok && whole.value.header).toEqual({ type: 'table-replace', table: 'file_operations', seq: 3, rows: 3 });
    expect(whole.ok && tableFromIPC(whole.value.ipc).numRows).toBe(3);
    const empty = decodeArrowFrame(storeChangeFrame({ kind: 'replace', table: 'file_operations', chunks: [] }, 4).frame as Uint8Array);
    expect(empty.ok && tableFromIPC(empty.value.ipc).schema.fields.map((f) => f.name)).toContain('part_id');
  });
});
