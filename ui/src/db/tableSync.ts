/**
 * Applies the engine's stream to DuckDB: a snapshot (Arrow chunks, or a DuckDB file attached read-only), then
 * upserts, deletes and whole-table replaces keyed by each table's `primaryKey` (shared/schema). Each delta runs in
 * one transaction, so a query never sees a half-applied change; every delta may be applied twice with the same
 * result.
 *
 * A table that came from an attached file is a view over it: `SELECT * FROM <overlay> UNION ALL` the file's rows
 * whose key is not in `<gone>`. Changes land in the overlay (new and changed rows) and in gone (keys of file rows
 * that were superseded or deleted), so the file is never copied; a whole-table replace makes it a plain table
 * again. Until a file row is hidden the view is the bare `UNION ALL`: the anti-join costs every query over a large
 * table (1.5–2.5 × at 1M parts), and most tables only ever gain rows. Queries cannot tell the kinds apart: same
 * name, same columns, same types.
 */
import { tableSpec, type ColumnType, type KeyTuple, type KeyValue, type TableName } from '../../../shared/src/index.js';
import { quoteIdent, type SqlConnection } from './sqlConnection.js';

export interface TableSync {
  /** Snapshot chunk: chunk 0 (re)creates the table, later ones append. */
  loadChunk(table: TableName, ipc: Uint8Array, first: boolean): Promise<void>;
  /** Snapshot file: every table of `tables` (re)made as a view over the DuckDB database file `bytes`, attached read-only. */
  attachFile(bytes: Uint8Array, tables: readonly TableName[]): Promise<void>;
  /** Rows the table holds now. */
  rowCount(table: TableName): Promise<number>;
  /** Deletes rows keyed as `deletes` or as the incoming rows, then inserts the incoming rows. */
  upsert(table: TableName, ipc: Uint8Array, deletes: readonly KeyTuple[]): Promise<void>;
  delete(table: TableName, keys: readonly KeyTuple[]): Promise<void>;
  /** Swaps in the table's new content whole. */
  replace(table: TableName, ipc: Uint8Array): Promise<void>;
}

/** Scratch tables for incoming rows; the double underscore keeps them out of the engine's table names. */
const STAGE = '__ocm_stage';
/** A view's own tables: rows that changed since the file, and keys whose file rows no longer count. */
const overlayOf = (table: TableName) => `__ocm_overlay_${table}`;
const goneOf = (table: TableName) => `__ocm_gone_${table}`;
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

/** `VALUES` rows of `keys`, typed as the table's primary key columns. */
function keyValues(table: TableName, keys: readonly KeyTuple[]): string {
  const spec = tableSpec(table);
  const types = spec.primaryKey.map((name) => spec.columns.find((c) => c.name === name)?.type);
  return keys.map((key) => `(${spec.primaryKey.map((_, i) => literal(key[i] ?? null, types[i])).join(', ')})`).join(', ');
}

function keyJoin(table: TableName, target: string, staged: string): string {
  return tableSpec(table)
    .primaryKey.map((name) => `${target}.${quoteIdent(name)} = ${staged}.${quoteIdent(name)}`)
    .join(' AND ');
}

export function createTableSync(conn: SqlConnection): TableSync {
  /** How each table is held: a plain table, or a view over the attached file (with its overlay and gone tables). */
  const kinds = new Map<TableName, 'table' | 'view'>();
  /** Views whose definition hides gone keys (the others have none yet). */
  const hiding = new Set<TableName>();
  /** The attached file, while a view still reads it. */
  let attached: { readonly name: string; readonly alias: string } | undefined;

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
  const deleteKeys = async (table: TableName, keys: readonly KeyTuple[], from: string = table) => {
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      await conn.query(`DELETE FROM ${quoteIdent(from)} WHERE ${keyPredicate(table, keys.slice(i, i + KEYS_PER_STATEMENT))}`);
    }
  };
  /** The view over the file: the overlay, then the file's rows (less those under gone keys, once there are any). */
  const viewSql = (table: TableName, alias: string, hidingKeys: boolean) => {
    const source = `${quoteIdent(alias)}.${quoteIdent(table)}`;
    const visible = `SELECT * FROM ${quoteIdent(overlayOf(table))} UNION ALL SELECT * FROM ${source} AS f`;
    if (!hidingKeys) return `CREATE OR REPLACE VIEW ${quoteIdent(table)} AS ${visible}`;
    const hidden = tableSpec(table).primaryKey.map((k) => `g.${quoteIdent(k)} = f.${quoteIdent(k)}`).join(' AND ');
    return `CREATE OR REPLACE VIEW ${quoteIdent(table)} AS ${visible} WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(goneOf(table))} AS g WHERE ${hidden})`;
  };
  /**
   * Hides the file's rows under the keys `keysSql` selects (columns named as the primary key): only keys the file
   * holds, each once. The first hidden key turns the view into its anti-join form.
   */
  const hideKeys = async (table: TableName, keysSql: string) => {
    if (!attached) return;
    const gone = quoteIdent(goneOf(table));
    const key = tableSpec(table).primaryKey.map(quoteIdent);
    const inFile = key.map((k) => `f.${k} = k.${k}`).join(' AND ');
    const source = `${quoteIdent(attached.alias)}.${quoteIdent(table)}`;
    await conn.query(`INSERT INTO ${gone} SELECT ${key.map((k) => `k.${k}`).join(', ')} FROM (${keysSql}) AS k WHERE EXISTS (SELECT 1 FROM ${source} AS f WHERE ${inFile}) EXCEPT SELECT * FROM ${gone}`);
    if (hiding.has(table)) return;
    const [row] = await conn.query(`SELECT count(*)::INTEGER AS n FROM ${gone}`);
    if (Number(row?.['n'] ?? 0) === 0) return;
    await conn.query(viewSql(table, attached.alias, true));
    hiding.add(table);
  };
  /** `SELECT` of literal keys, in slices, for `hideKeys`. */
  const hideLiteralKeys = async (table: TableName, keys: readonly KeyTuple[]) => {
    const columns = tableSpec(table).primaryKey.map(quoteIdent).join(', ');
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      await hideKeys(table, `SELECT * FROM (VALUES ${keyValues(table, keys.slice(i, i + KEYS_PER_STATEMENT))}) AS v(${columns})`);
    }
  };
  const stage = async (ipc: Uint8Array) => {
    await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(STAGE)}`);
    await conn.insertIpc(STAGE, ipc, true);
  };
  /** Detaches the file once no view reads it, giving its buffer back. */
  const releaseFileIfUnused = async () => {
    if (!attached || [...kinds.values()].includes('view')) return;
    const { name, alias } = attached;
    attached = undefined;
    await conn.query(`DETACH ${quoteIdent(alias)}`);
    await conn.dropFile(name);
  };
  const drop = async (table: TableName) => {
    if (kinds.get(table) === 'view') {
      await conn.query(`DROP VIEW IF EXISTS ${quoteIdent(table)}`);
      await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(overlayOf(table))}`);
      await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(goneOf(table))}`);
    } else await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
    kinds.delete(table);
    hiding.delete(table);
  };

  return {
    async loadChunk(table, ipc, first) {
      if (first) {
        await drop(table);
        await releaseFileIfUnused();
      }
      await conn.insertIpc(table, ipc, first);
      kinds.set(table, 'table');
    },
    async attachFile(bytes, tables) {
      for (const table of [...kinds.keys()]) await drop(table);
      await releaseFileIfUnused();
      // Unique names: the Node twin runs several clients on one DuckDB.
      const id = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
      const file = { name: `ocm-tables-${id}.duckdb`, alias: `__ocm_file_${id}` };
      await conn.registerFile(file.name, bytes);
      await conn.query(`ATTACH '${file.name}' AS ${quoteIdent(file.alias)} (READ_ONLY)`);
      attached = file;
      // One statement list for every table: each query is a round trip to DuckDB's worker in the page.
      const statements = tables.flatMap((table) => {
        const source = `${quoteIdent(file.alias)}.${quoteIdent(table)}`;
        const key = tableSpec(table).primaryKey.map(quoteIdent);
        return [
          `CREATE TABLE ${quoteIdent(overlayOf(table))} AS SELECT * FROM ${source} LIMIT 0`,
          `CREATE TABLE ${quoteIdent(goneOf(table))} AS SELECT ${key.join(', ')} FROM ${source} LIMIT 0`,
          viewSql(table, file.alias, false),
        ];
      });
      if (statements.length > 0) await conn.query(statements.join(';\n'));
      for (const table of tables) kinds.set(table, 'view');
    },
    async rowCount(table) {
      const [row] = await conn.query(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(table)}`);
      return Number(row?.['n'] ?? 0);
    },
    async upsert(table, ipc, deletes) {
      const view = kinds.get(table) === 'view';
      const target = view ? quoteIdent(overlayOf(table)) : quoteIdent(table);
      const staged = quoteIdent(STAGE);
      await stage(ipc);
      try {
        await transaction(async () => {
          if (view) {
            await hideKeys(table, `SELECT DISTINCT ${tableSpec(table).primaryKey.map(quoteIdent).join(', ')} FROM ${staged}`);
            await hideLiteralKeys(table, deletes);
          }
          await conn.query(`DELETE FROM ${target} USING ${staged} WHERE ${keyJoin(table, target, staged)}`);
          await deleteKeys(table, deletes, view ? overlayOf(table) : table);
          await conn.query(`INSERT INTO ${target} BY NAME SELECT * FROM ${staged}`);
        });
      } finally {
        await conn.query(`DROP TABLE IF EXISTS ${staged}`);
      }
    },
    async delete(table, keys) {
      const view = kinds.get(table) === 'view';
      await transaction(async () => {
        if (view) await hideLiteralKeys(table, keys);
        await deleteKeys(table, keys, view ? overlayOf(table) : table);
      });
    },
    async replace(table, ipc) {
      await stage(ipc);
      const view = kinds.get(table) === 'view';
      await transaction(async () => {
        if (view) {
          await conn.query(`DROP VIEW ${quoteIdent(table)}`);
          await conn.query(`DROP TABLE ${quoteIdent(overlayOf(table))}`);
          await conn.query(`DROP TABLE ${quoteIdent(goneOf(table))}`);
        } else await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
        await conn.query(`ALTER TABLE ${quoteIdent(STAGE)} RENAME TO ${quoteIdent(table)}`);
      });
      kinds.set(table, 'table');
      hiding.delete(table);
      await releaseFileIfUnused();
    },
  };
}
