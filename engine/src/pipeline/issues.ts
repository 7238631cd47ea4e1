/** Counts skipped or odd records by reason, keeping one example each: one log line per cause, not per record. */
import type { IssueCount } from './tasks.js';

export type IssueLog = Record<string, IssueCount>;

export function noteIssue(issues: IssueLog, reason: string, example: string, times = 1): void {
  const entry = issues[reason];
  if (entry) entry.count += times;
  else issues[reason] = { count: times, example: example.length > 300 ? `${example.slice(0, 300)}…` : example };
}

export function mergeIssues(into: IssueLog, from: Readonly<IssueLog>): void {
  for (const [reason, { count, example }] of Object.entries(from)) {
    const entry = into[reason];
    if (entry) entry.count += count;
    else into[reason] = { count, example };
  }
}
