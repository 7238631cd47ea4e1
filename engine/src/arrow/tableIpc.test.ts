import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { SOURCES_TABLE } from '../../../shared/src/index.js';
import { buildIpc } from './tableIpc.js';

describe('buildIpc', () => {
  it('round-trips rows through an IPC stream with the spec types', () => {
    const ipc = buildIpc(SOURCES_TABLE, [
      { kind: 'sqlite', path: '/d/opencode.db', bytes: 4096, sessions: 3, messages: 10, parts: 42, modified_at: 1_700_000_000_000, problem: null },
      { kind: 'json', path: '/d/storage', bytes: 0, sessions: 1, messages: 2, parts: 3, modified_at: null, problem: 'source.unreadable' },
    ]);
    const table = tableFromIPC(ipc);
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => f.name)).toEqual(SOURCES_TABLE.columns.map((c) => c.name));
    const first = table.get(0)!.toJSON();
    expect(first.kind).toBe('sqlite');
    expect(first.parts).toBe(42n);
    expect(table.get(1)!.toJSON().modified_at).toBeNull();
  });

  it('refuses a null in a non-nullable column instead of shipping a wrong row', () => {
    expect(() => buildIpc(SOURCES_TABLE, [{ kind: null, path: '/x', bytes: 0, sessions: 0, messages: 0, parts: 0 }])).toThrow(/non-nullable column "kind"/);
  });
});
