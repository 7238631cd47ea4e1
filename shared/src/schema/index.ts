export { column, type ColumnSpec, type ColumnType, type TableSpec } from './columns.js';
export * from './tables.js';
