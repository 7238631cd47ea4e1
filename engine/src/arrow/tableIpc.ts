/**
 * Turns plain rows into Arrow IPC stream bytes, typed by a shared `TableSpec`. IPC bytes are what crosses every
 * boundary (worker → main, engine → WebSocket → DuckDB-WASM): passing Arrow `Table` objects between module
 * copies silently loses data (docs/architecture.md, "Arrow").
 */
import {
  Bool,
  Field,
  RecordBatch,
  Struct,
  makeData,
  type Data,
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

const utf8Encoder = new TextEncoder();

/** A validity bitmap that is only allocated once the first null shows up (most columns have none). */
class Validity {
  bitmap: Uint8Array | undefined;
  nullCount = 0;
  constructor(private readonly length: number) {}
  setNull(i: number): void {
    this.bitmap ??= new Uint8Array((this.length + 7) >> 3).fill(0xff);
    this.bitmap[i >> 3]! &= ~(1 << (i & 7));
    this.nullCount++;
  }
}

function nullCell(column: ColumnSpec, value: Cell): boolean {
  if (value !== null && value !== undefined) return false;
  if (!column.nullable) throw new Error(`internal.bug: null in non-nullable column "${column.name}"`);
  return true;
}

/**
 * One column's Arrow buffers, written straight into typed arrays. Arrow's generic builders (`vectorFromArray`)
 * cost several times more per value, and this runs for every row the engine reads.
 */
function buildColumn(column: ColumnSpec, type: DataType, rows: readonly Readonly<Record<string, Cell>>[]): Data {
  const length = rows.length;
  const validity = new Validity(length);
  const name = column.name;
  const base = (): { type: DataType; length: number; nullCount: number; nullBitmap: Uint8Array | undefined } => ({
    type,
    length,
    nullCount: validity.nullCount,
    nullBitmap: validity.bitmap,
  });
  switch (column.type) {
    case 'utf8': {
      const offsets = new Int32Array(length + 1);
      let bytes = new Uint8Array(Math.max(256, length * 16));
      let at = 0;
      for (let i = 0; i < length; i++) {
        const value = rows[i]![name];
        if (!nullCell(column, value)) {
          const text = typeof value === 'string' ? value : String(value);
          // UTF-16 code unit → at most 3 UTF-8 bytes.
          if (at + text.length * 3 > bytes.length) {
            const grown = new Uint8Array(Math.max(bytes.length * 2, at + text.length * 3));
            grown.set(bytes.subarray(0, at));
            bytes = grown;
          }
          at += utf8Encoder.encodeInto(text, bytes.subarray(at)).written;
        } else validity.setNull(i);
        offsets[i + 1] = at;
      }
      return makeData({ ...base(), type: type as Utf8, valueOffsets: offsets, data: bytes.subarray(0, at) });
    }
    case 'int32':
    case 'float64': {
      const values = column.type === 'int32' ? new Int32Array(length) : new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const value = rows[i]![name];
        if (nullCell(column, value)) validity.setNull(i);
        else values[i] = Number(value);
      }
      return makeData({ ...base(), type: type as Int32, data: values as Int32Array });
    }
    case 'int64':
    case 'timestamp_ms': {
      const values = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const value = rows[i]![name];
        if (nullCell(column, value)) validity.setNull(i);
        // JS numbers from SQLite and JSON are exact up to 2^53.
        else values[i] = typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
      }
      return makeData({ ...base(), type: type as Int64, data: values });
    }
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) {
        const value = rows[i]![name];
        if (nullCell(column, value)) validity.setNull(i);
        else if (value) bits[i >> 3]! |= 1 << (i & 7);
      }
      return makeData({ ...base(), type: type as Bool, data: bits });
    }
  }
}

const decoded = new WeakMap<Uint8Array, Table>();

/**
 * `tableFromIPC`, remembered for as long as the bytes object lives: the store hands out the same bytes for a table
 * until it changes, and decoding costs ~1.5 ms a chunk in schema alone (a warm start's 64 session chunks took
 * ~0.1 s for each reader). Callers must not change the table.
 */
export function decodeIpc(bytes: Uint8Array): Table {
  let table = decoded.get(bytes);
  if (!table) decoded.set(bytes, (table = tableFromIPC(bytes)));
  return table;
}

/** Builds an Arrow table from rows whose keys are the spec's column names. */
export function buildTable(spec: TableSpec, rows: readonly Readonly<Record<string, Cell>>[]): Table {
  const schema = arrowSchema(spec);
  // An empty table is its schema alone.
  if (rows.length === 0) return new Table(schema);
  const children = spec.columns.map((column, i) => buildColumn(column, schema.fields[i]!.type, rows));
  const struct = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, struct)]);
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
