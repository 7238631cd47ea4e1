/**
 * `opencode-monitor audit [--data-dir DIR] [--state-dir DIR] [--since 7d] [--json]`: brings the index up to date
 * and prints the kill chains and correlations found, and the riskiest agent actions.
 */
import { formatProblem, type RowOf } from '../../../shared/src/index.js';
import { rowsOf } from '../ingest/index.js';
import { auditReport, parseDuration, type AuditReport } from '../security/index.js';
import { withFreshIndex, type IndexOptions } from './indexCommand.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';

export interface AuditOptions extends Omit<IndexOptions, 'json'> {
  readonly since?: string;
  readonly json: boolean;
  readonly now?: number;
}

export async function runAudit(options: AuditOptions, io: CliIo, onProgress?: (done: number, total: number) => void): Promise<AuditReport> {
  const window = options.since === undefined ? undefined : parseDuration(options.since);
  return withFreshIndex(
    { ...options, json: false },
    io,
    async (indexer) => {
      const events = rowsOf<RowOf<'security_events'>>(indexer.store.snapshot('security_events'));
      const findings = rowsOf<RowOf<'security_findings'>>(indexer.store.snapshot('security_findings'));
      return auditReport(events, findings, window === undefined ? {} : { sinceMs: (options.now ?? Date.now()) - window });
    },
    onProgress,
  );
}

export async function auditCommand(options: AuditOptions, io: CliIo): Promise<number> {
  if (options.since !== undefined && parseDuration(options.since) === undefined) {
    io.logger.error(formatProblem({ code: 'config.invalid-argument', message: `--since takes a duration like 30m, 24h, 7d or 2w, got "${options.since}"` }));
    return 2;
  }
  const bar = createProgressBar();
  const report = await runAudit(options, io, (done, total) => bar.update(done, total, 'Indexing'));
  bar.finish();
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : auditText(report));
  return 0;
}

function auditText(report: AuditReport): string {
  const e = report.events;
  const lines = [
    `Audited actions${report.since ? ` since ${report.since}` : ''}: ${e.critical} critical, ${e.high} high, ${e.medium} medium, ${e.low} low`,
    '',
    report.findings.length === 0 ? 'No kill chains or correlations.' : `Findings (${report.findings.length}):`,
  ];
  for (const f of report.findings) {
    lines.push(
      `  ${f.level.toUpperCase().padEnd(8)} ${String(f.score).padStart(3)}  ${f.name} (${f.type.replace('_', ' ')}, ${f.technique})  ` +
        `root ${f.rootSessionId}${f.crossSession ? ' +other sessions' : ''}  ${f.eventIds.length} events  ${f.lastAt}`,
    );
  }
  lines.push('', report.top.length === 0 ? 'No risky actions.' : 'Riskiest actions:');
  for (const t of report.top) {
    const bonus = t.sequenceBonus + t.correlationBonus > 0 ? ` (+${t.sequenceBonus + t.correlationBonus} from chains)` : '';
    lines.push(`  ${t.level.toUpperCase().padEnd(8)} ${String(t.score).padStart(3)}${bonus}  ${t.kind.padEnd(8)} ${(t.target ?? '').slice(0, 100)}`);
    lines.push(`           ${t.mitre.join(',') || '-'}  ${t.sessionId}  ${t.at}  ${t.reasons[0] ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}
