/**
 * The Node twin of the page database: duckdb-wasm's blocking Node bundle behind the same `SqlConnection` the
 * page's AsyncDuckDB implements, so the ui's stream applier runs unchanged under Node. Data goes in as IPC
 * bytes only (stack-notes §6: the bundle has its own CommonJS apache-arrow).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DuckDBBindings, DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import type { Row, SqlConnection } from '../../../ui/src/db/index.js';

const require = createRequire(import.meta.url);
const BUNDLE = '@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs';

export interface NodeDatabase extends SqlConnection {
  close(): void;
}

let instance: Promise<DuckDBBindings> | undefined;

/** One DuckDB per test process (instantiating costs seconds); each caller gets its own connection and schema. */
async function bindings(): Promise<DuckDBBindings> {
  instance ??= (async () => {
    const duckdb = require(BUNDLE) as typeof import('@duckdb/duckdb-wasm/blocking');
    const dist = path.dirname(require.resolve(BUNDLE));
    const db = await duckdb.createDuckDB(
      { mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: '' }, eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: '' } },
      new duckdb.VoidLogger(),
      duckdb.NODE_RUNTIME,
    );
    await db.instantiate();
    return db;
  })();
  return instance;
}

const plain = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/**
 * A connection whose tables live in their own in-memory database (`ATTACH ':memory:' AS name`), so several
 * twins in one process never see each other's tables.
 */
export async function openNodeDatabase(name: string): Promise<NodeDatabase> {
  const db = await bindings();
  const conn: DuckDBConnection = db.connect();
  conn.query(`ATTACH ':memory:' AS "${name}"`);
  conn.query(`USE "${name}"`);
  return {
    async query(sql) {
      return conn.query(sql).toArray().map((row) => {
        const object = (row as { toJSON(): Row }).toJSON();
        for (const key of Object.keys(object)) object[key] = plain(object[key]);
        return object;
      });
    },
    async insertIpc(table, ipc, create) {
      conn.insertArrowFromIPCStream(ipc, { name: table, schema: name, create });
    },
    async registerFile(file, bytes) {
      db.registerFileBuffer(file, bytes);
    },
    async dropFile(file) {
      db.dropFile(file);
    },
    close: () => conn.close(),
  };
}
