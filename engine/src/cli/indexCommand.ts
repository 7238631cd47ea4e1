/**
 * `opencode-monitor index [--data-dir DIR] [--state-dir DIR] [--json]`: a one-shot index of OpenCode's storage
 * through the worker pool. Prints a summary (JSON with --json) with counts after de-duplication.
 */
import { backfill, finalizeTables, summarize, type IndexSummary } from '../ingest/index.js';
import { createIngestPool } from '../pipeline/index.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';

export interface IndexOptions {
  readonly dataDir: string;
  readonly json: boolean;
  readonly threads?: number;
}

export async function runIndex(options: IndexOptions, io: CliIo, onProgress?: (done: number, total: number) => void) {
  const started = performance.now();
  const pool = createIngestPool(options.threads === undefined ? {} : { threads: options.threads });
  try {
    const state = await backfill({
      dataDir: options.dataDir,
      env: io.env,
      pool,
      logger: io.logger,
      onProgress: (p) => p.phase === 'records' && onProgress?.(p.done, p.total),
    });
    const final = finalizeTables(state);
    return { state, final, summary: summarize(state, final, performance.now() - started) };
  } finally {
    await pool.close();
  }
}

function printText(summary: IndexSummary, io: CliIo): void {
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
      `Done in    ${(summary.elapsedMs / 1000).toFixed(2)} s`,
      '',
    ].join('\n'),
  );
}

export async function indexCommand(options: IndexOptions, io: CliIo): Promise<number> {
  const bar = createProgressBar();
  const { summary } = await runIndex(options, io, (done, total) => bar.update(done, total, 'Indexing'));
  bar.finish();
  if (options.json) io.stdout(JSON.stringify(summary, null, 2) + '\n');
  else printText(summary, io);
  return 0;
}
