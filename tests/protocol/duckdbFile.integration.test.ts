/**
 * The engine's DuckDB file against the Arrow snapshot: for every table of the schema, DuckDB-WASM (Node build) holds
 * the same columns with the same types and the same values whether the rows came as Arrow IPC or in the file
 * written by native DuckDB and attached, so no panel can tell the two ways apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, type ColumnSpec, type TableName } from '../../shared/src/index.js';
import { buildIpc } from '../../engine/src/arrow/index.js';
import { createTableSync } from '../../ui/src/db/index.js';
import { duckdbFileOf } from './support/duckdbFile.js';
import { openNodeDatabase, type NodeDatabase } from './support/nodeDuckDb.js';

/** A value of the column's type, different per row; nullable columns are null in row 2. */
function cell(column: ColumnSpec, row: number): unknown {
  if (column.nullable && row === 2) return null;
  switch (column.type) {
    case 'utf8':
      return `${column.name} ${row} ‘é’ 'quoted'`;
    case 'int32':
      return 1_000 + row;
    case 'int64':
      return 2 ** 40 + row;
    case 'float64':
      return row + 0.125;
    case 'bool':
      return row % 2 === 0;
    case 'timestamp_ms':
      return 1_700_000_000_123 + row;
  }
}

const rowsOf = (columns: readonly ColumnSpec[]) => [0, 1, 2].map((row) => Object.fromEntries(columns.map((c) => [c.name, cell(c, row)])));

let viaArrow: NodeDatabase;
let viaFile: NodeDatabase;

beforeAll(async () => {
  viaArrow = await openNodeDatabase('file_test_arrow');
  viaFile = await openNodeDatabase('file_test_file');
  const arrowSync = createTableSync(viaArrow);
  for (const spec of TABLES) await arrowSync.loadChunk(spec.name, buildIpc(spec, rowsOf(spec.columns) as never), true);
  const file = await duckdbFileOf(Object.fromEntries(TABLES.map((spec) => [spec.name, [rowsOf(spec.columns).slice(0, 1), rowsOf(spec.columns).slice(1)]])));
  await createTableSync(viaFile).attachFile(file, TABLES.map((spec) => spec.name));
});

afterAll(() => {
  viaArrow?.close();
  viaFile?.close();
});

describe('the DuckDB file the stream offers', () => {
  it.each(TABLES.map((spec) => spec.name))('holds %s with the Arrow snapshot’s column types and values', async (table: TableName) => {
    const describeOf = async (db: NodeDatabase) => (await db.query(`DESCRIBE "${table}"`)).map((c) => `${c['column_name']} ${c['column_type']}`);
    expect(await describeOf(viaFile)).toEqual(await describeOf(viaArrow));
    const all = `SELECT * FROM "${table}" ORDER BY ALL`;
    const fromFile = await viaFile.query(all);
    expect(fromFile).toHaveLength(3);
    expect(fromFile).toEqual(await viaArrow.query(all));
  });

  it('is read through views, not copied into tables', async () => {
    const kinds = await viaFile.query(`SELECT table_type AS kind, count(*)::INTEGER AS n FROM information_schema.tables WHERE table_catalog = 'file_test_file' AND table_name NOT LIKE '\\_\\_ocm%' ESCAPE '\\' GROUP BY 1`);
    expect(kinds).toEqual([{ kind: 'VIEW', n: TABLES.length }]);
  });
});
