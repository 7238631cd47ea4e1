/**
 * Derived tables, computed from every record of every source together: session usage (fork copies left out),
 * tree position, exchanges, delegations with their sub-agent roll-ups, per-root session stats and daily usage.
 * Pure: the same inputs give the same rows.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { addTokens, tokenCells, ZERO_TOKENS, type DelegationBase, type SessionBase, type Tokens } from '../parse/index.js';
import type { MessageFacts } from './messageColumns.js';
import { buildSessionTree, type TreePosition } from './tree.js';

export interface MessageAggregateInput {
  readonly toolCalls: number;
  readonly reasoningParts: number;
  readonly firstText: { readonly id: string; readonly text: string } | null;
  readonly lastText: { readonly id: string; readonly text: string } | null;
}

export interface SessionAggregateInput {
  readonly toolCalls: number;
  readonly toolErrors: number;
  readonly delegations: number;
  readonly fileReads: number;
  readonly fileWrites: number;
}

export interface DeriveInput {
  readonly sessions: readonly SessionBase[];
  readonly projects: readonly RowOf<'projects'>[];
  readonly messages: readonly MessageFacts[];
  readonly messageAggregates: Readonly<Record<string, MessageAggregateInput>>;
  readonly sessionAggregates: Readonly<Record<string, SessionAggregateInput>>;
  readonly delegations: readonly DelegationBase[];
  /** Sessions OpenCode no longer has but the monitor keeps as an audit trail. */
  readonly deletedSessionIds: ReadonlySet<string>;
  /** Calendar day of a timestamp; the engine uses its local time zone. */
  readonly dayOf?: (ms: number) => string;
  /**
   * Fork copies and tree positions computed over every session, for a derive over part of them (one bucket of
   * whole session trees, see `buckets.ts`): fork copies are found across trees, so a part cannot find its own.
   */
  readonly forkCopyIds?: ReadonlySet<string>;
  readonly tree?: ReadonlyMap<string, TreePosition>;
}

export interface DeriveOutput {
  readonly tree: ReadonlyMap<string, TreePosition>;
  /** Messages copied into another session by a fork: present in storage, excluded from usage. */
  readonly forkCopyIds: ReadonlySet<string>;
  readonly sessions: RowOf<'sessions'>[];
  readonly exchanges: RowOf<'exchanges'>[];
  readonly delegations: RowOf<'delegations'>[];
  readonly sessionStats: RowOf<'session_stats'>[];
  readonly dailyStats: RowOf<'daily_stats'>[];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The key is (day, provider, model): order by all three so equal models of two providers never swap places. */
export function sortDaily(rows: RowOf<'daily_stats'>[]): RowOf<'daily_stats'>[] {
  return rows.sort((a, b) => compareText(a.day, b.day) || compareText(a.provider_id, b.provider_id) || compareText(a.model_id, b.model_id));
}

export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

interface Usage {
  tokens: Tokens;
  cost: number;
}

const emptyUsage = (): Usage => ({ tokens: { ...ZERO_TOKENS }, cost: 0 });

function addUsage(into: Usage, tokens: Tokens, cost: number): void {
  addTokens(into.tokens, tokens);
  into.cost += cost;
}

/**
 * A fork copies message rows into a new session with new ids but the same creation time, tokens and cost
 * (peers.md §1). The earliest session holding a message fingerprint owns it; the others hold copies.
 */
export function findForkCopies(messages: readonly MessageFacts[], sessionCreated: ReadonlyMap<string, number>): Set<string> {
  const created = (sessionId: string) => sessionCreated.get(sessionId) ?? Number.MAX_SAFE_INTEGER;
  const keys = messages.map(fingerprint);
  // Two passes, so the result does not depend on message order: a session may hold one fingerprint twice.
  const ownerSession = new Map<string, string>();
  messages.forEach((m, i) => {
    const owner = ownerSession.get(keys[i]!);
    if (owner === undefined || created(m.sessionId) < created(owner) || (created(m.sessionId) === created(owner) && m.sessionId < owner)) {
      ownerSession.set(keys[i]!, m.sessionId);
    }
  });
  const copies = new Set<string>();
  messages.forEach((m, i) => {
    if (ownerSession.get(keys[i]!) !== m.sessionId) copies.add(m.id);
  });
  return copies;
}

/**
 * Message facts are immutable and reused from one derive to the next (a changed message gets a new object), so
 * each one's fingerprint is built once: on a large history building them is most of a fork-copy search.
 */
const fingerprints = new WeakMap<MessageFacts, string>();
export function fingerprint(m: MessageFacts): string {
  let key = fingerprints.get(m);
  if (key === undefined) {
    key = fingerprintKey(m);
    fingerprints.set(m, key);
  }
  return key;
}

/** What a fork copy keeps of a message: equal keys, one message and its copies. Built anew on every call. */
export function fingerprintKey(m: MessageFacts): string {
  return `${m.role}|${m.createdAt}|${m.tokens.total}|${m.cost}|${m.modelId ?? ''}|${m.agent ?? ''}|${m.parentId === null ? 0 : 1}`;
}

/**
 * Delegation rows, with the usage of each child session's whole subtree (itself and all its sub-agents). A fork
 * copies its parent's task parts, so a delegation can name a child session of another tree: this needs every
 * session's own usage, which is why a bucketed derive computes delegations over all sessions at once.
 */
export function delegationRows(
  sessions: readonly SessionBase[],
  bases: readonly DelegationBase[],
  tree: ReadonlyMap<string, TreePosition>,
  ownUsage: (sessionId: string) => { readonly tokens: Tokens; readonly cost: number },
  messageAgent: (messageId: string) => string | null | undefined,
): RowOf<'delegations'>[] {
  const sessionById = new Map(sessions.map((s) => [s.id, s]));
  const subtree = new Map<string, Usage>();
  for (const s of sessions) {
    const own = ownUsage(s.id);
    const seen = new Set<string>();
    for (let id: string | null = s.id; id && sessionById.has(id) && !seen.has(id); id = sessionById.get(id)!.parent_id) {
      seen.add(id);
      let u = subtree.get(id);
      if (!u) subtree.set(id, (u = emptyUsage()));
      addUsage(u, own.tokens, own.cost);
    }
  }
  return bases.map((d) => {
    const child = d.child_session_id ? subtree.get(d.child_session_id) : undefined;
    const parentDepth = tree.get(d.parent_session_id)?.depth ?? 0;
    return {
      id: d.id,
      parent_session_id: d.parent_session_id,
      root_session_id: tree.get(d.parent_session_id)?.rootId ?? d.root_session_id,
      parent_agent: messageAgent(d.message_id) ?? sessionById.get(d.parent_session_id)?.agent ?? null,
      child_session_id: d.child_session_id,
      child_agent: d.child_agent,
      description: d.description,
      status: d.status,
      depth: (d.child_session_id ? tree.get(d.child_session_id)?.depth : undefined) ?? parentDepth + 1,
      started_at: d.started_at,
      ended_at: d.ended_at,
      ...tokenCells('child_tokens', child?.tokens ?? ZERO_TOKENS),
      child_cost: child?.cost ?? 0,
    };
  });
}

export function deriveTables(input: DeriveInput): DeriveOutput {
  const dayOf = input.dayOf ?? localDay;
  const tree = input.tree ?? buildSessionTree(input.sessions);
  const sessionById = new Map(input.sessions.map((s) => [s.id, s]));
  const sessionCreated = new Map(input.sessions.map((s) => [s.id, s.created_at]));
  const forkCopyIds = input.forkCopyIds ?? findForkCopies(input.messages, sessionCreated);
  const projectName = new Map(input.projects.map((p) => [p.id, p.name]));

  // Per-session facts from messages.
  interface SessionFacts {
    usage: Usage;
    user: number;
    assistant: number;
    zeroCost: number;
    forkCopies: number;
    first: MessageFacts | null;
    lastActivity: number;
  }
  const facts = new Map<string, SessionFacts>();
  const factsOf = (id: string): SessionFacts => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { usage: emptyUsage(), user: 0, assistant: 0, zeroCost: 0, forkCopies: 0, first: null, lastActivity: 0 }));
    return f;
  };
  const byId = new Map<string, MessageFacts>();
  const answers = new Map<string, MessageFacts[]>();
  for (const m of input.messages) {
    byId.set(m.id, m);
    const f = factsOf(m.sessionId);
    f.lastActivity = Math.max(f.lastActivity, m.completedAt ?? m.createdAt);
    if (forkCopyIds.has(m.id)) {
      f.forkCopies++;
      continue;
    }
    if (m.role === 'user') f.user++;
    if (m.role === 'assistant') {
      f.assistant++;
      addUsage(f.usage, m.tokens, m.cost);
      if (m.tokens.total > 0 && m.cost === 0) f.zeroCost++;
      if (!f.first || m.createdAt < f.first.createdAt) f.first = m;
      if (m.parentId) {
        const list = answers.get(m.parentId);
        if (list) list.push(m);
        else answers.set(m.parentId, [m]);
      }
    }
  }

  const sessions: RowOf<'sessions'>[] = input.sessions.map((s) => {
    const f = factsOf(s.id);
    const position = tree.get(s.id) ?? { rootId: s.id, depth: 0 };
    const folder = s.directory?.split(/[\\/]+/).filter(Boolean).at(-1) ?? null;
    return {
      ...s,
      project_name: projectName.get(s.project_id) ?? folder,
      root_id: position.rootId,
      depth: position.depth,
      agent: s.agent ?? f.first?.agent ?? null,
      provider_id: s.provider_id ?? f.first?.providerId ?? null,
      model_id: s.model_id ?? f.first?.modelId ?? null,
      user_messages: f.user,
      assistant_messages: f.assistant,
      ...tokenCells('tokens', f.usage.tokens),
      cost: f.usage.cost,
      zero_cost_steps: f.zeroCost,
      fork_copies: f.forkCopies,
      is_deleted: input.deletedSessionIds.has(s.id),
    };
  });

  // Exchanges: a user message and the assistant steps that answer it.
  const exchanges: RowOf<'exchanges'>[] = [];
  for (const m of input.messages) {
    if (m.role !== 'user' || forkCopyIds.has(m.id)) continue;
    const steps = (answers.get(m.id) ?? []).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const usage = emptyUsage();
    let toolCalls = 0;
    let reasoning = 0;
    let ended: number | null = null;
    let response: string | null = null;
    for (const step of steps) {
      addUsage(usage, step.tokens, step.cost);
      const aggregate = input.messageAggregates[step.id];
      toolCalls += aggregate?.toolCalls ?? 0;
      reasoning += aggregate?.reasoningParts ?? 0;
      if (step.completedAt !== null) ended = Math.max(ended ?? 0, step.completedAt);
      if (aggregate?.lastText) response = aggregate.lastText.text;
    }
    const last = steps.at(-1);
    exchanges.push({
      id: m.id,
      session_id: m.sessionId,
      root_session_id: tree.get(m.sessionId)?.rootId ?? m.sessionId,
      agent: steps[0]?.agent ?? m.agent,
      model_id: steps[0]?.modelId ?? m.modelId,
      started_at: m.createdAt,
      ended_at: ended,
      duration_ms: ended === null ? null : Math.max(0, ended - m.createdAt),
      steps: steps.length,
      tool_calls: toolCalls,
      reasoning_parts: reasoning,
      prompt_preview: input.messageAggregates[m.id]?.firstText?.text ?? null,
      response_preview: response,
      error_name: last?.errorName ?? null,
      ...tokenCells('tokens', usage.tokens),
      cost: usage.cost,
    });
  }

  const delegations = delegationRows(input.sessions, input.delegations, tree, (id) => factsOf(id).usage, (id) => byId.get(id)?.agent);

  // Per root session: everything in its tree.
  const stats = new Map<string, RowOf<'session_stats'>>();
  const exchangesPerSession = new Map<string, number>();
  for (const e of exchanges) exchangesPerSession.set(e.session_id, (exchangesPerSession.get(e.session_id) ?? 0) + 1);
  for (const s of sessions) {
    const f = factsOf(s.id);
    const a = input.sessionAggregates[s.id];
    let row = stats.get(s.root_id);
    if (!row) {
      row = {
        root_session_id: s.root_id,
        sessions: 0,
        max_depth: 0,
        exchanges: 0,
        assistant_messages: 0,
        tool_calls: 0,
        tool_errors: 0,
        delegations: 0,
        file_reads: 0,
        file_writes: 0,
        ...tokenCells('tokens', ZERO_TOKENS),
        cost: 0,
        started_at: s.created_at,
        ended_at: s.updated_at,
      };
      stats.set(s.root_id, row);
    }
    row.sessions++;
    row.max_depth = Math.max(row.max_depth, s.depth);
    row.exchanges += exchangesPerSession.get(s.id) ?? 0;
    row.assistant_messages += s.assistant_messages;
    row.tool_calls += a?.toolCalls ?? 0;
    row.tool_errors += a?.toolErrors ?? 0;
    row.delegations += a?.delegations ?? 0;
    row.file_reads += a?.fileReads ?? 0;
    row.file_writes += a?.fileWrites ?? 0;
    row.tokens_input += s.tokens_input;
    row.tokens_output += s.tokens_output;
    row.tokens_reasoning += s.tokens_reasoning;
    row.tokens_cache_read += s.tokens_cache_read;
    row.tokens_cache_write += s.tokens_cache_write;
    row.tokens_total += s.tokens_total;
    row.cost += s.cost;
    row.started_at = Math.min(row.started_at, s.created_at);
    row.ended_at = Math.max(row.ended_at, s.updated_at, f.lastActivity);
  }

  // Daily usage per model, from assistant steps (fork copies excluded).
  const daily = new Map<string, RowOf<'daily_stats'> & { sessionSet: Set<string> }>();
  for (const m of input.messages) {
    if (m.role !== 'assistant' || forkCopyIds.has(m.id)) continue;
    const day = dayOf(m.createdAt);
    const provider = m.providerId ?? 'unknown';
    const model = m.modelId ?? 'unknown';
    const key = `${day}|${provider}|${model}`;
    let row = daily.get(key);
    if (!row) {
      row = { day, provider_id: provider, model_id: model, sessions: 0, assistant_messages: 0, ...tokenCells('tokens', ZERO_TOKENS), cost: 0, sessionSet: new Set() };
      daily.set(key, row);
    }
    row.sessionSet.add(m.sessionId);
    row.assistant_messages++;
    row.tokens_input += m.tokens.input;
    row.tokens_output += m.tokens.output;
    row.tokens_reasoning += m.tokens.reasoning;
    row.tokens_cache_read += m.tokens.cacheRead;
    row.tokens_cache_write += m.tokens.cacheWrite;
    row.tokens_total += m.tokens.total;
    row.cost += m.cost;
  }
  const dailyStats = sortDaily([...daily.values()].map(({ sessionSet, ...row }) => ({ ...row, sessions: sessionSet.size })));

  return { tree, forkCopyIds, sessions, exchanges, delegations, sessionStats: [...stats.values()], dailyStats };
}
