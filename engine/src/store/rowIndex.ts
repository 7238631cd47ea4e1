/**
 * Where each row of a chunk came from (its SQLite rowid), built only when an upsert needs it: a warm start
 * appends hundreds of saved chunks, and decoding every one of them up front cost more than half a second.
 */
import type { Table } from 'apache-arrow';

export interface RowIndex {
  /** source_rowid per row (0 where the table lacks the column). */
  readonly rowids: Float64Array;
  readonly sorted: boolean;
}

/** The smallest and largest source_rowid of a chunk: an upsert skips chunks whose range cannot hold its rows. */
export interface RowidRange {
  readonly min: number;
  readonly max: number;
}

export function buildRowIndex(table: Table): { index: RowIndex; range: RowidRange } {
  const rowids = new Float64Array(table.numRows);
  let min = Infinity;
  let max = -Infinity;
  let sorted = true;
  const vector = table.getChild('source_rowid');
  if (vector) {
    // One typed array per column chunk, not a per-row iterator.
    let i = 0;
    for (const data of vector.data) {
      const values = data.values as BigInt64Array;
      for (let k = 0; k < data.length; k++, i++) {
        const r = Number(values[k]!); // a sliced Data has its values buffer sliced already
        rowids[i] = r;
        if (i > 0 && r < rowids[i - 1]!) sorted = false;
        if (r < min) min = r;
        if (r > max) max = r;
      }
    }
  }
  return { index: { rowids, sorted }, range: { min, max } };
}

export function lowerBound(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
