/** The `index --json` summary: counts after de-duplication, token sums and what was skipped. */
import { KNOWN_PART_TYPES as KNOWN } from '../parse/index.js';
import type { DeriveOutput } from '../derive/index.js';
import type { IngestState } from './ingestState.js';

export interface IndexSummary {
  sessions: { root: number; child: number };
  messages: { user: number; assistant: number; forkCopies: number };
  parts: Record<string, number>;
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

export function summarize(state: IngestState, derived: DeriveOutput, elapsedMs: number): IndexSummary {
  const sessions = derived.sessions;
  const tokens = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
  let cost = 0;
  let zeroCostSteps = 0;
  let user = 0;
  let assistant = 0;
  let forkCopies = 0;
  for (const s of sessions) {
    tokens.input += s.tokens_input;
    tokens.output += s.tokens_output;
    tokens.reasoning += s.tokens_reasoning;
    tokens.cacheRead += s.tokens_cache_read;
    tokens.cacheWrite += s.tokens_cache_write;
    tokens.total += s.tokens_total;
    cost += s.cost;
    zeroCostSteps += s.zero_cost_steps;
    user += s.user_messages;
    assistant += s.assistant_messages;
    forkCopies += s.fork_copies;
  }
  const todos: Record<string, number> = {};
  for (const t of state.todos.values()) todos[t.status] = (todos[t.status] ?? 0) + 1;
  const unknownTypes: Record<string, number> = {};
  for (const [type, n] of Object.entries(state.partTypes)) if (!KNOWN.has(type)) unknownTypes[type] = n;
  return {
    sessions: { root: sessions.filter((s) => s.parent_id === null).length, child: sessions.filter((s) => s.parent_id !== null).length },
    messages: { user, assistant, forkCopies },
    parts: sorted(state.partTypes),
    toolCalls: { byTool: sorted(state.toolsByName), byStatus: sorted(state.toolsByStatus) },
    tokens,
    cost: Math.round(cost * 1e6) / 1e6,
    zeroCostSteps,
    todos: sorted(todos),
    skipped: state.skipped(),
    unknown: { partTypes: unknownTypes },
    duplicates: state.duplicates,
    sources: state.sources.map(({ kind, path, records }) => ({ kind, path, records })),
    elapsedMs: Math.round(elapsedMs),
  };
}
