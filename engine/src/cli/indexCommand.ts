/**
 * `opencode-monitor index [--data-dir DIR] [--state-dir DIR] [--json]`: a one-shot index through the worker pool,
 * incremental when the state dir already holds an index. Prints a summary (one JSON object with --json) with
 * counts after de-duplication.
 */
import { createIndexer, type Indexer, type IndexSummary, type StartReport } from '../ingest/index.js';
import { createIngestPool } from '../pipeline/index.js';
import type { CliIo } from './io.js';
import { loadUserSecurityRules } from './securityRules.js';
import { createProgressBar } from './progress.js';

export interface IndexOptions {
  readonly dataDir: string;
  /** null: do not persist (benchmarks of the cold path). */
  readonly stateDir: string | null;
  readonly json: boolean;
  readonly threads?: number;
  /** Where the user's security-rules.json lives; absent: built-in rules only. */
  readonly configDir?: string;
}

/**
 * Brings the index up to date (warm start plus a full refresh, or a cold backfill) and hands the live indexer to
 * `use` before closing it and the pool. Shared by `index` and `sql`, so both see exactly the same tables.
 */
export async function withFreshIndex<T>(
  options: IndexOptions,
  io: CliIo,
  use: (indexer: Indexer, start: StartReport) => Promise<T>,
  onProgress?: (done: number, total: number) => void,
): Promise<T> {
  const rules = options.configDir === undefined ? undefined : loadUserSecurityRules(options.configDir, io.logger);
  const pool = createIngestPool({
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(rules ? { securityRulesFile: rules.file } : {}),
  });
  try {
    const indexer = createIndexer({
      dataDir: options.dataDir,
      stateDir: options.stateDir,
      env: io.env,
      pool,
      logger: io.logger,
      ...(rules ? { sequenceRules: rules.sequences } : {}),
      onProgress: (p) => p.phase === 'records' && onProgress?.(p.done, p.total),
    });
    const start = await indexer.start();
    // Incremental: the event-table tail, or time watermarks where there is none (the watcher's periodic scan is
    // the safety net of the long-running engine).
    if (start.mode === 'warm') await indexer.refresh();
    try {
      return await use(indexer, start);
    } finally {
      await indexer.close();
    }
  } finally {
    await pool.close();
  }
}

export async function runIndex(options: IndexOptions, io: CliIo, onProgress?: (done: number, total: number) => void): Promise<{ summary: IndexSummary; start: StartReport }> {
  const started = performance.now();
  return withFreshIndex(options, io, async (indexer, start) => ({ summary: indexer.summary(performance.now() - started), start }), onProgress);
}

function printText(summary: IndexSummary, start: StartReport, io: CliIo): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const t = summary.tokens;
  io.stdout(
    [
      `Sessions   ${n(summary.sessions.root)} root, ${n(summary.sessions.child)} sub-agent`,
      `Messages   ${n(summary.messages.user)} user, ${n(summary.messages.assistant)} assistant${summary.messages.forkCopies ? ` (+${n(summary.messages.forkCopies)} fork copies, not counted)` : ''}`,
      `Parts      ${n(Object.values(summary.parts).reduce((a, b) => a + b, 0))} (${Object.entries(summary.parts).map(([k, v]) => `${k} ${n(v)}`).join(', ')})`,
      `Tool calls ${n(Object.values(summary.toolCalls.byTool).reduce((a, b) => a + b, 0))}`,
      `Tokens     ${n(t.total)} (input ${n(t.input)}, output ${n(t.output)}, reasoning ${n(t.reasoning)}, cache read ${n(t.cacheRead)}, cache write ${n(t.cacheWrite)})`,
      `Cost       $${summary.cost.toFixed(4)} as recorded by OpenCode${summary.zeroCostSteps ? ` (${n(summary.zeroCostSteps)} steps recorded $0)` : ''}`,
      `Skipped    ${n(summary.skipped.count)}${summary.skipped.count ? ` (${Object.entries(summary.skipped.reasons).map(([k, v]) => `${k} ${n(v)}`).join(', ')})` : ''}`,
      `Sources    ${summary.sources.map((s) => `${s.kind} ${s.path} (${n(s.records)} records)`).join('; ') || 'none found'}`,
      `Done in    ${(summary.elapsedMs / 1000).toFixed(2)} s (${start.mode === 'warm' ? 'incremental, from the saved index' : 'full index'})`,
      '',
    ].join('\n'),
  );
}

export async function indexCommand(options: IndexOptions, io: CliIo): Promise<number> {
  const bar = createProgressBar();
  const { summary, start } = await runIndex(options, io, (done, total) => bar.update(done, total, 'Indexing'));
  bar.finish();
  if (options.json) io.stdout(JSON.stringify(summary, null, 2) + '\n');
  else printText(summary, start, io);
  return 0;
}
