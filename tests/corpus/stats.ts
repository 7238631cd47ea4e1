/**
 * Ground-truth figures, accumulated from the records as they are emitted (a Sink). Two views are kept:
 * `raw` counts every row, as `SELECT count(*)`/`SUM(...)` over the database would; `unique` leaves out the
 * rows a fork copied from another session (new ids, same content), i.e. what was really used and billed.
 * Token and cost sums come from step-finish parts, which is also how OpenCode fills the session usage columns;
 * each completed assistant message carries the same figures as its one step-finish part.
 */
import type { MessageRow, PartRow, SessionRow, Sink } from './records.js';
import type { RiskCategory } from './risky.js';
import type { TodoItem } from './tools.js';

export interface TokenTotals {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
}

export interface Totals {
  messages: number;
  userMessages: number;
  assistantMessages: number;
  parts: number;
  partsByType: Record<string, number>;
  toolCalls: number;
  toolCallsByTool: Record<string, number>;
  toolCallsByStatus: Record<string, number>;
  risky: number;
  riskyByCategory: Partial<Record<RiskCategory, number>>;
  tokens: TokenTotals;
  cost: number;
  byModel: Record<string, { assistantMessages: number; tokens: number; cost: number }>;
}

export interface SessionTotals {
  total: number;
  root: number;
  child: number;
  fork: number;
  archived: number;
  maxDepth: number;
  inFlightLive: number;
  inFlightStale: number;
  byAgent: Record<string, number>;
}

function emptyTotals(): Totals {
  return {
    messages: 0, userMessages: 0, assistantMessages: 0, parts: 0, partsByType: {}, toolCalls: 0, toolCallsByTool: {},
    toolCallsByStatus: {}, risky: 0, riskyByCategory: {}, tokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    cost: 0, byModel: {},
  };
}

function bump<K extends string>(map: Partial<Record<K, number>>, key: K, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export class CorpusStats implements Sink {
  readonly raw = emptyTotals();
  readonly unique = emptyTotals();
  readonly sessions: SessionTotals = { total: 0, root: 0, child: 0, fork: 0, archived: 0, maxDepth: 0, inFlightLive: 0, inFlightStale: 0, byAgent: {} };
  /** Assistant messages that ended with an `error`, by error name (originals only). */
  readonly errors: Record<string, number> = {};
  /** Rows of the todo table. */
  todoRows = 0;
  private readonly modelOf = new Map<string, string>();

  session(row: SessionRow, update: boolean): void {
    if (!update) return;
    const s = this.sessions;
    s.total++;
    s[row.kind]++;
    if (row.timeArchived !== null) s.archived++;
    s.maxDepth = Math.max(s.maxDepth, row.depth);
    if (row.inFlight === 'live') s.inFlightLive++;
    if (row.inFlight === 'stale') s.inFlightStale++;
    bump(s.byAgent, row.agent ?? '(none)');
  }

  message(row: MessageRow, update: boolean): void {
    const data = row.data;
    if (update) {
      const error = data['error'] as { name?: string } | undefined;
      if (error?.name && !row.copy) bump(this.errors, error.name);
      return;
    }
    const role = data['role'];
    for (const totals of row.copy ? [this.raw] : [this.raw, this.unique]) {
      totals.messages++;
      if (role === 'user') totals.userMessages++;
      else totals.assistantMessages++;
    }
    if (role === 'assistant') {
      const key = `${String(data['providerID'])}/${String(data['modelID'])}`;
      this.modelOf.set(row.id, key);
      for (const totals of row.copy ? [this.raw] : [this.raw, this.unique]) {
        const entry = (totals.byModel[key] ??= { assistantMessages: 0, tokens: 0, cost: 0 });
        entry.assistantMessages++;
      }
    }
  }

  part(row: PartRow): void {
    const data = row.data;
    const type = String(data['type']);
    for (const totals of row.copy ? [this.raw] : [this.raw, this.unique]) {
      totals.parts++;
      bump(totals.partsByType, type);
      if (type === 'tool') {
        totals.toolCalls++;
        bump(totals.toolCallsByTool, String(data['tool']));
        bump(totals.toolCallsByStatus, String((data['state'] as { status: string }).status));
        if (row.risk) {
          totals.risky++;
          bump(totals.riskyByCategory, row.risk);
        }
      } else if (type === 'step-finish') {
        const tokens = data['tokens'] as { input: number; output: number; reasoning: number; total: number; cache: { read: number; write: number } };
        const cost = Number(data['cost']);
        totals.tokens.input += tokens.input;
        totals.tokens.output += tokens.output;
        totals.tokens.reasoning += tokens.reasoning;
        totals.tokens.cacheRead += tokens.cache.read;
        totals.tokens.cacheWrite += tokens.cache.write;
        totals.tokens.total += tokens.total;
        totals.cost += cost;
        const model = this.modelOf.get(row.messageID);
        if (model) {
          const entry = (totals.byModel[model] ??= { assistantMessages: 0, tokens: 0, cost: 0 });
          entry.tokens += tokens.total;
          entry.cost += cost;
        }
      }
    }
  }

  todos(_sessionID: string, todos: readonly TodoItem[]): void {
    this.todoRows += todos.length;
  }

  /** Frees the message → model lookup; call between families only (a step-finish follows its message within one). */
  trim(): void {
    if (this.modelOf.size > 50_000) this.modelOf.clear();
  }
}

/** Rounds sums of costs for the manifest (floating point noise beyond 1e-9 USD is meaningless). */
export function roundTotals(totals: Totals): Totals {
  const round = (value: number): number => Math.round(value * 1e9) / 1e9;
  const byModel: Totals['byModel'] = {};
  for (const [key, entry] of Object.entries(totals.byModel).sort(([a], [b]) => a.localeCompare(b))) {
    byModel[key] = { ...entry, cost: round(entry.cost) };
  }
  return { ...totals, cost: round(totals.cost), byModel };
}
