/**
 * A `SqlConnection` usable before the database is: calls wait for it. DuckDB-WASM takes seconds to start, and
 * the engine client may connect (and receive its hello) meanwhile.
 */
import type { SqlConnection } from './sqlConnection.js';

export function lazyConnection(opening: Promise<SqlConnection>): SqlConnection {
  return {
    query: async (sql) => (await opening).query(sql),
    insertIpc: async (name, ipc, create) => (await opening).insertIpc(name, ipc, create),
    registerFile: async (name, bytes) => (await opening).registerFile(name, bytes),
    dropFile: async (name) => (await opening).dropFile(name),
  };
}
