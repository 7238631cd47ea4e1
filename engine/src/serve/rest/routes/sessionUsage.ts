/** Per-session usage as the original's dashboard read it: summary, tokens, tools, files, agents, cost, steps. */
import { ok } from '../../../../../shared/src/index.js';
import type { Route } from '../router.js';
import { raw, sql } from '../sql.js';
import { data, estimatedCost, num, percent, round } from './helpers.js';
import { sessionRoute } from './sessionRoute.js';

/** Token sums of a session's assistant steps (fork copies excluded, as in the sessions table). */
const TOKEN_SUMS = `count(*)::BIGINT AS message_count, sum(tokens_input)::BIGINT AS input, sum(tokens_output)::BIGINT AS output,
  sum(tokens_reasoning)::BIGINT AS reasoning, sum(tokens_cache_read)::BIGINT AS cache_read, sum(tokens_cache_write)::BIGINT AS cache_write,
  sum(tokens_total)::BIGINT AS total, sum(cost)::DOUBLE AS cost`;

const cacheHitRatio = (input: number, cacheRead: number): number => (input + cacheRead > 0 ? round(cacheRead / (input + cacheRead), 4) : 0);

export const sessionUsageRoutes: Route[] = [
  sessionRoute('summary', async (input, id, session) => {
    const tools = await input.rows(['tool_calls'], sql`SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE status = 'error')::BIGINT AS errors FROM tool_calls WHERE session_id = ${id}`);
    const files = await input.rows(['file_operations'], sql`SELECT operation, count(DISTINCT path)::BIGINT AS n FROM file_operations WHERE session_id = ${id} GROUP BY 1 ORDER BY 1`);
    const agents = await input.rows(['messages'], sql`SELECT agent, count(*)::BIGINT AS messages, sum(tokens_total)::BIGINT AS tokens FROM messages WHERE session_id = ${id} AND NOT is_fork_copy AND agent IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1`);
    const toolsByName = await input.rows(['tool_calls'], sql`SELECT tool AS label, count(*)::BIGINT AS value FROM tool_calls WHERE session_id = ${id} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`);
    if (!tools.ok) return tools;
    if (!files.ok) return files;
    if (!agents.ok) return agents;
    if (!toolsByName.ok) return toolsByName;
    const s = session;
    const created = Date.parse(String(s['created_at']));
    const updated = Date.parse(String(s['updated_at']));
    const tokens = { input: num(s['tokens_input']), output: num(s['tokens_output']), reasoning: num(s['tokens_reasoning']), cache_read: num(s['tokens_cache_read']), cache_write: num(s['tokens_cache_write']), total: num(s['tokens_total']) };
    return data({
      meta: { session_id: id, generated_at: new Date(input.now).toISOString(), title: s['title'], directory: s['directory'] },
      summary: {
        duration_ms: Number.isFinite(updated - created) ? updated - created : 0,
        total_tokens: tokens.total,
        total_tool_calls: num(tools.value[0]?.['n']),
        total_files: files.value.reduce((sum, r) => sum + num(r['n']), 0),
        unique_agents: agents.value.length,
        cost_usd: round(num(s['cost'])),
        estimated_cost_usd: estimatedCost(tokens.input, tokens.output, tokens.cache_read),
        status: s['is_deleted'] ? 'deleted' : s['is_archived'] ? 'archived' : 'active',
      },
      details: { tokens, tools: { errors: num(tools.value[0]?.['errors']) }, files: Object.fromEntries(files.value.map((r) => [r['operation'], num(r['n'])])), agents: agents.value },
      charts: {
        tokens_by_type: Object.entries(tokens).filter(([k]) => k !== 'total').map(([label, value]) => ({ label, value })),
        tools_by_name: toolsByName.value,
        files_by_type: files.value.map((r) => ({ label: r['operation'], value: num(r['n']) })),
      },
    });
  }),
  sessionRoute('tokens', async (input, id) => {
    const totals = await input.rows(['messages'], sql`SELECT ${raw(TOKEN_SUMS)} FROM messages WHERE session_id = ${id} AND role = 'assistant' AND NOT is_fork_copy`);
    const byAgent = await input.rows(['messages'], sql`SELECT coalesce(agent, 'unknown') AS agent, sum(tokens_total)::BIGINT AS tokens FROM messages WHERE session_id = ${id} AND role = 'assistant' AND NOT is_fork_copy GROUP BY 1 ORDER BY 2 DESC, 1`);
    if (!totals.ok) return totals;
    if (!byAgent.ok) return byAgent;
    const t = totals.value[0] ?? {};
    const [input_, output, reasoning, cacheRead, cacheWrite, total] = ['input', 'output', 'reasoning', 'cache_read', 'cache_write', 'total'].map((k) => num(t[k])) as [number, number, number, number, number, number];
    const ratio = cacheHitRatio(input_, cacheRead);
    return data({
      summary: { total, input: input_, output, cache_read: cacheRead, cache_hit_ratio: ratio },
      details: { message_count: num(t['message_count']), input: input_, output, reasoning, cache_read: cacheRead, cache_write: cacheWrite, total, cache_hit_ratio: ratio, by_agent: byAgent.value },
      charts: {
        tokens_by_type: [
          { label: 'input', value: input_ },
          { label: 'output', value: output },
          { label: 'reasoning', value: reasoning },
          { label: 'cache_read', value: cacheRead },
          { label: 'cache_write', value: cacheWrite },
        ],
        tokens_by_agent: byAgent.value.map((r) => ({ label: r['agent'], value: num(r['tokens']) })),
      },
    });
  }),
  sessionRoute('tools', async (input, id) => {
    const top = await input.rows(['tool_calls'], sql`SELECT tool AS name, count(*)::BIGINT AS count, round(avg(duration_ms))::BIGINT AS avg_duration_ms,
      count(*) FILTER (WHERE status = 'error')::BIGINT AS error_count FROM tool_calls WHERE session_id = ${id} GROUP BY 1 ORDER BY 2 DESC, 1`);
    if (!top.ok) return top;
    const total = top.value.reduce((s, r) => s + num(r['count']), 0);
    const errors = top.value.reduce((s, r) => s + num(r['error_count']), 0);
    const durations = await input.rows(['tool_calls'], sql`SELECT round(avg(duration_ms))::BIGINT AS avg FROM tool_calls WHERE session_id = ${id}`);
    if (!durations.ok) return durations;
    return data({
      summary: { total_calls: total, unique_tools: top.value.length, success_rate: percent(total - errors, total), avg_duration_ms: num(durations.value[0]?.['avg']) },
      details: { total_calls: total, error_count: errors, top_tools: top.value.slice(0, 10) },
    });
  }),
  sessionRoute('files', async (input, id) => {
    const ops = await input.rows(['file_operations'], sql`SELECT operation, path, additions, deletions, status, "at" FROM file_operations WHERE session_id = ${id} ORDER BY "at", id`);
    const risky = await input.rows(['security_events'], sql`SELECT count(*)::BIGINT AS n FROM security_events WHERE session_id = ${id} AND kind IN ('read', 'write', 'edit') AND level IN ('high', 'critical')`);
    if (!ops.ok) return ops;
    if (!risky.ok) return risky;
    const byOp = (op: string) => [...new Set(ops.value.filter((r) => r['operation'] === op).map((r) => String(r['path'])))];
    const byOperation: Record<string, number> = {};
    for (const r of ops.value) byOperation[String(r['operation'])] = (byOperation[String(r['operation'])] ?? 0) + 1;
    return data({
      summary: {
        total_reads: byOperation['read'] ?? 0,
        total_writes: byOperation['write'] ?? 0,
        total_edits: (byOperation['edit'] ?? 0) + (byOperation['patch'] ?? 0),
        high_risk_count: num(risky.value[0]?.['n']),
        additions: ops.value.reduce((s, r) => s + num(r['additions']), 0),
        deletions: ops.value.reduce((s, r) => s + num(r['deletions']), 0),
      },
      details: {
        files_list: { read: byOp('read'), write: byOp('write'), edit: [...new Set([...byOp('edit'), ...byOp('patch')])] },
        files_with_stats: ops.value.map((r) => ({ path: r['path'], operation: r['operation'], additions: r['additions'], deletions: r['deletions'] })),
        by_operation: byOperation,
        unique_files: new Set(ops.value.map((r) => r['path'])).size,
      },
    });
  }),
  sessionRoute('agents', async (input, id) => {
    const rows = await input.rows(['messages'], sql`SELECT coalesce(agent, 'unknown') AS agent, count(*)::BIGINT AS message_count, sum(tokens_total)::BIGINT AS tokens
      FROM messages WHERE session_id = ${id} AND NOT is_fork_copy GROUP BY 1 ORDER BY 3 DESC, 1`);
    return rows.ok ? data(rows.value) : rows;
  }),
  sessionRoute('steps', async (input, id) => {
    const rows = await input.rows(['step_events'], sql`SELECT id, message_id, reason, "at" AS timestamp, cost, tokens_input, tokens_output, tokens_reasoning,
      tokens_cache_read, tokens_cache_write, tokens_total FROM step_events WHERE session_id = ${id} ORDER BY "at", id`);
    if (!rows.ok) return rows;
    const sum = (k: string) => rows.value.reduce((s, r) => s + num(r[k]), 0);
    return data({
      steps: rows.value,
      totals: { steps: rows.value.length, cost: round(sum('cost')), tokens: { input: sum('tokens_input'), output: sum('tokens_output'), reasoning: sum('tokens_reasoning'), cache_read: sum('tokens_cache_read'), cache_write: sum('tokens_cache_write') } },
    });
  }),
  sessionRoute('precise-cost', async (input, id) => {
    const steps = await input.rows(['step_events'], sql`SELECT count(*)::BIGINT AS n, sum(cost)::DOUBLE AS cost, sum(tokens_input)::BIGINT AS input, sum(tokens_output)::BIGINT AS output,
      sum(tokens_reasoning)::BIGINT AS reasoning, sum(tokens_cache_read)::BIGINT AS cache_read, sum(tokens_cache_write)::BIGINT AS cache_write FROM step_events WHERE session_id = ${id}`);
    const messages = await input.rows(['messages'], sql`SELECT sum(cost)::DOUBLE AS cost, sum(tokens_input)::BIGINT AS input, sum(tokens_output)::BIGINT AS output, sum(tokens_cache_read)::BIGINT AS cache_read
      FROM messages WHERE session_id = ${id} AND role = 'assistant' AND NOT is_fork_copy`);
    if (!steps.ok) return steps;
    if (!messages.ok) return messages;
    const p = steps.value[0] ?? {};
    const m = messages.value[0] ?? {};
    const precise = round(num(p['cost']));
    const estimated = estimatedCost(num(m['input']), num(m['output']), num(m['cache_read']));
    return data({
      precise: { cost_usd: precise, tokens_input: num(p['input']), tokens_output: num(p['output']), tokens_reasoning: num(p['reasoning']), tokens_cache_read: num(p['cache_read']), tokens_cache_write: num(p['cache_write']), step_count: num(p['n']) },
      recorded: { cost_usd: round(num(m['cost'])) },
      estimated: { cost_usd: estimated, tokens_input: num(m['input']), tokens_output: num(m['output']) },
      comparison: { difference_usd: round(precise - estimated), difference_pct: estimated > 0 ? round(((precise - estimated) / estimated) * 100, 2) : 0, has_precise_data: num(p['n']) > 0 },
    });
  }),
  sessionRoute('cost', async (input, id) => {
    const rows = await input.rows(['messages'], sql`SELECT provider_id, model_id, count(*)::BIGINT AS steps, ${raw(TOKEN_SUMS.replace('count(*)::BIGINT AS message_count, ', ''))}
      FROM messages WHERE session_id = ${id} AND role = 'assistant' AND NOT is_fork_copy GROUP BY 1, 2 ORDER BY cost DESC NULLS LAST, 1, 2`);
    if (!rows.ok) return rows;
    return ok({ data: { total_cost_usd: round(rows.value.reduce((s, r) => s + num(r['cost']), 0)), by_model: rows.value } });
  }),
];
