/**
 * DuckDB-WASM in the page, loaded from same-origin bundles (never a CDN). The rest of the dashboard sees only
 * this small surface: open, insert Arrow IPC bytes, query.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';

export type Row = Record<string, unknown>;

export interface PageDatabase {
  readonly version: string;
  readonly bundle: string;
  /** Replaces (chunk 0) or appends to a table from one Arrow IPC stream. */
  insertIpc(table: string, ipc: Uint8Array, replace: boolean): Promise<void>;
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** BIGINT comes back as bigint; the dashboard shows numbers, and counts here fit in 2^53. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function openPageDatabase(): Promise<PageDatabase> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  const conn = await db.connect();
  const version = await db.getVersion();
  return {
    version,
    bundle: bundle.mainModule.split('/').pop() ?? bundle.mainModule,
    async insertIpc(table, ipc, replace) {
      if (replace) await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      await conn.insertArrowFromIPCStream(ipc, { name: table, create: replace });
    },
    async query(sql) {
      const result = await conn.query(sql);
      return result.toArray().map((row) => {
        const object = row.toJSON() as Row;
        for (const key of Object.keys(object)) object[key] = plain(object[key]);
        return object;
      });
    },
    async close() {
      await conn.close();
      await db.terminate();
      worker.terminate();
    },
  };
}
