/** Counts and usage over time: `/api/stats`, `/api/global-stats`, `/api/stats/{daily,models,agents,tools,skills}`. */
import { ok, TABLES } from '../../../../../shared/src/index.js';
import { sinceParam } from '../params.js';
import type { Route, RouteInput } from '../router.js';
import { epochMs, sql } from '../sql.js';
import { data, estimatedCost, num, percent, round } from './helpers.js';

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function since(input: RouteInput) {
  return sinceParam(input.query, input.now);
}

const agentsSql = (sinceMs: number, limit: number) => sql`SELECT coalesce(agent, 'unknown') AS agent, count(*)::BIGINT AS messages, count(DISTINCT session_id)::BIGINT AS sessions,
  sum(tokens_total)::BIGINT AS tokens, sum(cost)::DOUBLE AS cost FROM messages
  WHERE role = 'assistant' AND NOT is_fork_copy AND created_at >= ${epochMs(sinceMs)} GROUP BY 1 ORDER BY tokens DESC, 1 LIMIT ${limit}`;

const toolsSql = (sinceMs: number, limit: number) => sql`SELECT tool, count(*)::BIGINT AS invocations, count(*) FILTER (WHERE status = 'error')::BIGINT AS failures,
  round(avg(duration_ms))::BIGINT AS avg_duration_ms FROM tool_calls WHERE created_at >= ${epochMs(sinceMs)} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`;

const skillsSql = (sinceMs: number, limit: number) => sql`SELECT skill, count(*)::BIGINT AS load_count, max("at") AS last_loaded_at FROM skills
  WHERE "at" >= ${epochMs(sinceMs)} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`;

const withFailureRate = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, failure_rate: percent(num(r['failures']), num(r['invocations'])) }));

export const statsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/stats',
    async handle({ ctx }) {
      return data(Object.fromEntries(TABLES.map((t) => [t.name, ctx.rowCount(t.name)])));
    },
  },
  {
    method: 'GET',
    path: '/api/global-stats',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const cut = epochMs(s.value.sinceMs);
      const totals = await input.rows(['sessions', 'messages'], sql`SELECT
        (SELECT count(*) FROM sessions WHERE created_at >= ${cut})::BIGINT AS total_sessions,
        (SELECT count(DISTINCT project_id) FROM sessions WHERE created_at >= ${cut})::BIGINT AS unique_projects,
        (SELECT count(*) FROM sessions WHERE created_at >= ${cut} AND depth = 0)::BIGINT AS total_traces,
        count(*)::BIGINT AS total_messages, sum(tokens_input)::BIGINT AS input, sum(tokens_output)::BIGINT AS output,
        sum(tokens_reasoning)::BIGINT AS reasoning, sum(tokens_cache_read)::BIGINT AS cache_read, sum(tokens_cache_write)::BIGINT AS cache_write, sum(cost)::DOUBLE AS cost
        FROM messages WHERE NOT is_fork_copy AND created_at >= ${cut}`);
      const tools = await input.rows(['tool_calls'], toolsSql(s.value.sinceMs, 10));
      const toolTotals = await input.rows(['tool_calls'], sql`SELECT count(*)::BIGINT AS total_calls, count(DISTINCT tool)::BIGINT AS unique_tools FROM tool_calls WHERE created_at >= ${cut}`);
      const agents = await input.rows(['messages'], agentsSql(s.value.sinceMs, 10));
      const skills = await input.rows(['skills'], skillsSql(s.value.sinceMs, 10));
      if (!totals.ok) return totals;
      if (!tools.ok) return tools;
      if (!toolTotals.ok) return toolTotals;
      if (!agents.ok) return agents;
      if (!skills.ok) return skills;
      const t = totals.value[0] ?? {};
      const tt = toolTotals.value[0] ?? {};
      return data({
        meta: { period: { days: s.value.days, start: new Date(s.value.sinceMs).toISOString(), end: new Date(input.now).toISOString() }, generated_at: new Date(input.now).toISOString() },
        summary: {
          total_sessions: num(t['total_sessions']),
          unique_projects: num(t['unique_projects']),
          total_messages: num(t['total_messages']),
          total_tokens: num(t['input']) + num(t['output']),
          total_traces: num(t['total_traces']),
          total_tool_calls: num(tt['total_calls']),
          cost_usd: round(num(t['cost'])),
          estimated_cost_usd: estimatedCost(num(t['input']), num(t['output']), num(t['cache_read'])),
        },
        details: {
          tokens: { input: num(t['input']), output: num(t['output']), reasoning: num(t['reasoning']), cache_read: num(t['cache_read']), cache_write: num(t['cache_write']) },
          traces: { total: num(t['total_traces']) },
          tools: { total_calls: num(tt['total_calls']), unique_tools: num(tt['unique_tools']) },
        },
        agents: agents.value.map((r) => ({ agent: r['agent'], messages: r['messages'], tokens: r['tokens'] })),
        tools: withFailureRate(tools.value),
        skills: skills.value.map((r) => ({ skill: r['skill'], load_count: r['load_count'] })),
      });
    },
  },
  {
    method: 'GET',
    path: '/api/stats/daily',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const rows = await input.rows(['daily_stats'], sql`SELECT day, provider_id, model_id, sessions, assistant_messages, tokens_input, tokens_output, tokens_reasoning,
        tokens_cache_read, tokens_cache_write, tokens_total, cost FROM daily_stats WHERE day >= ${dayOf(s.value.sinceMs)} ORDER BY day, provider_id, model_id`);
      if (!rows.ok) return rows;
      // daily_stats is per (day, model); a day's total sums the models. Sessions are not summed: one session can use two models.
      const days = new Map<string, { day: string; assistant_messages: number; tokens_total: number; cost: number; by_model: unknown[] }>();
      for (const r of rows.value) {
        const day = String(r['day']);
        const d = days.get(day) ?? { day, assistant_messages: 0, tokens_total: 0, cost: 0, by_model: [] };
        d.assistant_messages += num(r['assistant_messages']);
        d.tokens_total += num(r['tokens_total']);
        d.cost = round(d.cost + num(r['cost']));
        d.by_model.push(r);
        days.set(day, d);
      }
      return data([...days.values()]);
    },
  },
  {
    method: 'GET',
    path: '/api/stats/models',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const rows = await input.rows(['daily_stats'], sql`SELECT provider_id, model_id, sum(assistant_messages)::BIGINT AS assistant_messages, sum(tokens_input)::BIGINT AS tokens_input,
        sum(tokens_output)::BIGINT AS tokens_output, sum(tokens_reasoning)::BIGINT AS tokens_reasoning, sum(tokens_cache_read)::BIGINT AS tokens_cache_read,
        sum(tokens_cache_write)::BIGINT AS tokens_cache_write, sum(tokens_total)::BIGINT AS tokens_total, sum(cost)::DOUBLE AS cost
        FROM daily_stats WHERE day >= ${dayOf(s.value.sinceMs)} GROUP BY 1, 2 ORDER BY tokens_total DESC, 1, 2`);
      return rows.ok ? data(rows.value) : rows;
    },
  },
  {
    method: 'GET',
    path: '/api/stats/agents',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const rows = await input.rows(['messages'], agentsSql(s.value.sinceMs, 1000));
      return rows.ok ? data(rows.value) : rows;
    },
  },
  {
    method: 'GET',
    path: '/api/stats/tools',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const rows = await input.rows(['tool_calls'], toolsSql(s.value.sinceMs, 1000));
      return rows.ok ? ok({ data: withFailureRate(rows.value) }) : rows;
    },
  },
  {
    method: 'GET',
    path: '/api/stats/skills',
    async handle(input) {
      const s = since(input);
      if (!s.ok) return s;
      const rows = await input.rows(['skills'], skillsSql(s.value.sinceMs, 1000));
      return rows.ok ? data(rows.value) : rows;
    },
  },
];
