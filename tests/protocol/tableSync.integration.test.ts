/**
 * The ui's delta applier on DuckDB-WASM's Node build: upserts, deletes (single and composite keys, quotes in
 * values) and replaces land exactly, and applying a delta twice changes nothing, whether the snapshot came as Arrow
 * chunks or as the engine's DuckDB file attached (where the tables are views over the file and an overlay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_STATS_TABLE, FILE_OPERATIONS_TABLE, type RowOf } from '../../shared/src/index.js';
import { buildIpc } from '../../engine/src/arrow/index.js';
import { createTableSync, type TableSync } from '../../ui/src/db/index.js';
import { duckdbFileOf } from './support/duckdbFile.js';
import { openNodeDatabase, type NodeDatabase } from './support/nodeDuckDb.js';

let db: NodeDatabase;
let sync: TableSync;

const op = (id: string, path: string): RowOf<'file_operations'> => ({
  id, part_id: id.split(':')[0]!, session_id: 's', root_session_id: 's', operation: 'edit', path, status: 'completed', additions: 1, deletions: 0, at: 1_700_000_000_000, source_rowid: 1,
});
const day = (d: string, model: string, cost: number): RowOf<'daily_stats'> => ({
  day: d, provider_id: 'p', model_id: model, sessions: 1, assistant_messages: 1, tokens_input: 1, tokens_output: 1, tokens_reasoning: 0, tokens_cache_read: 0, tokens_cache_write: 0, tokens_total: 2, cost,
});
const rows = async (sql: string) => db.query(sql);

beforeAll(async () => {
  db = await openNodeDatabase('sync_test');
  sync = createTableSync(db);
});

afterAll(() => db?.close());

type Snapshot = { readonly file_operations?: RowOf<'file_operations'>[][]; readonly daily_stats?: RowOf<'daily_stats'>[][] };

/** The snapshot each way: one Arrow chunk per inner list, or one DuckDB file holding them all. */
const snapshotWays: Record<'arrow' | 'file', (snapshot: Snapshot) => Promise<void>> = {
  async arrow(snapshot) {
    for (const [name, chunks] of Object.entries(snapshot) as ['file_operations' | 'daily_stats', RowOf<'daily_stats'>[][]][]) {
      const spec = name === 'file_operations' ? FILE_OPERATIONS_TABLE : DAILY_STATS_TABLE;
      for (let i = 0; i < chunks.length; i++) await sync.loadChunk(name, buildIpc(spec, chunks[i]!), i === 0);
    }
  },
  async file(snapshot) {
    await sync.attachFile(await duckdbFileOf(snapshot), Object.keys(snapshot) as ('file_operations' | 'daily_stats')[]);
  },
};

describe.each(['arrow', 'file'] as const)('table sync on DuckDB, snapshot as %s', (way) => {
  const load = snapshotWays[way];

  it('upserts by primary key, deletes listed keys, and is idempotent', async () => {
    await load({ file_operations: [[op('a:0', '/x'), op("it's:0", '/y')], [op('b:0', '/z'), op('b:1', '/w')]] });
    const change = buildIpc(FILE_OPERATIONS_TABLE, [op('b:0', '/z2'), op('c:0', '/new')]);
    for (let twice = 0; twice < 2; twice++) await sync.upsert('file_operations', change, [['b:1']]);
    expect(await rows('SELECT id, path FROM file_operations ORDER BY id')).toEqual([
      { id: 'a:0', path: '/x' },
      { id: 'b:0', path: '/z2' },
      { id: 'c:0', path: '/new' },
      { id: "it's:0", path: '/y' },
    ]);
    await sync.delete('file_operations', [["it's:0"], ['a:0']]);
    expect((await rows('SELECT id FROM file_operations ORDER BY id')).map((r) => r['id'])).toEqual(['b:0', 'c:0']);
  });

  it('handles composite keys and whole-table replaces', async () => {
    await load({ daily_stats: [[day('2026-01-01', 'm1', 1), day('2026-01-01', 'm2', 2), day('2026-01-02', 'm1', 3)]] });
    await sync.upsert('daily_stats', buildIpc(DAILY_STATS_TABLE, [day('2026-01-01', 'm2', 20)]), [['2026-01-02', 'p', 'm1']]);
    expect(await rows('SELECT day, model_id, cost FROM daily_stats ORDER BY day, model_id')).toEqual([
      { day: '2026-01-01', model_id: 'm1', cost: 1 },
      { day: '2026-01-01', model_id: 'm2', cost: 20 },
    ]);
    await sync.replace('daily_stats', buildIpc(DAILY_STATS_TABLE, [day('2026-02-01', 'm9', 9)]));
    expect(await rows('SELECT day, model_id, cost FROM daily_stats')).toEqual([{ day: '2026-02-01', model_id: 'm9', cost: 9 }]);
    await sync.replace('daily_stats', buildIpc(DAILY_STATS_TABLE, []));
    expect(await rows('SELECT count(*)::INTEGER AS n FROM daily_stats')).toEqual([{ n: 0 }]);
  });
});

describe('table sync over an attached file', () => {
  const viewSql = async () => String((await rows("SELECT sql FROM duckdb_views() WHERE view_name = 'file_operations' AND NOT internal"))[0]?.['sql']);

  it('keeps a view a bare union until a row of the file is superseded or deleted', async () => {
    await snapshotWays.file({ file_operations: [[op('a:0', '/x'), op('b:0', '/y')]] });
    expect(await viewSql()).not.toMatch(/NOT EXISTS/i);
    // New rows only: nothing of the file is hidden, the view stays as it is.
    await sync.upsert('file_operations', buildIpc(FILE_OPERATIONS_TABLE, [op('c:0', '/new')]), []);
    await sync.delete('file_operations', [['c:0'], ['not-there:0']]);
    expect(await viewSql()).not.toMatch(/NOT EXISTS/i);
    expect((await rows('SELECT id FROM file_operations ORDER BY id')).map((r) => r['id'])).toEqual(['a:0', 'b:0']);
    // A file row changes: from now on the view hides the file's copy.
    await sync.upsert('file_operations', buildIpc(FILE_OPERATIONS_TABLE, [op('a:0', '/x2')]), []);
    expect(await viewSql()).toMatch(/NOT EXISTS/i);
    expect(await rows('SELECT id, path FROM file_operations ORDER BY id')).toEqual([
      { id: 'a:0', path: '/x2' },
      { id: 'b:0', path: '/y' },
    ]);
    expect(await rows('SELECT count(*)::INTEGER AS n FROM __ocm_gone_file_operations')).toEqual([{ n: 1 }]);
  });
});
