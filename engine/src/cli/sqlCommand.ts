/**
 * `opencode-monitor sql "<SQL>" [--data-dir DIR] [--state-dir DIR] [--json|--csv]`: brings the index up to date,
 * loads every engine table into DuckDB (the same tables, as the same Arrow IPC bytes, that the dashboard loads into
 * DuckDB-WASM) and runs one query. DuckDB's own error message is printed as is.
 */
import { formatProblem, TABLES, type Result } from '../../../shared/src/index.js';
import { formatCsv, formatJson, formatTable, openQueryEngine, type QueryResult } from '../query/index.js';
import { withFreshIndex, type IndexOptions } from './indexCommand.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';

export type SqlOutputFormat = 'table' | 'json' | 'csv';

export interface SqlOptions extends Omit<IndexOptions, 'json'> {
  readonly sql: string;
  readonly format: SqlOutputFormat;
  /** Terminal width for the text table; undefined: no limit (output is a pipe or a file). */
  readonly maxWidth?: number;
}

export async function runSql(options: SqlOptions, io: CliIo, onProgress?: (done: number, total: number) => void): Promise<Result<QueryResult>> {
  return withFreshIndex(
    { ...options, json: false },
    io,
    async (indexer) => {
      const engine = await openQueryEngine();
      try {
        for (const spec of TABLES) {
          const loaded = engine.loadTable(spec.name, indexer.store.snapshot(spec.name));
          if (!loaded.ok) return loaded;
        }
        return engine.query(options.sql);
      } finally {
        engine.close();
      }
    },
    onProgress,
  );
}

export function formatSqlResult(result: QueryResult, format: SqlOutputFormat, maxWidth?: number): string {
  if (format === 'json') return formatJson(result);
  if (format === 'csv') return formatCsv(result);
  return formatTable(result, maxWidth === undefined ? {} : { maxWidth });
}

export async function sqlCommand(options: SqlOptions, io: CliIo): Promise<number> {
  const bar = createProgressBar();
  const result = await runSql(options, io, (done, total) => bar.update(done, total, 'Indexing'));
  bar.finish();
  if (!result.ok) {
    io.logger.error(formatProblem(result.problem));
    return 1;
  }
  io.stdout(formatSqlResult(result.value, options.format, options.maxWidth));
  return 0;
}
