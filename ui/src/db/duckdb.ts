/**
 * DuckDB-WASM in the page, loaded from same-origin bundles (never a CDN). The rest of the dashboard sees only
 * this small surface: open, insert Arrow IPC bytes, query (a `SqlConnection`, which the stream applier uses).
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';

import type { Row, SqlConnection } from './sqlConnection.js';

export type { Row } from './sqlConnection.js';

export interface PageDatabase {
  readonly version: string;
  readonly bundle: string;
  /** The panels' and SQL console's connection. */
  query(sql: string): Promise<Row[]>;
  /**
   * The stream's own connection: its delta transactions never mix with a query a user runs meanwhile, and
   * queries see each delta whole or not at all.
   */
  readonly writer: SqlConnection;
  close(): Promise<void>;
}

type Connection = Awaited<ReturnType<duckdb.AsyncDuckDB['connect']>>;

function sqlConnection(db: duckdb.AsyncDuckDB, conn: Connection): SqlConnection {
  return {
    registerFile: (name, bytes) => db.registerFileBuffer(name, bytes),
    dropFile: async (name) => void (await db.dropFile(name)),
    async insertIpc(table, ipc, create) {
      await conn.insertArrowFromIPCStream(ipc, { name: table, create });
    },
    async query(sql) {
      const result = await conn.query(sql);
      return result.toArray().map((row) => {
        const object = row.toJSON() as Row;
        for (const key of Object.keys(object)) object[key] = plain(object[key]);
        return object;
      });
    },
  };
}

/** BIGINT comes back as bigint; the dashboard shows numbers, and counts here fit in 2^53. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Marks on the page's performance timeline (devtools; the stream benchmark reads `ready`): where DuckDB's start-up goes. */
export const DUCKDB_MARKS = { bundle: 'ocm:duckdb-bundle', instantiated: 'ocm:duckdb-instantiated', ready: 'ocm:duckdb-ready' } as const;

export async function openPageDatabase(): Promise<PageDatabase> {
  performance.mark(DUCKDB_MARKS.bundle);
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  performance.mark(DUCKDB_MARKS.instantiated);
  const conn = await db.connect();
  const writer = await db.connect();
  const version = await db.getVersion();
  const reader = sqlConnection(db, conn);
  performance.mark(DUCKDB_MARKS.ready);
  return {
    version,
    bundle: bundle.mainModule.split('/').pop() ?? bundle.mainModule,
    query: reader.query,
    writer: sqlConnection(db, writer),
    async close() {
      await writer.close();
      await conn.close();
      await db.terminate();
      worker.terminate();
    },
  };
}
