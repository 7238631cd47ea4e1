/**
 * The engine's tables inside one in-process DuckDB, refreshed lazily per request and only for the tables a route
 * reads. A table is reloaded only when its chunk identities change: the store hands back the same `Uint8Array`s
 * for an unchanged table, and a live refresh usually appends chunks, which are inserted on their own instead of
 * reloading a million rows. Anything else (a chunk rewritten because rows died, compaction) reloads that table.
 */
import { fail, ok, type Result, type TableName } from '../../../../shared/src/index.js';
import type { QueryEngine } from '../../query/index.js';

export type Row = Record<string, unknown>;

export interface TableDb {
  /** Brings `tables` up to date, then runs `query` and returns its rows as objects keyed by column name. */
  rows(tables: readonly TableName[], query: string): Promise<Result<Row[]>>;
  /** How many times a table was loaded whole, and how many chunk appends: for tests of the refresh policy. */
  readonly stats: { fullLoads: number; appends: number };
  close(): Promise<void>;
}

export function createTableDb(chunksOf: (name: TableName) => readonly Uint8Array[], open: () => Promise<QueryEngine>): TableDb {
  let engine: Promise<QueryEngine> | undefined;
  const loaded = new Map<TableName, readonly Uint8Array[]>();
  const stats = { fullLoads: 0, appends: 0 };

  const refresh = (db: QueryEngine, name: TableName): Result<void> => {
    const current = chunksOf(name);
    const previous = loaded.get(name);
    if (previous && sameChunks(previous, current)) return ok(undefined);
    if (previous && previous.length > 0 && isPrefix(previous, current)) {
      // Only new chunks: stage them in a scratch table and append, all or nothing.
      const staged = db.loadTable('rest_delta', current.slice(previous.length));
      if (!staged.ok) return staged;
      const appended = db.query(`INSERT INTO "${name}" SELECT * FROM rest_delta`);
      db.query('DROP TABLE IF EXISTS rest_delta');
      if (!appended.ok) return appended;
      stats.appends++;
    } else {
      const result = db.loadTable(name, current);
      if (!result.ok) return result;
      stats.fullLoads++;
    }
    loaded.set(name, [...current]);
    return ok(undefined);
  };

  return {
    stats,
    async rows(tables, query) {
      const db = await (engine ??= open());
      // From here on everything is synchronous, so concurrent requests cannot interleave a load and a query.
      for (const name of tables) {
        const refreshed = refresh(db, name);
        if (!refreshed.ok) {
          loaded.delete(name);
          return fail(refreshed.problem);
        }
      }
      const result = db.query(query);
      if (!result.ok) return result;
      const names = result.value.columns.map((c) => c.name);
      return ok(result.value.rows.map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))));
    },
    async close() {
      if (engine) (await engine).close();
      engine = undefined;
      loaded.clear();
    },
  };
}

function sameChunks(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((chunk, i) => chunk === b[i]);
}

function isPrefix(prefix: readonly Uint8Array[], all: readonly Uint8Array[]): boolean {
  return prefix.length < all.length && prefix.every((chunk, i) => chunk === all[i]);
}
