/**
 * Derived tables from the ingest state: sessions, message facts and aggregates (by bucket of session trees, only
 * the buckets a change touched; see `derivedBuckets.ts`), the small tables and the security tables. Also
 * flags fork copies in message chunks after a backfill.
 */
import { createHash } from 'node:crypto';
import { tableFromIPC } from 'apache-arrow';
import {
  INGEST_ISSUES_TABLE,
  PROJECTS_TABLE,
  TODOS_TABLE,
  type RowOf,
  type TableName,
} from '../../../shared/src/index.js';
import { buildIpc, setBoolColumn } from '../arrow/index.js';
import type { MessageFacts } from '../derive/index.js';
import type { SecurityJob, SecurityTablesIpc, SequenceRuleSet } from '../security/index.js';
import { DerivedBuckets, type ChangedMessages, type DeriveSummary } from './derivedBuckets.js';
import type { IngestState } from './ingestState.js';

export interface Derived {
  /** The recomputed tables, without the security tables: `security` says how to get those. */
  readonly tables: Map<TableName, Uint8Array[]>;
  readonly derived: DeriveSummary;
  /** Buckets of session trees the core derive recomputed. */
  readonly rebuilt: number;
  readonly security: SecurityPlan;
}

/**
 * The security tables of a derive: the ones the cache holds (nothing they are computed from moved), or a job
 * that computes them (a pass over every audited call: seconds at 1M parts, so the caller may run it elsewhere);
 * its result goes into the cache under `key` (`storeSecurityTables`).
 */
export type SecurityPlan =
  | { readonly kind: 'cached'; readonly tables: SecurityTablesIpc }
  | { readonly kind: 'pending' }
  | { readonly kind: 'compute'; readonly key: string | undefined; readonly job: SecurityJob };

export interface SecurityInput {
  /** The live `tool_calls` chunks (scored by the workers), read only when the security tables are recomputed. */
  readonly toolCalls: () => readonly Uint8Array[];
  readonly rules: SequenceRuleSet;
  /**
   * Names the content of `toolCalls` (the caller bumps it whenever the table changes). With the sessions' roots
   * and projects it keys `cache`: when neither moved, the security tables of the last derive are reused, which
   * spares a pass over every tool call (seconds at 1M parts) when a live change touched only text.
   */
  readonly toolCallsGeneration?: number;
  readonly cache?: SecurityCache;
}

/** The security tables of the last derive and what they were computed from. */
export interface SecurityCache {
  /** `<toolCallsGeneration>|<placement>`. */
  key?: string;
  /** The tables' bytes, or how to read them from the saved state (a warm start reads them only when used). */
  events?: Uint8Array | (() => Uint8Array);
  findings?: Uint8Array | (() => Uint8Array);
  /** The key of tables being computed elsewhere, which will land in this cache: a derive for the same key waits for them. */
  pending?: string;
}

/** The derived tables kept between derives, and which sessions changed since the last one ('all': unknown). */
export interface CoreDerive {
  readonly buckets: DerivedBuckets;
  readonly changedSessions: ReadonlySet<string> | 'all';
  /** The messages that changed since the last derive, when the caller tracked them. */
  readonly changedMessages?: ChangedMessages;
  /**
   * Names the content of the state's projects and todos (the caller bumps it whenever it changes them): with
   * `smallTables` it lets a derive reuse their encoded tables (31k todos take tens of ms to encode).
   */
  readonly smallTablesGeneration?: number;
  readonly smallTables?: SmallTablesCache;
}

/** The projects and todos tables of the last derive and the generation they were encoded for. */
export interface SmallTablesCache {
  generation?: number;
  projects?: Uint8Array;
  todos?: Uint8Array;
}

function smallTables(state: IngestState, core: CoreDerive | undefined): { projects: Uint8Array; todos: Uint8Array } {
  const cache = core?.smallTables;
  const generation = core?.smallTablesGeneration;
  if (cache && generation !== undefined && cache.generation === generation && cache.projects && cache.todos) return { projects: cache.projects, todos: cache.todos };
  const encoded = { projects: buildIpc(PROJECTS_TABLE, [...state.projects.values()]), todos: buildIpc(TODOS_TABLE, [...state.todos.values()]) };
  if (cache) Object.assign(cache, { generation, ...encoded });
  return encoded;
}

export function deriveAll(state: IngestState, facts: readonly MessageFacts[], deleted: ReadonlySet<string>, security: SecurityInput, core?: CoreDerive): Derived {
  const { tables: coreTables, derived, rebuilt } = (core?.buckets ?? new DerivedBuckets()).derive(
    {
      sessions: [...state.sessions.values()],
      projects: [...state.projects.values()],
      messages: facts,
      messageAggregates: state.messageAggregates,
      sessionAggregates: state.sessionAggregates,
      delegations: state.delegations,
      deletedSessionIds: deleted,
    },
    core?.changedSessions ?? 'all',
    core?.changedMessages,
  );
  const issues: RowOf<'ingest_issues'>[] = [];
  for (const [source, log] of state.issues) {
    for (const [reason, { count, example }] of Object.entries(log)) issues.push({ source_path: source, reason, count, example });
  }
  const { projects, todos } = smallTables(state, core);
  const tables = new Map<TableName, Uint8Array[]>([
    ['projects', [projects]],
    ...coreTables,
    ['todos', [todos]],
    ['ingest_issues', [buildIpc(INGEST_ISSUES_TABLE, issues)]],
  ]);
  return { tables, derived, rebuilt, security: planSecurity(state, derived, security) };
}

function planSecurity(state: IngestState, derived: DeriveSummary, security: SecurityInput): SecurityPlan {
  const rootOf = (sessionId: string) => derived.tree.get(sessionId)?.rootId;
  const projectOf = (sessionId: string) => state.sessions.get(sessionId)?.project_id ?? null;
  const { cache, toolCallsGeneration } = security;
  let key: string | undefined;
  if (cache && toolCallsGeneration !== undefined) {
    const placement = createHash('sha256');
    // In id order: a warm start restores the sessions in the saved table's order, not the order they were read in.
    for (const id of [...state.sessions.keys()].sort()) placement.update(`${id}\u0000${rootOf(id) ?? ''}\u0000${projectOf(id) ?? ''}\u0001`);
    // The rules are the indexer's for its lifetime, as is the cache: they need no place in the key.
    key = `${toolCallsGeneration}|${placement.digest('hex')}`;
    if (cache.pending === key) return { kind: 'pending' };
    if (cache.key === key && cache.events && cache.findings) {
      try {
        if (typeof cache.events === 'function') cache.events = cache.events();
        if (typeof cache.findings === 'function') cache.findings = cache.findings();
        return { kind: 'cached', tables: { events: cache.events, findings: cache.findings } };
      } catch {
        // The saved copy is gone or damaged: recomputed, as if there were none.
      }
    }
  }
  const roots = new Map<string, string>();
  for (const [id, position] of derived.tree) roots.set(id, position.rootId);
  const projects = new Map<string, string | null>();
  for (const [id, session] of state.sessions) projects.set(id, session.project_id ?? null);
  return { kind: 'compute', key, job: { toolCalls: security.toolCalls(), roots, projects, rules: security.rules.rules } };
}

/** Keeps computed security tables in the cache under the key their plan named. */
export function storeSecurityTables(cache: SecurityCache, key: string | undefined, tables: SecurityTablesIpc): void {
  cache.key = key;
  cache.events = tables.events;
  cache.findings = tables.findings;
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
