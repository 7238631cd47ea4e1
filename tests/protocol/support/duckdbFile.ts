/**
 * Writes engine tables as the DuckDB file the stream offers (`engine/src/serve/stream/duckdbFile.ts`), for tests
 * that attach it: the Arrow → Parquet step runs in this thread instead of the engine's worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableSpec, type TableName } from '../../../shared/src/index.js';
import { buildIpc, ipcToParquet } from '../../../engine/src/arrow/index.js';
import { writeDuckdbFile } from '../../../engine/src/serve/stream/duckdbFile.js';

type Rows = readonly Readonly<Record<string, unknown>>[];

/** The file's bytes; each table's rows go in as one Arrow chunk per entry of `chunks`. */
export async function duckdbFileOf(tables: Readonly<Partial<Record<TableName, readonly Rows[]>>>): Promise<Uint8Array> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-duckfile-'));
  try {
    const file = path.join(dir, 'tables.duckdb');
    const snapshot = Object.entries(tables).map(([name, chunks]) => ({
      name: name as TableName,
      rows: chunks!.reduce((n, rows) => n + rows.length, 0),
      chunks: chunks!.map((rows) => buildIpc(tableSpec(name as TableName), rows as never)),
    }));
    const written = await writeDuckdbFile({ tables: snapshot, file, toParquet: ipcToParquet });
    if (!written.ok) throw new Error(written.problem.message);
    return new Uint8Array(fs.readFileSync(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
