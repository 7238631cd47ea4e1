/**
 * Applies the engine's stream to DuckDB: snapshot chunks, then upserts, deletes and whole-table replaces keyed
 * by each table's `primaryKey` (shared/schema). Each delta runs in one transaction, so a query never sees a
 * half-applied change; every delta may be applied twice with the same result.
 */
import { tableSpec, type ColumnType, type KeyTuple, type KeyValue, type TableName } from '../../../shared/src/index.js';
import { quoteIdent, type SqlConnection } from './sqlConnection.js';

export interface TableSync {
  /** Snapshot chunk: chunk 0 (re)creates the table, later ones append. */
  loadChunk(table: TableName, ipc: Uint8Array, first: boolean): Promise<void>;
  /** Deletes rows keyed as `deletes` or as the incoming rows, then inserts the incoming rows. */
  upsert(table: TableName, ipc: Uint8Array, deletes: readonly KeyTuple[]): Promise<void>;
  delete(table: TableName, keys: readonly KeyTuple[]): Promise<void>;
  /** Swaps in the table's new content whole. */
  replace(table: TableName, ipc: Uint8Array): Promise<void>;
}

/** Scratch tables for incoming rows; the double underscore keeps them out of the engine's table names. */
const STAGE = '__ocm_stage';
/** Deleting many keys in one statement is fast, but the SQL text grows with them: go in slices. */
const KEYS_PER_STATEMENT = 1_000;

function literal(value: KeyValue, type: ColumnType | undefined): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'NULL';
    return type === 'timestamp_ms' ? `epoch_ms(${Math.trunc(value)})` : String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** `WHERE` clause matching any of `keys` on the table's primary key columns. */
export function keyPredicate(table: TableName, keys: readonly KeyTuple[]): string {
  const spec = tableSpec(table);
  const types = spec.primaryKey.map((name) => spec.columns.find((c) => c.name === name)?.type);
  if (spec.primaryKey.length === 1) {
    const column = quoteIdent(spec.primaryKey[0]!);
    return `${column} IN (${keys.map((key) => literal(key[0] ?? null, types[0])).join(', ')})`;
  }
  return keys
    .map((key) => `(${spec.primaryKey.map((name, i) => `${quoteIdent(name)} = ${literal(key[i] ?? null, types[i])}`).join(' AND ')})`)
    .join(' OR ');
}

function keyJoin(table: TableName, target: string, staged: string): string {
  return tableSpec(table)
    .primaryKey.map((name) => `${target}.${quoteIdent(name)} = ${staged}.${quoteIdent(name)}`)
    .join(' AND ');
}

export function createTableSync(conn: SqlConnection): TableSync {
  /** Runs `work` in a transaction; on failure rolls back and rethrows (a broken delta is a bug, not data). */
  const transaction = async (work: () => Promise<void>) => {
    await conn.query('BEGIN TRANSACTION');
    try {
      await work();
      await conn.query('COMMIT');
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  };
  const deleteKeys = async (table: TableName, keys: readonly KeyTuple[]) => {
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      await conn.query(`DELETE FROM ${quoteIdent(table)} WHERE ${keyPredicate(table, keys.slice(i, i + KEYS_PER_STATEMENT))}`);
    }
  };

  return {
    async loadChunk(table, ipc, first) {
      if (first) await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      await conn.insertIpc(table, ipc, first);
    },
    async upsert(table, ipc, deletes) {
      const target = quoteIdent(table);
      const stage = quoteIdent(STAGE);
      await conn.query(`DROP TABLE IF EXISTS ${stage}`);
      await conn.insertIpc(STAGE, ipc, true);
      try {
        await transaction(async () => {
          await conn.query(`DELETE FROM ${target} USING ${stage} WHERE ${keyJoin(table, target, stage)}`);
          await deleteKeys(table, deletes);
          await conn.query(`INSERT INTO ${target} BY NAME SELECT * FROM ${stage}`);
        });
      } finally {
        await conn.query(`DROP TABLE IF EXISTS ${stage}`);
      }
    },
    async delete(table, keys) {
      await transaction(() => deleteKeys(table, keys));
    },
    async replace(table, ipc) {
      const stage = quoteIdent(STAGE);
      await conn.query(`DROP TABLE IF EXISTS ${stage}`);
      await conn.insertIpc(STAGE, ipc, true);
      await transaction(async () => {
        await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
        await conn.query(`ALTER TABLE ${stage} RENAME TO ${quoteIdent(table)}`);
      });
    },
  };
}
