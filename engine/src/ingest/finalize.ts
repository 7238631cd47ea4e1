/**
 * Turns a backfill's state into the served tables: base tables as the workers built them (messages rewritten
 * only where fork copies must be flagged), plus every derived table.
 */
import { tableFromIPC } from 'apache-arrow';
import {
  DAILY_STATS_TABLE,
  DELEGATIONS_TABLE,
  EXCHANGES_TABLE,
  INGEST_ISSUES_TABLE,
  MESSAGES_TABLE,
  PROJECTS_TABLE,
  SESSION_STATS_TABLE,
  SESSIONS_TABLE,
  TODOS_TABLE,
  type RowOf,
  type TableName,
  type TableSpec,
} from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { deriveTables, readMessageFacts, type DeriveOutput } from '../derive/index.js';
import type { IngestState, TableChunks } from './ingestState.js';

export interface FinalTables {
  readonly tables: Map<TableName, TableChunks>;
  readonly derived: DeriveOutput;
}

function whole(spec: TableSpec, rows: readonly object[]): TableChunks {
  return { chunks: [buildIpc(spec, rows as never)], rows: rows.length };
}

function flagForkCopies(messages: TableChunks, copies: ReadonlySet<string>, chunkIndexes: ReadonlySet<number>): TableChunks {
  if (copies.size === 0) return messages;
  const chunks = messages.chunks.map((bytes, index) => {
    if (!chunkIndexes.has(index)) return bytes;
    const table = tableFromIPC(bytes);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < table.numRows; i++) {
      const row = table.get(i)!.toJSON() as Record<string, unknown>;
      if (copies.has(row.id as string)) row.is_fork_copy = true;
      rows.push(row);
    }
    return buildIpc(MESSAGES_TABLE, rows as never);
  });
  return { chunks, rows: messages.rows };
}

export function finalizeTables(state: IngestState, options: { deletedSessionIds?: ReadonlySet<string> } = {}): FinalTables {
  const messages = state.tables.get('messages') ?? { chunks: [], rows: 0 };
  const facts = readMessageFacts(messages.chunks);
  const derived = deriveTables({
    sessions: [...state.sessions.values()],
    projects: [...state.projects.values()],
    messages: facts,
    messageAggregates: state.messageAggregates,
    sessionAggregates: state.sessionAggregates,
    delegations: state.delegations,
    deletedSessionIds: options.deletedSessionIds ?? new Set(),
  });
  const copyChunks = new Set(facts.filter((f) => derived.forkCopyIds.has(f.id)).map((f) => f.chunk));
  const issues: RowOf<'ingest_issues'>[] = [];
  for (const [source, log] of state.issues) {
    for (const [reason, { count, example }] of Object.entries(log)) issues.push({ source_path: source, reason, count, example });
  }
  const tables = new Map<TableName, TableChunks>(state.tables);
  tables.set('messages', flagForkCopies(messages, derived.forkCopyIds, copyChunks));
  tables.set('projects', whole(PROJECTS_TABLE, [...state.projects.values()]));
  tables.set('sessions', whole(SESSIONS_TABLE, derived.sessions));
  tables.set('todos', whole(TODOS_TABLE, [...state.todos.values()]));
  tables.set('exchanges', whole(EXCHANGES_TABLE, derived.exchanges));
  tables.set('delegations', whole(DELEGATIONS_TABLE, derived.delegations));
  tables.set('session_stats', whole(SESSION_STATS_TABLE, derived.sessionStats));
  tables.set('daily_stats', whole(DAILY_STATS_TABLE, derived.dailyStats));
  tables.set('ingest_issues', whole(INGEST_ISSUES_TABLE, issues));
  return { tables, derived };
}
