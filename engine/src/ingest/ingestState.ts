/**
 * Everything a backfill has gathered, on the main thread: Arrow IPC chunks per table as the workers sent them,
 * the small records derivations need (sessions, projects, todos, delegations, aggregates), and what was
 * skipped, by source and reason. Merging is all the main thread does with worker output.
 */
import { isProblemCode, PROBLEM_HELP, type RowOf, type TableName } from '../../../shared/src/index.js';
import type { DelegationBase, SessionBase } from '../parse/index.js';
import { mergeIssues, type IssueLog, type MessageAggregate, type MetaResult, type SessionAggregate, type TaskResult } from '../pipeline/index.js';

export interface SourceRecord {
  readonly kind: 'sqlite' | 'json';
  readonly path: string;
  records: number;
}

export interface TableChunks {
  chunks: Uint8Array[];
  rows: number;
}

/** One log line per cause: what, where, an example, and what happens next (the code's help text). */
export function issueLine(reason: string, count: number, source: string, example: string): string {
  const next = isProblemCode(reason) ? ` (${PROBLEM_HELP[reason]})` : '';
  return `${reason}: ${count} record(s) in ${source}; e.g. ${example}${next}`;
}

/** A task that could not read its source at all or to the end (`source.busy`, `source.vanished`, `source.unreadable`). */
export function readFailed(result: TaskResult): boolean {
  return Object.keys(result.issues).some((reason) => reason.startsWith('source.'));
}

function tally(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/**
 * What a database's small tables (sessions, projects, todos) looked like: their newest update times and counts.
 * When it is unchanged and no message or part changed, the derived tables need no recomputing.
 */
export function metaSignature(meta: MetaResult | undefined): string {
  if (!meta) return 'unreadable';
  return JSON.stringify([meta.watermarks?.['session'] ?? 0, meta.watermarks?.['todo'] ?? 0, meta.sessions.length, meta.projects.length, meta.todos.length]);
}

/** Fills one of the state's small-table maps from saved rows (a warm start), on first use. */
export type RestoreLater<T> = (into: Map<string, T>) => void;

export class IngestState {
  readonly tables = new Map<TableName, TableChunks>();
  readonly #sessions = new Map<string, SessionBase>();
  /** Which database each SQLite session came from (to notice deletions per database). */
  readonly sessionSources = new Map<string, string>();
  readonly #projects = new Map<string, RowOf<'projects'>>();
  readonly #todos = new Map<string, RowOf<'todos'>>();
  #restoreSessions: RestoreLater<SessionBase> | undefined;
  #restoreProjects: RestoreLater<RowOf<'projects'>> | undefined;
  #restoreTodos: RestoreLater<RowOf<'todos'>> | undefined;
  readonly delegations: DelegationBase[] = [];
  readonly messageAggregates: Record<string, MessageAggregate> = {};
  readonly sessionAggregates: Record<string, SessionAggregate> = {};
  readonly partTypes: Record<string, number> = {};
  readonly toolsByName: Record<string, number> = {};
  readonly toolsByStatus: Record<string, number> = {};
  readonly issues = new Map<string, IssueLog>();
  readonly sources: SourceRecord[] = [];
  /** Per database: newest time_updated per table, for incremental reads. */
  readonly watermarks: Record<string, Record<string, number>> = {};
  /** Per database, `metaSignature` of its small tables as last read. */
  readonly metaSignatures: Record<string, string> = {};
  /** Per database, the worker's `smallTablesSignature` taken as its small tables were read. */
  readonly smallTables: Record<string, string> = {};
  /** Per database, the sessions, projects and todos read from it: its part of `sources[].records` (`metaRecordCount`). */
  readonly metaRecords: Record<string, number> = {};
  /**
   * Databases a message or part range could not be read from. They get no watermarks, so the first refresh reads
   * them whole: a watermark from the ranges that did succeed would hide the older rows of the one that failed.
   */
  readonly unfinished = new Set<string>();
  duplicates = 0;

  /**
   * A warm start's sessions, projects and todos, turned into objects only when first read: a start that finds
   * nothing changed never needs them as objects (≈ 0.3 s for 20k sessions and 33k todos).
   */
  restoreLater(restore: { sessions: RestoreLater<SessionBase>; projects: RestoreLater<RowOf<'projects'>>; todos: RestoreLater<RowOf<'todos'>> }): void {
    this.#restoreSessions = restore.sessions;
    this.#restoreProjects = restore.projects;
    this.#restoreTodos = restore.todos;
  }

  /** Whether a table's rows are objects in this state yet (false only after `restoreLater`, before first use). */
  restored(table: 'sessions' | 'projects' | 'todos'): boolean {
    return (table === 'sessions' ? this.#restoreSessions : table === 'projects' ? this.#restoreProjects : this.#restoreTodos) === undefined;
  }

  get sessions(): Map<string, SessionBase> {
    const restore = this.#restoreSessions;
    this.#restoreSessions = undefined;
    restore?.(this.#sessions);
    return this.#sessions;
  }

  get projects(): Map<string, RowOf<'projects'>> {
    const restore = this.#restoreProjects;
    this.#restoreProjects = undefined;
    restore?.(this.#projects);
    return this.#projects;
  }

  get todos(): Map<string, RowOf<'todos'>> {
    const restore = this.#restoreTodos;
    this.#restoreTodos = undefined;
    restore?.(this.#todos);
    return this.#todos;
  }

  source(kind: 'sqlite' | 'json', path: string): SourceRecord {
    let record = this.sources.find((s) => s.path === path);
    if (!record) this.sources.push((record = { kind, path, records: 0 }));
    return record;
  }

  issuesOf(sourcePath: string): IssueLog {
    let log = this.issues.get(sourcePath);
    if (!log) this.issues.set(sourcePath, (log = {}));
    return log;
  }

  /** Sessions, projects and todos; the first source to provide an id wins (databases are merged first). */
  mergeMeta(result: TaskResult): void {
    const kind = result.task === 'sqlite-meta' ? 'sqlite' : 'json';
    this.source(kind, result.source).records += result.records;
    mergeIssues(this.issuesOf(result.source), result.issues);
    const meta = result.meta;
    if (kind === 'sqlite') this.metaSignatures[result.source] = metaSignature(meta);
    if (kind === 'sqlite' && meta && result.smallTables !== undefined) this.smallTables[result.source] = result.smallTables;
    if (kind === 'sqlite' && meta) this.metaRecords[result.source] = metaRecordCount(meta);
    if (!meta) return;
    for (const s of meta.sessions) {
      if (!this.sessions.has(s.id)) {
        this.sessions.set(s.id, s);
        if (kind === 'sqlite') this.sessionSources.set(s.id, result.source);
      } else if (kind === 'json') this.duplicates++;
    }
    for (const p of meta.projects) if (!this.projects.has(p.id)) this.projects.set(p.id, p);
    // A session's todo list is one record: a legacy file never adds to a list the database already has.
    const sessionsWithTodos = kind === 'json' ? new Set([...this.todos.values()].map((t) => t.session_id)) : undefined;
    for (const t of meta.todos) {
      if (this.todos.has(t.id) || sessionsWithTodos?.has(t.session_id)) continue;
      this.todos.set(t.id, t);
    }
    if (meta.watermarks) this.watermarks[result.source] = { ...meta.watermarks };
  }

  /** @param take takes a body chunk elsewhere (a cold index writes it to the state dir): true, and it is not held here. */
  mergeBodies(result: TaskResult, take?: (table: TableName, bytes: Uint8Array) => boolean): void {
    const kind = result.task.startsWith('sqlite') ? 'sqlite' : 'json';
    this.source(kind, result.source).records += result.records;
    mergeIssues(this.issuesOf(result.source), result.issues);
    this.duplicates += result.duplicates;
    for (const [name, bytes] of Object.entries(result.ipc) as [TableName, Uint8Array | undefined][]) {
      if (!bytes || take?.(name, bytes)) continue;
      let table = this.tables.get(name);
      if (!table) this.tables.set(name, (table = { chunks: [], rows: 0 }));
      table.chunks.push(bytes);
      table.rows += result.rows[name] ?? 0;
    }
    this.delegations.push(...result.delegations);
    for (const [id, a] of Object.entries(result.messageAggregates)) {
      const into = this.messageAggregates[id];
      if (!into) {
        this.messageAggregates[id] = a;
        continue;
      }
      // A message's parts can straddle two ranges.
      into.toolCalls += a.toolCalls;
      into.reasoningParts += a.reasoningParts;
      if (a.firstText && (!into.firstText || a.firstText.id < into.firstText.id)) into.firstText = a.firstText;
      if (a.lastText && (!into.lastText || a.lastText.id > into.lastText.id)) into.lastText = a.lastText;
    }
    for (const [id, a] of Object.entries(result.sessionAggregates)) {
      const into = (this.sessionAggregates[id] ??= { toolCalls: 0, toolErrors: 0, delegations: 0, fileReads: 0, fileWrites: 0 });
      into.toolCalls += a.toolCalls;
      into.toolErrors += a.toolErrors;
      into.delegations += a.delegations;
      into.fileReads += a.fileReads;
      into.fileWrites += a.fileWrites;
    }
    tally(this.partTypes, result.partTypes);
    tally(this.toolsByName, result.toolsByName);
    tally(this.toolsByStatus, result.toolsByStatus);
    if (kind === 'sqlite' && readFailed(result)) {
      this.unfinished.add(result.source);
      delete this.watermarks[result.source];
    }
    if (kind === 'sqlite' && result.maxTimeUpdated > 0 && !this.unfinished.has(result.source)) {
      const marks = (this.watermarks[result.source] ??= {});
      const table = result.task === 'sqlite-messages' ? 'message' : 'part';
      marks[table] = Math.max(marks[table] ?? 0, result.maxTimeUpdated);
    }
  }

  /** Skipped records by reason across all sources (unknown part types are kept, so they are not skipped). */
  skipped(): { count: number; reasons: Record<string, number> } {
    const reasons: Record<string, number> = {};
    for (const log of this.issues.values()) {
      for (const [reason, { count }] of Object.entries(log)) {
        if (reason === 'parse.unknown-type') continue;
        reasons[reason] = (reasons[reason] ?? 0) + count;
      }
    }
    return { count: Object.values(reasons).reduce((a, b) => a + b, 0), reasons };
  }
}

/** The records a database's small tables add to its count in the summary, as the worker counts them when it reads them. */
export function metaRecordCount(meta: NonNullable<TaskResult['meta']>): number {
  return meta.sessions.length + meta.projects.length + meta.todos.length;
}
