/**
 * Turns plain rows into Arrow IPC stream bytes, typed by a shared `TableSpec`. IPC bytes are what crosses every
 * boundary (worker → main, engine → WebSocket → DuckDB-WASM): passing Arrow `Table` objects between module
 * copies silently loses data (docs/architecture.md, "Arrow").
 */
import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  Schema,
  Table,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { ColumnSpec, ColumnType, TableSpec } from '../../../shared/src/index.js';

function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'utf8':
      return new Utf8();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp_ms':
      return new TimestampMillisecond();
  }
}

export function arrowSchema(spec: TableSpec): Schema {
  return new Schema(spec.columns.map((c) => new Field(c.name, arrowType(c.type), c.nullable)));
}

type Cell = string | number | bigint | boolean | null | undefined;

function cellValue(column: ColumnSpec, value: Cell): unknown {
  if (value === null || value === undefined) {
    if (!column.nullable) throw new Error(`internal.bug: null in non-nullable column "${column.name}"`);
    return null;
  }
  // Int64 builders want bigint; JS numbers from SQLite and JSON are exact up to 2^53.
  if (column.type === 'int64') return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
  return value;
}

/** Builds an Arrow table from rows whose keys are the spec's column names. */
export function buildTable(spec: TableSpec, rows: readonly Readonly<Record<string, Cell>>[]): Table {
  const schema = arrowSchema(spec);
  // vectorFromArray([]) cannot keep its type; an empty table is its schema alone.
  if (rows.length === 0) return new Table(schema);
  const vectors = Object.fromEntries(
    spec.columns.map((column, i) => [
      column.name,
      vectorFromArray(
        rows.map((row) => cellValue(column, row[column.name])),
        schema.fields[i]!.type,
      ),
    ]),
  );
  return new Table(schema, vectors as never);
}

export function buildIpc(spec: TableSpec, rows: readonly Readonly<Record<string, Cell>>[]): Uint8Array {
  return tableToIPC(buildTable(spec, rows), 'stream');
}

/**
 * Joins IPC streams of one schema into a single stream by moving their record batches, without decoding a row
 * (what compaction needs: folding many chunks into one costs a copy of the bytes, not a rebuild).
 */
export function concatIpc(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const tables = chunks.map((bytes) => tableFromIPC(bytes));
  const first = tables[0];
  if (!first) throw new Error('internal.bug: concatIpc needs at least one chunk');
  return tableToIPC(new Table(first.schema, tables.flatMap((t) => t.batches)), 'stream');
}

/** Replaces one bool column of an IPC stream with `values` (one per row), keeping every other column's bytes. */
export function setBoolColumn(bytes: Uint8Array, column: string, values: readonly boolean[]): Uint8Array {
  const table = tableFromIPC(bytes);
  if (values.length !== table.numRows) throw new Error(`internal.bug: ${values.length} values for ${table.numRows} rows`);
  if (!table.schema.fields.some((f) => f.name === column)) throw new Error(`internal.bug: no column "${column}"`);
  return tableToIPC(table.setChild(column, vectorFromArray(values, new Bool())), 'stream');
}
