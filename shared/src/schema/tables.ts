import { column, type TableSpec } from './columns.js';

/** Bumped whenever a table or column changes meaning; the engine rebuilds its persisted state on a change. */
export const SCHEMA_VERSION = 1;

/** One row per OpenCode storage location the engine found: each `opencode*.db` and the legacy JSON tree. */
export const SOURCES_TABLE = {
  name: 'sources',
  doc: 'OpenCode storage the engine reads: SQLite databases and the legacy JSON tree.',
  primaryKey: ['path'],
  columns: [
    column('kind', 'utf8', '"sqlite" for an opencode*.db file, "json" for the legacy storage/ tree'),
    column('path', 'utf8', 'Absolute path of the database file or storage directory'),
    column('bytes', 'int64', 'Size on disk, including the -wal file for SQLite'),
    column('sessions', 'int64', 'Session records found (rows or files)'),
    column('messages', 'int64', 'Message records found'),
    column('parts', 'int64', 'Part records found'),
    column('modified_at', 'timestamp_ms', 'Last modification time of the source', true),
    column('problem', 'utf8', 'Why the source could not be read fully, if it could not', true),
  ],
} as const satisfies TableSpec;

/** Every table the engine serves, in the order it sends them. */
export const TABLES = [SOURCES_TABLE] as const satisfies readonly TableSpec[];

export type TableName = (typeof TABLES)[number]['name'];

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && TABLES.some((table) => table.name === value);
}

export function tableSpec(name: TableName): TableSpec {
  const spec = TABLES.find((table) => table.name === name);
  // Unreachable for a TableName; kept so a wrong cast fails loudly instead of sending a headless table.
  if (!spec) throw new Error(`internal.bug: no table spec for "${name}"`);
  return spec;
}
