/**
 * Writes the engine's tables at one seq as a DuckDB database file, for clients that attach it (`hello.snapshotFile`)
 * instead of inserting the Arrow snapshot body: DuckDB's own storage is a third of the Arrow bytes, and the page's
 * DuckDB reads its blocks as queries need them instead of converting every cell up front (docs/benchmarks.md,
 * "Stream: attaching a DuckDB file").
 *
 * The file must be written by native DuckDB of the storage version inside duckdb-wasm (@duckdb/node-api 1.4.3:
 * duckdb-wasm's Node runtime cannot write a file that reads back), and native DuckDB reads Parquet, not Arrow IPC:
 * each table's chunks go Arrow → Parquet on a worker thread (`toParquet`) → `INSERT … FROM read_parquet`. Column
 * types are declared from the shared schema, as DuckDB-WASM types the same columns when it inserts Arrow, so a
 * query cannot tell the two ways apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, tableSpec, type ColumnType, type Result, type TableName } from '../../../../shared/src/index.js';
import { joinIpcStreams } from '../../arrow/index.js';
import { FILE_MODE } from '../../persist/index.js';
import type { TableSnapshot } from './engineSnapshot.js';

/** Arrow IPC per Parquet file at most (one stream larger than that stays whole): bounds the worker's memory. */
const PARQUET_SLICE_BYTES = 32 * 1024 * 1024;

/** The DuckDB type DuckDB-WASM gives a column of this type when it inserts the engine's Arrow. */
export function duckdbColumnType(type: ColumnType): string {
  switch (type) {
    case 'utf8':
      return 'VARCHAR';
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'float64':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'timestamp_ms':
      return 'TIMESTAMP_MS';
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function createTableSql(table: TableName): string {
  return `CREATE TABLE ${quote(table)} (${tableSpec(table).columns.map((c) => `${quote(c.name)} ${duckdbColumnType(c.type)}`).join(', ')})`;
}

export interface DuckdbFileJob {
  readonly tables: readonly TableSnapshot[];
  /** Where the file goes; written beside it under a temporary name and renamed when whole. */
  readonly file: string;
  readonly toParquet: (stream: Uint8Array) => Promise<Uint8Array>;
  /** DuckDB threads for the inserts. @default 1, leaving the other cores to the engine */
  readonly threads?: number;
  /** DuckDB's memory limit while writing. @default 256 */
  readonly memoryLimitMb?: number;
  /** Asked between slices: true stops the write (the engine is shutting down) and nothing is kept. */
  readonly stopped?: () => boolean;
}

export interface DuckdbFileWritten {
  readonly bytes: number;
  readonly rows: Readonly<Partial<Record<TableName, number>>>;
}

type NodeApi = typeof import('@duckdb/node-api');

/** The native module is loaded on first use; a platform without its binary gets a problem, and the Arrow path. */
async function nodeApi(): Promise<Result<NodeApi>> {
  try {
    return ok(await import('@duckdb/node-api'));
  } catch (error) {
    return fail({ code: 'serve.snapshot-file', message: `native DuckDB (@duckdb/node-api) is not available here: ${(error as Error).message}` });
  }
}

export async function writeDuckdbFile(job: DuckdbFileJob): Promise<Result<DuckdbFileWritten>> {
  const partial = `${job.file}.partial`;
  const written = await writeTables(job, partial);
  if (!written.ok) {
    fs.rmSync(partial, { force: true });
    return written;
  }
  try {
    fs.chmodSync(partial, FILE_MODE);
    fs.renameSync(partial, job.file);
    return ok({ bytes: fs.statSync(job.file).size, rows: written.value });
  } catch (error) {
    return fail({ code: 'serve.snapshot-file', message: `could not keep the DuckDB file ${job.file}: ${(error as Error).message}` });
  }
}

async function writeTables(job: DuckdbFileJob, partial: string): Promise<Result<DuckdbFileWritten['rows']>> {
  const api = await nodeApi();
  if (!api.ok) return api;
  const scratch = `${job.file}.parquet`;
  fs.rmSync(partial, { force: true });
  fs.rmSync(`${partial}.wal`, { force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  let instance: InstanceType<NodeApi['DuckDBInstance']> | undefined;
  try {
    // DuckDB would take up to 80 % of the machine's memory for its buffers; the file is written to disk anyway.
    instance = await api.value.DuckDBInstance.create(partial, { threads: String(job.threads ?? 1), memory_limit: `${job.memoryLimitMb ?? 256}MB` });
    const connection = await instance.connect();
    try {
      const rows: Partial<Record<TableName, number>> = {};
      for (const table of job.tables) {
        await connection.run(createTableSql(table.name));
        let slice = 0;
        for (const stream of joinIpcStreams(table.chunks, PARQUET_SLICE_BYTES)) {
          if (job.stopped?.()) return fail({ code: 'serve.snapshot-file', message: 'the engine is closing' });
          const parquetFile = path.join(scratch, `${table.name}-${slice++}.parquet`);
          fs.writeFileSync(parquetFile, await job.toParquet(stream));
          await connection.run(`INSERT INTO ${quote(table.name)} BY NAME SELECT * FROM read_parquet(${literal(parquetFile)})`);
          fs.rmSync(parquetFile);
        }
        rows[table.name] = table.rows;
      }
      await connection.run('CHECKPOINT');
      const counted = await connection.run(job.tables.map((t) => `SELECT ${literal(t.name)} AS t, count(*)::BIGINT AS n FROM ${quote(t.name)}`).join(' UNION ALL '));
      for (const [name, n] of (await counted.getRows()) as [string, bigint][]) {
        if (Number(n) !== rows[name as TableName]) return fail({ code: 'serve.snapshot-file', message: `the DuckDB file holds ${n} rows of ${name}, the snapshot ${rows[name as TableName]}` });
      }
      return ok(rows);
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    return fail({ code: 'serve.snapshot-file', message: `could not write the DuckDB file: ${(error as Error).message}` });
  } finally {
    instance?.closeSync();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
