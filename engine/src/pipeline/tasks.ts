/**
 * What crosses the worker boundary: plain task descriptions in, plain results out (Arrow tables as IPC
 * bytes, transferred rather than copied). Shared by the pool (main thread) and the worker.
 */
import type { RowOf, TableName } from '../../../shared/src/index.js';
import type { DelegationBase, SessionBase } from '../parse/index.js';

/** Sub-agent session id → its root session id. Root sessions are absent (they are their own root). */
export type ChildRoots = Readonly<Record<string, string>>;

/**
 * `ChildRoots` as tasks carry them: serialised once, with a key a worker parses them again only for. Cloning the
 * object into every task (9k entries at 1M parts, hundreds of tasks) cost each worker most of a second.
 */
export interface ChildRootsRef {
  readonly key: string;
  readonly json: string;
}

let refsMade = 0;
const REF_PREFIX = `${process.pid}-${Math.random().toString(36).slice(2)}`;

export function childRootsRef(roots: ChildRoots): ChildRootsRef {
  return childRootsJson(JSON.stringify(roots));
}

/** A ref for roots already serialised (a warm start keeps them as saved). */
export function childRootsJson(json: string): ChildRootsRef {
  return { key: `${REF_PREFIX}-${++refsMade}`, json };
}

let lastResolved: { key: string; roots: ChildRoots } | undefined;

/** The roots a task carries, parsed once per key in this thread. */
export function resolveChildRoots(ref: ChildRootsRef): ChildRoots {
  if (lastResolved?.key !== ref.key) lastResolved = { key: ref.key, roots: JSON.parse(ref.json) as ChildRoots };
  return lastResolved.roots;
}

export type IngestTask =
  | { readonly kind: 'sqlite-meta'; readonly dbPath: string }
  | { readonly kind: 'sqlite-messages' | 'sqlite-parts'; readonly dbPath: string; readonly fromRowid: number; readonly toRowid: number; readonly childRoots: ChildRootsRef }
  | {
      readonly kind: 'sqlite-refresh';
      readonly dbPath: string;
      readonly afterEventRowid: number;
      readonly sinceUpdated: { readonly message: number; readonly part: number };
      readonly fullScan: boolean;
      readonly childRoots: ChildRootsRef;
      /** The database's small-tables signature when its sessions, projects and todos were last read. */
      readonly smallTables?: string;
    }
  | { readonly kind: 'json-meta'; readonly storageDir: string }
  | {
      readonly kind: 'json-messages' | 'json-parts';
      readonly storageDir: string;
      /** Sub-directories of storage/message (session ids) or storage/part (message ids). */
      readonly groups: readonly string[];
      /** Databases to check first: a record whose id is already there is skipped (the database wins). */
      readonly dbPaths: readonly string[];
      readonly childRoots: ChildRootsRef;
    };

export interface IssueCount {
  count: number;
  /** One example: record id or file, and what was wrong. */
  example: string;
}

/** Per message, what exchanges need from its parts. */
export interface MessageAggregate {
  toolCalls: number;
  reasoningParts: number;
  /** First and last text part by part id (ids are time-ordered). */
  firstText: { id: string; text: string } | null;
  lastText: { id: string; text: string } | null;
}

/** Per session, counts for session_stats. */
export interface SessionAggregate {
  toolCalls: number;
  toolErrors: number;
  delegations: number;
  fileReads: number;
  fileWrites: number;
}

export interface MetaResult {
  readonly sessions: SessionBase[];
  readonly projects: RowOf<'projects'>[];
  readonly todos: RowOf<'todos'>[];
  /** rowid bounds of message and part, for range planning (SQLite only). */
  readonly bounds?: { readonly message: [number, number]; readonly part: [number, number] };
  /** Newest time_updated seen per table: the watermark for incremental reads (SQLite only). */
  readonly watermarks?: Readonly<Record<string, number>>;
}

export interface TaskResult {
  readonly task: IngestTask['kind'];
  readonly source: string;
  /** Arrow IPC stream per table this task produced rows for. */
  readonly ipc: Partial<Record<TableName, Uint8Array>>;
  readonly rows: Partial<Record<TableName, number>>;
  readonly meta?: MetaResult;
  readonly delegations: DelegationBase[];
  readonly messageAggregates: Record<string, MessageAggregate>;
  readonly sessionAggregates: Record<string, SessionAggregate>;
  readonly partTypes: Record<string, number>;
  readonly toolsByName: Record<string, number>;
  readonly toolsByStatus: Record<string, number>;
  readonly issues: Record<string, IssueCount>;
  /** Records read (rows or files), including skipped ones. */
  readonly records: number;
  /** Records skipped because the database already had the same id. */
  readonly duplicates: number;
  /** Newest time_updated among the records read (SQLite ranges). */
  readonly maxTimeUpdated: number;
  /** Newest time_updated per table read (`message`, `part`). */
  readonly maxTimeUpdatedByTable?: Readonly<Record<string, number>>;
  /** A refresh that found sessions, projects and todos as they were (`smallTables` unchanged): no `meta`. */
  readonly metaUnchanged?: boolean;
  /** The signature of the database's small tables as a meta read or refresh read them, for the next refresh. */
  readonly smallTables?: string;
  /** Last `event` rowid seen by a refresh; -1 when the database has no event table. */
  readonly eventRowid?: number;
  /** A refresh's complete aggregates for the sessions whose parts changed: they replace the old ones. */
  readonly recounted?: {
    readonly sessionIds: readonly string[];
    readonly messageAggregates: Record<string, MessageAggregate>;
    readonly sessionAggregates: Record<string, SessionAggregate>;
    readonly delegations: DelegationBase[];
  };
}
