/**
 * Splits a backfill into worker tasks: rowid ranges of `message` and `part` per database, and groups of
 * legacy directories. Pure given the bounds and directory lists.
 */
import type { ChildRootsRef, IngestTask } from '../pipeline/index.js';

/** Rows per range: big enough to amortise a task, small enough to keep in-flight memory bounded. */
export const ROWS_PER_TASK = 5_000;
export const DIRS_PER_TASK = 200;

export function planSqliteRanges(
  dbPath: string,
  kind: 'sqlite-messages' | 'sqlite-parts',
  [lo, hi]: readonly [number, number],
  childRoots: ChildRootsRef,
  rowsPerTask = ROWS_PER_TASK,
): IngestTask[] {
  if (hi <= 0) return [];
  const tasks: IngestTask[] = [];
  for (let from = lo - 1; from < hi; from += rowsPerTask) {
    tasks.push({ kind, dbPath, fromRowid: from, toRowid: Math.min(hi, from + rowsPerTask), childRoots });
  }
  return tasks;
}

export function planJsonGroups(
  storageDir: string,
  kind: 'json-messages' | 'json-parts',
  groups: readonly string[],
  dbPaths: readonly string[],
  childRoots: ChildRootsRef,
  perTask = DIRS_PER_TASK,
): IngestTask[] {
  const tasks: IngestTask[] = [];
  for (let i = 0; i < groups.length; i += perTask) {
    tasks.push({ kind, storageDir, groups: groups.slice(i, i + perTask), dbPaths, childRoots });
  }
  return tasks;
}
