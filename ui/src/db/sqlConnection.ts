/**
 * The little a DuckDB connection must do for the stream to land in it. The page's AsyncDuckDB (`duckdb.ts`) and
 * the Node twin used by protocol tests (blocking bundle) both implement it, so the same applier runs in both.
 */
export type Row = Record<string, unknown>;

export interface SqlConnection {
  /** Runs SQL; rows come back as plain objects (BIGINT as number). */
  query(sql: string): Promise<Row[]>;
  /** Loads one Arrow IPC stream: `create` makes table `name` from it, otherwise the rows are appended. */
  insertIpc(name: string, ipc: Uint8Array, create: boolean): Promise<void>;
  /** Makes `bytes` a file DuckDB can `ATTACH` as `name` (the buffer may be transferred to DuckDB). */
  registerFile(name: string, bytes: Uint8Array): Promise<void>;
  /** Forgets a registered file (after its `DETACH`). */
  dropFile(name: string): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
