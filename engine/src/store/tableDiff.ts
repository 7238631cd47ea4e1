/**
 * What a whole-table recompute changed, row by row: the rows that are new or differ (by primary key) and the
 * keys that vanished. Derived tables are recomputed whole (or by bucket), but a live change moves a handful of
 * their rows; telling the stream only those keeps each delta, and the ring that holds it, small.
 * Pure: old and new rows in, a diff out.
 */
import type { Table } from 'apache-arrow';
import type { KeyTuple, KeyValue, TableSpec } from '../../../shared/src/index.js';

/** A table's rows as they are held: decoded Arrow, with the rows marked dead left out. */
export interface DiffSide {
  readonly table: Table;
  readonly dead: Uint8Array | null;
}

export interface TableDiff {
  /** Rows of the new side that are new or differ from the old row of the same key, as plain objects. */
  readonly changed: Record<string, unknown>[];
  /** Keys of old rows with no row in the new side. */
  readonly vanished: KeyTuple[];
}

/** Arrow gives int64 as bigint; keys travel as JSON, and our ids and counts fit in 2^53. */
export function plainKeyValue(value: unknown): KeyValue {
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value as KeyValue;
}

const SEPARATOR = '\u0000';

/** One text per live row: its key, and (for comparing) every cell. Column by column: far cheaper than row objects. */
function describeRows(spec: TableSpec, side: DiffSide): { keys: string[]; cells: string[]; index: number[] } {
  const { table, dead } = side;
  const keyColumns = spec.primaryKey.map((name) => table.getChild(name));
  const rows = table.numRows;
  const keys = new Array<string>(rows).fill('');
  const cells = new Array<string>(rows).fill('');
  for (const column of keyColumns) {
    for (let i = 0; i < rows; i++) keys[i] += `${String(plainKeyValue(column?.get(i)))}${SEPARATOR}`;
  }
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name)!;
    for (let i = 0; i < rows; i++) {
      const value: unknown = column.get(i);
      // JSON for nested or odd values; a type tag keeps null apart from the text "null".
      cells[i] += value === null || value === undefined ? `\u0001${SEPARATOR}` : `${typeof value === 'object' ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : String(value)}${SEPARATOR}`;
    }
  }
  const index: number[] = [];
  for (let i = 0; i < rows; i++) if (!dead?.[i]) index.push(i);
  return { keys, cells, index };
}

/**
 * Diffs old rows against new ones by primary key. Returns null when a side holds one key twice (the diff would
 * be ambiguous; the caller then sends the table whole).
 */
export function diffRows(spec: TableSpec, before: readonly DiffSide[], after: readonly DiffSide[]): TableDiff | null {
  const old = new Map<string, { cells: string; key: KeyTuple }>();
  for (const side of before) {
    const { keys, cells, index } = describeRows(spec, side);
    const keyColumns = spec.primaryKey.map((name) => side.table.getChild(name));
    for (const i of index) {
      if (old.has(keys[i]!)) return null;
      old.set(keys[i]!, { cells: cells[i]!, key: keyColumns.map((column) => plainKeyValue(column?.get(i))) });
    }
  }
  const seen = new Set<string>();
  const changed: Record<string, unknown>[] = [];
  for (const side of after) {
    const { keys, cells, index } = describeRows(spec, side);
    for (const i of index) {
      const key = keys[i]!;
      if (seen.has(key)) return null;
      seen.add(key);
      if (old.get(key)?.cells !== cells[i]) changed.push(side.table.get(i)!.toJSON() as Record<string, unknown>);
    }
  }
  const vanished: KeyTuple[] = [];
  for (const [key, row] of old) if (!seen.has(key)) vanished.push(row.key);
  return { changed, vanished };
}

/** Equal bytes: the same recompute output, so the same rows (a bucket nothing touched, an unchanged small table). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function sideOf(table: Table, dead: Uint8Array | null = null): DiffSide {
  return { table, dead };
}
