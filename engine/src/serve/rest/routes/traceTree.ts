/**
 * Builds the original's `/api/tracing/tree` nodes (seed study §3.2) from our tables' rows, pure: a session node
 * per root, a `user_turn` node per exchange with that turn's tool calls, and `agent` nodes for delegations, nested
 * through child sessions up to depth 10. Delegations sit under the latest exchange started at or before them.
 */
import type { Row } from '../tableDb.js';
import { num } from './helpers.js';

export interface TraceRows {
  readonly sessions: readonly Row[];
  readonly exchanges: readonly Row[];
  readonly delegations: readonly Row[];
  /** Tool calls (task calls excluded), each with `exchange_id` = the user message its step answers. */
  readonly tools: readonly Row[];
}

const MAX_DEPTH = 10;

function toolNode(t: Row) {
  return {
    id: t['id'],
    trace_id: t['id'],
    node_type: 'tool',
    tool_name: t['tool'],
    status: t['status'],
    display_info: t['argument'] ?? t['title'] ?? '',
    started_at: t['started_at'] ?? t['created_at'],
    duration_ms: t['duration_ms'],
    error: t['error'],
    risk_level: t['risk_level'],
  };
}

const tokensOf = (r: Row, prefix = 'tokens') => ({
  input: num(r[`${prefix}_input`]),
  output: num(r[`${prefix}_output`]),
  cache_read: num(r[`${prefix}_cache_read`]),
  cache_write: num(r[`${prefix}_cache_write`]),
  total: num(r[`${prefix}_total`]),
});

export function buildTraceTree(rootIds: readonly string[], rows: TraceRows, includeTools: boolean): unknown[] {
  const sessions = new Map(rows.sessions.map((s) => [String(s['id']), s]));
  const group = <K extends string>(list: readonly Row[], key: K) => {
    const map = new Map<string, Row[]>();
    for (const r of list) map.set(String(r[key]), [...(map.get(String(r[key])) ?? []), r]);
    return map;
  };
  const exchangesBySession = group(rows.exchanges, 'session_id');
  const delegationsByParent = group(rows.delegations, 'parent_session_id');
  const toolsByExchange = group(rows.tools, 'exchange_id');
  const toolsBySession = group(rows.tools, 'session_id');

  const delegationNode = (d: Row, depth: number): unknown => {
    const child = d['child_session_id'] ? String(d['child_session_id']) : undefined;
    const childSession = child ? sessions.get(child) : undefined;
    const children: unknown[] = [];
    if (child && depth < MAX_DEPTH) {
      if (includeTools) children.push(...(toolsBySession.get(child) ?? []).map(toolNode));
      children.push(...(delegationsByParent.get(child) ?? []).map((n) => delegationNode(n, depth + 1)));
    }
    return {
      trace_id: d['id'],
      node_type: 'agent',
      child_session_id: child ?? null,
      parent_trace_id: d['parent_session_id'],
      parent_agent: d['parent_agent'],
      subagent_type: d['child_agent'],
      started_at: d['started_at'],
      ended_at: d['ended_at'],
      duration_ms: d['started_at'] && d['ended_at'] ? Date.parse(String(d['ended_at'])) - Date.parse(String(d['started_at'])) : null,
      tokens: tokensOf(d, 'child_tokens'),
      cost: num(d['child_cost']),
      status: d['status'],
      prompt_input: d['description'],
      title: childSession?.['title'] ?? null,
      children,
    };
  };

  return rootIds.flatMap((rootId) => {
    const s = sessions.get(rootId);
    if (!s) return [];
    const exchanges = [...(exchangesBySession.get(rootId) ?? [])].sort((a, b) => String(a['started_at']).localeCompare(String(b['started_at'])));
    const turnNodes = exchanges.map((e) => ({
      trace_id: `exchange_${String(e['id'])}`,
      node_type: 'user_turn',
      started_at: e['started_at'],
      ended_at: e['ended_at'],
      duration_ms: e['duration_ms'],
      agent: e['agent'],
      model_id: e['model_id'],
      prompt_input: e['prompt_preview'],
      prompt_output: e['response_preview'],
      tokens: tokensOf(e),
      cost: num(e['cost']),
      children: includeTools ? (toolsByExchange.get(String(e['id'])) ?? []).map(toolNode) : ([] as unknown[]),
    }));
    const orphans: unknown[] = [];
    for (const d of delegationsByParent.get(rootId) ?? []) {
      const at = String(d['started_at'] ?? '');
      const turn = [...turnNodes].reverse().find((t) => String(t.started_at) <= at);
      (turn ? turn.children : orphans).push(delegationNode(d, 1));
    }
    return [
      {
        session_id: rootId,
        trace_id: `root_${rootId}`,
        node_type: 'session',
        agent_type: s['agent'],
        model_id: s['model_id'],
        started_at: s['created_at'],
        ended_at: s['updated_at'],
        duration_ms: Date.parse(String(s['updated_at'])) - Date.parse(String(s['created_at'])),
        tokens: tokensOf(s),
        cost: num(s['cost']),
        status: s['is_deleted'] ? 'deleted' : s['is_archived'] ? 'archived' : 'completed',
        prompt_input: exchanges[0]?.['prompt_preview'] ?? null,
        title: s['title'],
        directory: s['directory'],
        trace_count: turnNodes.length,
        children: [...turnNodes, ...orphans],
      },
    ];
  });
}
