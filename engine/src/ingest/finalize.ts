/**
 * Derived tables from the ingest state: recomputed whole from sessions, message facts and aggregates. Also
 * flags fork copies in message chunks after a backfill.
 */
import { tableFromIPC } from 'apache-arrow';
import {
  DAILY_STATS_TABLE,
  DELEGATIONS_TABLE,
  EXCHANGES_TABLE,
  INGEST_ISSUES_TABLE,
  PROJECTS_TABLE,
  SECURITY_EVENTS_TABLE,
  SECURITY_FINDINGS_TABLE,
  SESSION_STATS_TABLE,
  SESSIONS_TABLE,
  TODOS_TABLE,
  type RowOf,
  type TableName,
} from '../../../shared/src/index.js';
import { buildIpc, setBoolColumn } from '../arrow/index.js';
import { deriveTables, type DeriveOutput, type MessageFacts } from '../derive/index.js';
import { buildSecurityTables, type SequenceRuleSet } from '../security/index.js';
import type { IngestState } from './ingestState.js';
import { readScoredCalls } from './securityInput.js';

export interface Derived {
  readonly tables: Map<TableName, Uint8Array[]>;
  readonly derived: DeriveOutput;
}

export interface SecurityInput {
  /** The live `tool_calls` chunks (scored by the workers). */
  readonly toolCalls: readonly Uint8Array[];
  readonly rules: SequenceRuleSet;
}

export function deriveAll(state: IngestState, facts: readonly MessageFacts[], deleted: ReadonlySet<string>, security: SecurityInput): Derived {
  const derived = deriveTables({
    sessions: [...state.sessions.values()],
    projects: [...state.projects.values()],
    messages: facts,
    messageAggregates: state.messageAggregates,
    sessionAggregates: state.sessionAggregates,
    delegations: state.delegations,
    deletedSessionIds: deleted,
  });
  const issues: RowOf<'ingest_issues'>[] = [];
  for (const [source, log] of state.issues) {
    for (const [reason, { count, example }] of Object.entries(log)) issues.push({ source_path: source, reason, count, example });
  }
  const calls = readScoredCalls(
    security.toolCalls,
    (sessionId) => derived.tree.get(sessionId)?.rootId,
    (sessionId) => state.sessions.get(sessionId)?.project_id ?? null,
  );
  const audit = buildSecurityTables(calls, security.rules);
  const tables = new Map<TableName, Uint8Array[]>([
    ['projects', [buildIpc(PROJECTS_TABLE, [...state.projects.values()])]],
    ['sessions', [buildIpc(SESSIONS_TABLE, derived.sessions)]],
    ['todos', [buildIpc(TODOS_TABLE, [...state.todos.values()])]],
    ['exchanges', [buildIpc(EXCHANGES_TABLE, derived.exchanges)]],
    ['delegations', [buildIpc(DELEGATIONS_TABLE, derived.delegations)]],
    ['session_stats', [buildIpc(SESSION_STATS_TABLE, derived.sessionStats)]],
    ['daily_stats', [buildIpc(DAILY_STATS_TABLE, derived.dailyStats)]],
    ['security_events', [buildIpc(SECURITY_EVENTS_TABLE, audit.events)]],
    ['security_findings', [buildIpc(SECURITY_FINDINGS_TABLE, audit.findings)]],
    ['ingest_issues', [buildIpc(INGEST_ISSUES_TABLE, issues)]],
  ]);
  return { tables, derived };
}

/** Rewrites only the message chunks that hold fork copies, setting `is_fork_copy` (a column swap, no row rebuild). */
export function flagForkCopies(chunks: readonly Uint8Array[], copies: ReadonlySet<string>): Uint8Array[] {
  if (copies.size === 0) return [...chunks];
  return chunks.map((bytes) => {
    const table = tableFromIPC(bytes);
    const ids = table.getChild('id')!.toArray() as string[];
    if (!ids.some((id) => copies.has(id))) return bytes;
    const previous = table.getChild('is_fork_copy')!;
    return setBoolColumn(bytes, 'is_fork_copy', ids.map((id, i) => copies.has(id) || previous.get(i) === true));
  });
}
