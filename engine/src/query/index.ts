/**
 * `opencode-monitor sql`: DuckDB SQL over the engine's tables, in the engine process.
 * Open one engine per process (instantiation takes seconds), load tables from Arrow IPC bytes, query, format.
 */
export { openQueryEngine, type QueryEngine } from './duckdbNode.js';
export { formatCsv, formatJson, formatTable, type CsvFormatOptions, type TableFormatOptions } from './format.js';
export type { QueryColumn, QueryResult } from './queryResult.js';
