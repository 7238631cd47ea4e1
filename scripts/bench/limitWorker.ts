/**
 * Worker thread of the "physical limit" read: opens the database read-only, waits for `go`, then reads the
 * `data` column of its rowid ranges and JSON.parses every row. The counts it sends back (rows, characters,
 * objects with a string `type`) use every parsed value, so nothing can be optimised away.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface LimitRange {
  readonly table: 'message' | 'part';
  /** Exclusive lower and inclusive upper rowid. */
  readonly from: number;
  readonly to: number;
}

export interface LimitWorkerData {
  readonly dbPath: string;
  readonly ranges: readonly LimitRange[];
}

export interface LimitWorkerResult {
  readonly rows: number;
  readonly chars: number;
  readonly typed: number;
  readonly ms: number;
}

const { dbPath, ranges } = workerData as LimitWorkerData;
const port = parentPort!;
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
const statements = {
  message: db.prepare('SELECT data FROM message WHERE rowid > ? AND rowid <= ?').pluck(),
  part: db.prepare('SELECT data FROM part WHERE rowid > ? AND rowid <= ?').pluck(),
};

port.once('message', () => {
  const started = performance.now();
  let rows = 0;
  let chars = 0;
  let typed = 0;
  for (const range of ranges) {
    for (const data of statements[range.table].iterate(range.from, range.to) as IterableIterator<string>) {
      rows++;
      chars += data.length;
      const value = JSON.parse(data) as { type?: unknown; role?: unknown };
      if (typeof value.type === 'string' || typeof value.role === 'string') typed++;
    }
  }
  const result: LimitWorkerResult = { rows, chars, typed, ms: performance.now() - started };
  db.close();
  port.postMessage(result);
});
port.postMessage('ready');
