/**
 * Rebuilds the in-memory ingest state from persisted tables (a warm restart): sessions, projects and todos
 * from their tables (on first use); aggregates and delegations from the manifest's watermarks blob.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { decodeIpc } from '../arrow/index.js';
import type { DelegationBase, SessionBase } from '../parse/index.js';
import type { MessageAggregate, SessionAggregate } from '../pipeline/index.js';
import type { IngestState } from './ingestState.js';
import { columnValues } from './columnValues.js';
import { countTodosByStatus, type BodyTally, type SessionSums } from './summary.js';

/** What the manifest carries besides the tables (JSON-safe). */
export interface PersistedExtras {
  readonly watermarks: Record<string, Record<string, number>>;
  /** Only in states saved before the aggregates got their own segment (`aggregateTable.ts`). */
  readonly messageAggregates?: Record<string, MessageAggregate>;
  /** These three only in states saved before they got their own segment (`extrasSegment.ts`). */
  readonly sessionAggregates?: Record<string, SessionAggregate>;
  readonly delegations?: DelegationBase[];
  readonly sessionDb?: Record<string, string>;
  readonly deletedSessionIds: string[];
  readonly partTypes: Record<string, number>;
  readonly toolsByName: Record<string, number>;
  readonly toolsByStatus: Record<string, number>;
  readonly sources: { kind: 'sqlite' | 'json'; path: string; records: number }[];
  readonly issues: Record<string, Record<string, { count: number; example: string }>>;
  readonly duplicates: number;
  /** Per database, what its sessions, projects, todos and issues looked like at the last refresh (see indexer). */
  readonly metaSignatures?: Record<string, string>;
  /** Per database, the worker's cheap signature of the small tables as saved (see indexer). */
  readonly smallTables?: Record<string, string>;
  /** Per database, the sessions, projects and todos in its `sources[].records` (absent in states saved before it). */
  readonly metaRecords?: Record<string, number>;
  /** Per table, how many leading segments were written whole (they replay as appends, not upserts). */
  readonly replacedSegments?: Record<string, number>;
  /**
   * What the saved security tables were computed from (rules and engine, and the sessions' placement in trees
   * and projects): the same at the first derive after a warm start, they are reused instead of recomputed.
   */
  readonly security?: { readonly rules: string; readonly placement: string };
  /** The summary's body tally, when it was counted for exactly the saved bodies. */
  readonly bodyTally?: BodyTally;
  /** What the summary and the workers read from the saved sessions and todos tables, read when they were saved. */
  readonly smallTablesDigest?: SmallTablesDigest;
}

/**
 * The saved sessions and todos tables, digested: a warm start that finds nothing changed answers from this instead
 * of reading and decoding them (64 session chunks: ~0.15 s).
 */
export interface SmallTablesDigest {
  readonly sessions: SessionSums;
  readonly todos: Record<string, number>;
  /** `ChildRootsRef.json` of the sessions. */
  readonly childRoots: string;
}

/**
 * Plain rows of IPC chunks, read column by column straight from the buffers (`columnValues`) instead of a struct
 * row object per row (`toJSON`), which costs about a second for the sessions and todos of a large history.
 * @param columns only these columns (the rest are left out of the rows).
 */
export function rowsOf<T>(chunks: readonly Uint8Array[], columns?: readonly string[]): T[] {
  const rows: T[] = [];
  for (const bytes of chunks) {
    const table = decodeIpc(bytes);
    const names = columns ?? table.schema.fields.map((f) => f.name);
    const values = names.map((name) => {
      const vector = table.getChild(name);
      return vector ? columnValues(vector) : new Array<unknown>(table.numRows).fill(null);
    });
    for (let i = 0; i < table.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = values[c]![i];
      rows.push(row as T);
    }
  }
  return rows;
}

/** Sub-agent session → its root, read from a saved `sessions` table (what `childRootMap` gives for its sessions). */
export function childRootsOf(sessionChunks: readonly Uint8Array[]): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const row of rowsOf<{ id: string; root_id: string }>(sessionChunks, ['id', 'root_id'])) if (row.root_id !== row.id) roots[row.id] = row.root_id;
  return roots;
}

/** How many todos have each status, read from a saved `todos` table. */
export function todoStatusCounts(todoChunks: readonly Uint8Array[]): Record<string, number> {
  return countTodosByStatus(rowsOf<{ status: string }>(todoChunks, ['status']));
}

const SESSION_BASE_KEYS = [
  'id', 'project_id', 'directory', 'title', 'slug', 'version', 'parent_id', 'agent', 'provider_id', 'model_id',
  'created_at', 'updated_at', 'archived_at', 'additions', 'deletions', 'files_changed', 'is_archived', 'source',
] as const;

/** A saved table's chunks, read when asked for (a warm start may never need them). */
type SavedChunks = () => readonly Uint8Array[];

export function restoreState(state: IngestState, tables: { sessions: SavedChunks; projects: SavedChunks; todos: SavedChunks }, extras: PersistedExtras): void {
  state.restoreLater({
    // Only the columns a session base has, in its key order (derives compare sessions by their JSON).
    sessions: (into) => {
      for (const base of rowsOf<SessionBase>(tables.sessions(), SESSION_BASE_KEYS)) into.set(base.id, base);
    },
    projects: (into) => {
      for (const row of rowsOf<RowOf<'projects'>>(tables.projects())) into.set(row.id, row);
    },
    todos: (into) => {
      for (const row of rowsOf<RowOf<'todos'>>(tables.todos())) into.set(row.id, row);
    },
  });
  Object.assign(state.watermarks, extras.watermarks);
  Object.assign(state.sessionAggregates, extras.sessionAggregates ?? {});
  Object.assign(state.partTypes, extras.partTypes);
  Object.assign(state.toolsByName, extras.toolsByName);
  Object.assign(state.toolsByStatus, extras.toolsByStatus);
  state.delegations.push(...(extras.delegations ?? []));
  for (const s of extras.sources) state.source(s.kind, s.path).records = s.records;
  for (const [source, log] of Object.entries(extras.issues)) state.issues.set(source, log);
  state.duplicates = extras.duplicates;
}
