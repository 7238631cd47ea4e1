/**
 * What happened in a session: timeline, prompts, messages, parts, tool calls, reasoning, exchanges, delegations,
 * patches, file attachments and todos. Text is the redacted preview the tables keep, never the full stored part.
 */
import { ok, type Result } from '../../../../../shared/src/index.js';
import { collect, pageParams } from '../params.js';
import type { Route, RouteInput, RouteOutput } from '../router.js';
import { raw, sql } from '../sql.js';
import type { Row } from '../tableDb.js';
import { data, num, paged } from './helpers.js';
import { sessionRoute } from './sessionRoute.js';

const TOOL_CALL_COLUMNS = `id, message_id, call_id, tool, is_mcp, status, title, argument, input_json, error, started_at, ended_at, duration_ms, output_bytes,
  child_session_id, created_at, risk_kind, risk_score, risk_level, risk_reasons, mitre, risk_scope`;

export const sessionContentRoutes: Route[] = [
  sessionRoute('timeline', async (input, id) => {
    const page = pageParams(input.query, 1000, 5000);
    if (!page.ok) return page;
    // One ordered stream of messages and tool calls, as the original's flat event list.
    const base = sql`SELECT 'message' AS type, id, role, NULL AS tool_name, NULL AS status, created_at AS timestamp, tokens_input AS tokens_in,
        tokens_output AS tokens_out, NULL AS duration_ms, NULL AS title, error_name AS error, agent FROM messages WHERE session_id = ${id}
      UNION ALL
      SELECT 'tool', id, NULL, tool, status, coalesce(started_at, created_at), NULL, NULL, duration_ms, title, error, NULL FROM tool_calls WHERE session_id = ${id}`;
    return paged(input, ['messages', 'tool_calls'], base, 'timestamp, type, id', page.value);
  }),
  sessionRoute('prompts', async (input, id, session) => {
    const rows = await input.rows(['exchanges'], sql`SELECT prompt_preview, response_preview FROM exchanges WHERE session_id = ${id} ORDER BY started_at, id`);
    if (!rows.ok) return rows;
    const first = rows.value.find((r) => r['prompt_preview']);
    const last = [...rows.value].reverse().find((r) => r['response_preview']);
    return data({ prompt_input: first?.['prompt_preview'] ?? session['title'] ?? '', prompt_output: last?.['response_preview'] ?? '(No response yet)' });
  }),
  sessionRoute('messages', async (input, id) => {
    const page = pageParams(input.query, 500, 5000);
    if (!page.ok) return page;
    // One row per part with its message's facts, as the original's (message, part type, tool) rows.
    const base = sql`SELECT m.id AS message_id, m.role, m.agent, p.id AS part_id, p.type, p.created_at AS timestamp, m.tokens_input AS tokens_in,
        m.tokens_output AS tokens_out, m.error_name, m.error_message, p.preview AS content, p.tool AS tool_name, p.status AS tool_status
      FROM parts p JOIN messages m ON m.id = p.message_id WHERE p.session_id = ${id}`;
    return paged(input, ['parts', 'messages'], base, 'timestamp, message_id, part_id', page.value);
  }),
  sessionRoute('parts', async (input, id) => {
    const page = pageParams(input.query, 500, 5000);
    if (!page.ok) return page;
    const base = sql`SELECT id, message_id, type, is_known_type, tool, status, created_at, started_at, ended_at, preview, bytes FROM parts WHERE session_id = ${id}`;
    return paged(input, ['parts'], base, 'created_at, id', page.value);
  }),
  sessionRoute('tool-calls', toolCalls),
  // Seed study §3.3 `get_session_tool_operations`: the same rows under the documented name.
  sessionRoute('operations', toolCalls),
  sessionRoute('reasoning', async (input, id) => {
    const rows = await input.rows(['parts'], sql`SELECT id, message_id, preview AS text, created_at AS timestamp FROM parts WHERE session_id = ${id} AND type = 'reasoning' ORDER BY created_at, id`);
    if (!rows.ok) return rows;
    return data({ summary: { total_entries: rows.value.length, total_chars: rows.value.reduce((s, r) => s + String(r['text'] ?? '').length, 0) }, details: rows.value });
  }),
  sessionRoute('exchanges', async (input, id) => {
    const page = pageParams(input.query, 200, 1000);
    if (!page.ok) return page;
    const base = sql`SELECT id AS user_message_id, agent, model_id, started_at, ended_at, duration_ms, steps, tool_calls AS tool_count, reasoning_parts AS reasoning_count,
        prompt_preview AS user_prompt, response_preview AS assistant_response, error_name, tokens_input, tokens_output, tokens_reasoning, tokens_cache_read,
        tokens_cache_write, tokens_total, cost FROM exchanges WHERE session_id = ${id}`;
    const result = await paged(input, ['exchanges'], base, 'started_at, user_message_id', page.value);
    if (!result.ok) return result;
    const offset = page.value.offset;
    const rows = (result.value.data as Row[]).map((r, i) => ({ number: offset + i + 1, ...r }));
    return ok({ data: rows, ...(result.value.meta ? { meta: result.value.meta } : {}) });
  }),
  sessionRoute('delegations', async (input, id, session) => {
    const rows = await input.rows(['delegations'], sql`SELECT id, parent_session_id, parent_agent, child_session_id, child_agent, description, status, depth, started_at, ended_at,
      child_tokens_total, child_cost FROM delegations WHERE root_session_id = ${String(session['root_id'] ?? id)} ORDER BY started_at NULLS LAST, id`);
    if (!rows.ok) return rows;
    const tree = delegationTree(id, session, rows.value);
    return data({
      summary: { total_delegations: tree.count, max_depth: tree.maxDepth, agents_involved: [...tree.agents].sort() },
      tree: tree.node,
    });
  }),
  sessionRoute('git-history', async (input, id) => {
    const rows = await input.rows(['file_operations'], sql`SELECT part_id, list(path ORDER BY path) AS files, count(*)::BIGINT AS file_count, min("at") AS timestamp
      FROM file_operations WHERE session_id = ${id} AND operation = 'patch' GROUP BY part_id ORDER BY timestamp, part_id`);
    if (!rows.ok) return rows;
    const files = [...new Set(rows.value.flatMap((r) => r['files'] as string[]))];
    return data({ summary: { total_commits: rows.value.length, unique_files: files.length, files_list: files.slice(0, 50) }, details: rows.value.map((r) => ({ id: r['part_id'], ...r })) });
  }),
  sessionRoute('file-parts', async (input, id) => {
    const rows = await input.rows(['parts'], sql`SELECT id, message_id, preview AS filename, created_at AS timestamp, bytes AS size_bytes FROM parts WHERE session_id = ${id} AND type = 'file' ORDER BY created_at, id`);
    return rows.ok ? data({ summary: { total_files: rows.value.length }, files: rows.value }) : rows;
  }),
  sessionRoute('todos', async (input, id) => {
    const rows = await input.rows(['todos'], sql`SELECT id, position, content, status, priority, updated_at FROM todos WHERE session_id = ${id} ORDER BY position`);
    return rows.ok ? data(rows.value) : rows;
  }),
];

async function toolCalls(input: RouteInput, id: string): Promise<Result<RouteOutput>> {
  const p = collect({ page: pageParams(input.query, 500, 5000) });
  if (!p.ok) return p;
  const base = sql`SELECT ${raw(TOOL_CALL_COLUMNS)} FROM tool_calls WHERE session_id = ${id}`;
  return paged(input, ['tool_calls'], base, 'created_at, id', p.value.page);
}

interface DelegationNode {
  session_id: string;
  agent: unknown;
  title?: unknown;
  delegation_id?: unknown;
  description?: unknown;
  delegated_at?: unknown;
  ended_at?: unknown;
  status?: unknown;
  tokens?: number;
  cost?: number;
  children: DelegationNode[];
}

/** The sub-agent tree under `rootId`, depth-capped at 10 like the original, from the root tree's delegation rows. */
export function delegationTree(rootId: string, session: Row, rows: readonly Row[]): { node: DelegationNode; count: number; maxDepth: number; agents: Set<string> } {
  const byParent = new Map<string, Row[]>();
  for (const r of rows) {
    const parent = String(r['parent_session_id']);
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const agents = new Set<string>();
  let count = 0;
  let maxDepth = 0;
  const build = (sessionId: string, depth: number, seen: Set<string>): DelegationNode[] =>
    depth > 10 || seen.has(sessionId)
      ? []
      : (byParent.get(sessionId) ?? []).map((r) => {
          count++;
          maxDepth = Math.max(maxDepth, depth);
          if (r['child_agent']) agents.add(String(r['child_agent']));
          const child = r['child_session_id'] ? String(r['child_session_id']) : '';
          return {
            session_id: child,
            agent: r['child_agent'],
            delegation_id: r['id'],
            description: r['description'],
            delegated_at: r['started_at'],
            ended_at: r['ended_at'],
            status: r['status'],
            tokens: num(r['child_tokens_total']),
            cost: num(r['child_cost']),
            children: child ? build(child, depth + 1, new Set([...seen, sessionId])) : [],
          };
        });
  const node: DelegationNode = { session_id: rootId, agent: session['agent'], title: session['title'], children: build(rootId, 1, new Set()) };
  return { node, count, maxDepth, agents };
}
