export { column, type ColumnSpec, type ColumnType, type TableSpec } from './columns.js';
export { SCHEMA_VERSION, SOURCES_TABLE, TABLES, isTableName, tableSpec, type TableName } from './tables.js';
