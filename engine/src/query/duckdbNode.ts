/**
 * DuckDB-WASM in the engine process, for `opencode-monitor sql`. Uses the synchronous Node bundle
 * (stack-notes §6): instantiating it costs 1.5–5 s, so open one engine per process and reuse it.
 *
 * Data goes in only as Arrow IPC stream bytes. duckdb-wasm loads its own CommonJS copy of apache-arrow;
 * passing it Table objects from our ESM copy silently inserts nothing, bytes always work.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DuckDBBindings, DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import { fail, ok, type Result } from '../../../shared/src/index.js';
import { toQueryResult, type QueryResult } from './queryResult.js';

const require = createRequire(import.meta.url);
const BUNDLE = '@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs';

/** Table names we accept: plain SQL identifiers. duckdb-wasm pastes the name into SQL between double quotes. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An in-memory DuckDB with the engine's tables loaded into it. Not safe to share across worker threads. */
export interface QueryEngine {
  /** DuckDB's version string, e.g. `v1.4.3`. */
  readonly version: string;
  /**
   * Creates table `name` from Arrow IPC streams, replacing any table of that name: the first chunk creates the
   * table (a stream with a schema and no rows gives an empty table with the right columns), later chunks are
   * appended. All or nothing: on failure the previous table, if any, is left as it was.
   * Returns the row count of the new table.
   */
  loadTable(name: string, ipcChunks: readonly Uint8Array[]): Result<number>;
  /**
   * Runs SQL and returns the result of its first statement as plain values (see `queryResult.ts`). Errors from
   * DuckDB come back as a `query.sql-error` problem carrying DuckDB's message verbatim.
   */
  query(sql: string): Result<QueryResult>;
  /** Frees the database. Calling anything afterwards is a bug and throws. */
  close(): void;
}

type BlockingBundle = typeof import('@duckdb/duckdb-wasm/blocking');

/** Instantiates DuckDB-WASM (once per process: it takes seconds) and opens one connection. */
export async function openQueryEngine(): Promise<QueryEngine> {
  const duckdb = require(BUNDLE) as BlockingBundle;
  const dist = path.dirname(require.resolve(BUNDLE));
  const db = await duckdb.createDuckDB(
    {
      mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
      eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: '' },
    },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate();
  return createQueryEngine(db, db.connect());
}

function createQueryEngine(db: DuckDBBindings, conn: DuckDBConnection): QueryEngine {
  let closed = false;
  const live = (): DuckDBConnection => {
    if (closed) throw new Error('internal.bug: query engine used after close()');
    return conn;
  };

  return {
    version: db.getVersion(),

    loadTable(name, ipcChunks) {
      const c = live();
      if (!TABLE_NAME.test(name)) {
        return fail({
          code: 'config.invalid-argument',
          message: `table name "${name}" is not a plain identifier (letters, digits, _)`,
          source: name,
        });
      }
      const bad = badChunk(ipcChunks);
      if (bad) return fail({ code: 'internal.bug', message: bad, source: name });
      try {
        c.query('BEGIN TRANSACTION');
        c.query(`DROP TABLE IF EXISTS "${name}"`);
        ipcChunks.forEach((bytes, i) => c.insertArrowFromIPCStream(bytes, { name, create: i === 0 }));
        // duckdb-wasm accepts some malformed streams without error and without creating anything; counting
        // the rows both checks that the table exists and gives the caller its size.
        const rows = Number(c.query(`SELECT count(*)::BIGINT AS n FROM "${name}"`).getChildAt(0)?.get(0));
        c.query('COMMIT');
        return ok(rows);
      } catch (error) {
        rollback(c);
        return fail({
          code: 'internal.bug',
          message: `could not load table "${name}": ${duckdbMessage(error)}`,
          source: name,
        });
      }
    },

    query(sql) {
      const c = live();
      let table;
      try {
        table = c.query(sql);
      } catch (error) {
        const message = duckdbMessage(error);
        const kind = /^([A-Za-z ]+?) Error: /.exec(message)?.[1];
        return fail({ code: 'query.sql-error', message, ...(kind ? { detail: { duckdbError: kind } } : {}) });
      }
      // Outside the try: a conversion failure is our bug, not a problem with the user's SQL.
      return ok(toQueryResult(table));
    },

    close() {
      if (closed) return;
      closed = true;
      conn.close();
      db.reset();
    },
  };
}

/** Every chunk must be an IPC *stream* (starts with the 0xFFFFFFFF continuation marker), not empty or a file. */
function badChunk(chunks: readonly Uint8Array[]): string | undefined {
  if (chunks.length === 0) return 'no IPC chunks: even an empty table needs one stream carrying its schema';
  const index = chunks.findIndex((b) => b.length < 8 || b[0] !== 0xff || b[1] !== 0xff || b[2] !== 0xff || b[3] !== 0xff);
  if (index < 0) return undefined;
  const bytes = chunks[index]!;
  const file = bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1';
  return `chunk ${index} is not an Arrow IPC stream${file ? ' (it is the IPC file format; write with tableToIPC(t, "stream"))' : ''}`;
}

function rollback(conn: DuckDBConnection): void {
  try {
    conn.query('ROLLBACK');
  } catch {
    // No transaction open (BEGIN itself failed): nothing to undo.
  }
}

/**
 * DuckDB's message as DuckDB words it. Query errors arrive as text (`Catalog Error: Table with name x does not
 * exist!…`); errors from the Arrow insert path arrive as JSON (`{"exception_type":"Conversion",…}`), which is
 * turned into the same text form.
 */
export function duckdbMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith('{')) return message;
  try {
    const parsed = JSON.parse(message) as { exception_type?: unknown; exception_message?: unknown };
    if (typeof parsed.exception_type === 'string' && typeof parsed.exception_message === 'string') {
      return `${parsed.exception_type} Error: ${parsed.exception_message}`;
    }
  } catch {
    // Not JSON after all: keep it verbatim.
  }
  return message;
}
