/** The `index --json` summary: counts after de-duplication, token sums and what was skipped. */
import { decodeIpc } from '../arrow/index.js';
import { KNOWN_PART_TYPES as KNOWN } from '../parse/index.js';
import type { RowOf } from '../../../shared/src/index.js';
import { columnValues } from './columnValues.js';
import type { IngestState } from './ingestState.js';

export interface IndexSummary {
  sessions: { root: number; child: number };
  messages: { user: number; assistant: number; forkCopies: number };
  /** Parts by type, fork copies left out (they are counted in `forkCopyParts`). */
  parts: Record<string, number>;
  forkCopyParts: number;
  toolCalls: { byTool: Record<string, number>; byStatus: Record<string, number> };
  tokens: { input: number; output: number; reasoning: number; cacheRead: number; cacheWrite: number; total: number };
  cost: number;
  zeroCostSteps: number;
  todos: Record<string, number>;
  skipped: { count: number; reasons: Record<string, number> };
  unknown: { partTypes: Record<string, number> };
  duplicates: number;
  sources: { kind: 'sqlite' | 'json'; path: string; records: number }[];
  elapsedMs: number;
}

const sorted = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The body tables the summary counts from: their chunks, which may be read one at a time as the tally reaches them. */
export interface SummaryBodies {
  readonly parts: Iterable<Uint8Array>;
  readonly toolCalls: Iterable<Uint8Array>;
}

/** Ids of messages flagged `is_fork_copy` in the messages table. */
export function forkCopiesFromMessages(chunks: readonly Uint8Array[]): Set<string> {
  const copies = new Set<string>();
  for (const bytes of chunks) {
    const table = decodeIpc(bytes);
    const ids = table.getChild('id')?.toArray() as string[] | undefined;
    const flags = table.getChild('is_fork_copy');
    if (!ids || !flags) continue;
    for (let i = 0; i < ids.length; i++) if (flags.get(i) === true) copies.add(ids[i]!);
  }
  return copies;
}

/**
 * Tallies `columns` of a body table, leaving out rows of fork-copied messages (a fork copies parts with their
 * messages; counting them would count the shared history once per fork). Returns the rows left out.
 */
function tallyBodies(chunks: Iterable<Uint8Array>, columns: readonly string[], copies: ReadonlySet<string>, into: Record<string, number>[]): number {
  let skipped = 0;
  for (const bytes of chunks) {
    const table = decodeIpc(bytes);
    // Read straight from the buffers (`columnValues`): Arrow's own getters made this pass seconds long at 1M parts.
    const idVector = copies.size > 0 ? table.getChild('message_id') : null;
    const messageIds = idVector ? (columnValues(idVector) as string[]) : undefined;
    const values = columns.map((c) => {
      const vector = table.getChild(c);
      return vector ? (columnValues(vector) as (string | null)[]) : undefined;
    });
    for (let i = 0; i < table.numRows; i++) {
      if (messageIds && copies.has(messageIds[i]!)) {
        skipped++;
        continue;
      }
      for (let k = 0; k < values.length; k++) {
        const key = values[k]?.[i] ?? 'unknown';
        const counts = into[k]!;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }
  }
  return skipped;
}

/**
 * What the summary counts from the body tables (a pass over every part and tool call, about a second at 1M parts).
 * It is a function of the bodies and the fork copies alone, so the indexer keeps it, and saves it with the state,
 * until a body changes.
 */
export interface BodyTally {
  readonly partTypes: Record<string, number>;
  readonly byTool: Record<string, number>;
  readonly byStatus: Record<string, number>;
  readonly forkCopyParts: number;
}

export function tallyBodyTables(bodies: SummaryBodies, copies: ReadonlySet<string>): BodyTally {
  const partTypes: Record<string, number> = {};
  const byTool: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const forkCopyParts = tallyBodies(bodies.parts, ['type'], copies, [partTypes]);
  tallyBodies(bodies.toolCalls, ['tool', 'status'], copies, [byTool, byStatus]);
  return { partTypes, byTool, byStatus, forkCopyParts };
}

/** The session columns a summary adds up. */
export const SUMMARY_SESSION_COLUMNS = [
  'parent_id', 'tokens_input', 'tokens_output', 'tokens_reasoning', 'tokens_cache_read', 'tokens_cache_write', 'tokens_total', 'cost',
  'zero_cost_steps', 'user_messages', 'assistant_messages', 'fork_copies',
] as const;
export type SessionTotals = Pick<RowOf<'sessions'>, (typeof SUMMARY_SESSION_COLUMNS)[number]>;

/** What the summary adds up over the sessions table. */
export interface SessionSums {
  readonly sessions: number;
  readonly roots: number;
  readonly tokens: IndexSummary['tokens'];
  readonly cost: number;
  readonly zeroCostSteps: number;
  readonly user: number;
  readonly assistant: number;
  readonly forkCopies: number;
}

const NUMBER_COLUMNS = SUMMARY_SESSION_COLUMNS.filter((c) => c !== 'parent_id');
type NumberColumn = (typeof NUMBER_COLUMNS)[number];

function sums(totals: Record<NumberColumn, number>, sessions: number, roots: number): SessionSums {
  return {
    sessions,
    roots,
    tokens: {
      input: totals.tokens_input,
      output: totals.tokens_output,
      reasoning: totals.tokens_reasoning,
      cacheRead: totals.tokens_cache_read,
      cacheWrite: totals.tokens_cache_write,
      total: totals.tokens_total,
    },
    cost: totals.cost,
    zeroCostSteps: totals.zero_cost_steps,
    user: totals.user_messages,
    assistant: totals.assistant_messages,
    forkCopies: totals.fork_copies,
  };
}

const zeroTotals = () => Object.fromEntries(NUMBER_COLUMNS.map((c) => [c, 0])) as Record<NumberColumn, number>;

export function sumSessionRows(rows: readonly SessionTotals[]): SessionSums {
  const totals = zeroTotals();
  let roots = 0;
  for (const s of rows) {
    for (const c of NUMBER_COLUMNS) totals[c] += s[c];
    if (s.parent_id === null) roots++;
  }
  return sums(totals, rows.length, roots);
}

/**
 * The same sums straight from the sessions table's IPC chunks, column by column (a warm `index` has no derived
 * rows in hand, and building a row object per session cost more than the sums).
 */
export function sumSessionChunks(chunks: readonly Uint8Array[]): SessionSums {
  const totals = zeroTotals();
  let sessions = 0;
  let roots = 0;
  for (const bytes of chunks) {
    const table = decodeIpc(bytes);
    sessions += table.numRows;
    const parents = table.getChild('parent_id');
    roots += parents ? parents.nullCount : table.numRows;
    for (const c of NUMBER_COLUMNS) {
      const vector = table.getChild(c);
      if (!vector) continue;
      for (const value of columnValues(vector)) totals[c] += (value as number | null) ?? 0;
    }
  }
  return sums(totals, sessions, roots);
}

/** Todos by status. */
export function countTodosByStatus(todos: Iterable<{ readonly status: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of todos) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export function summarize(state: IngestState, sessions: SessionSums, bodies: BodyTally, todos: Record<string, number>, elapsedMs: number): IndexSummary {
  const unknownTypes: Record<string, number> = {};
  for (const [type, n] of Object.entries(bodies.partTypes)) if (!KNOWN.has(type)) unknownTypes[type] = n;
  return {
    sessions: { root: sessions.roots, child: sessions.sessions - sessions.roots },
    messages: { user: sessions.user, assistant: sessions.assistant, forkCopies: sessions.forkCopies },
    parts: sorted(bodies.partTypes),
    forkCopyParts: bodies.forkCopyParts,
    toolCalls: { byTool: sorted(bodies.byTool), byStatus: sorted(bodies.byStatus) },
    tokens: { ...sessions.tokens },
    cost: Math.round(sessions.cost * 1e6) / 1e6,
    zeroCostSteps: sessions.zeroCostSteps,
    todos: sorted(todos),
    skipped: state.skipped(),
    unknown: { partTypes: unknownTypes },
    duplicates: state.duplicates,
    sources: state.sources.map(({ kind, path, records }) => ({ kind, path, records })),
    elapsedMs: Math.round(elapsedMs),
  };
}
