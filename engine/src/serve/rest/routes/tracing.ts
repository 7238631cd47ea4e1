/** Traces: `/api/tracing/tree` (paged root sessions as trees), `/api/traces` (the list) and `/api/trace/:id`. */
import { ok, type Result } from '../../../../../shared/src/index.js';
import { boolParam, collect, idValue, pageParams, sinceParam } from '../params.js';
import type { Route, RouteInput, RouteOutput } from '../router.js';
import { epochMs, raw, sql } from '../sql.js';
import { paged } from './helpers.js';
import { buildTraceTree } from './traceTree.js';

/** The rows of the trees of `rootIds`, fetched with IN-lists of validated ids. */
async function treesOf(input: RouteInput, rootIds: readonly string[], includeTools: boolean): Promise<Result<unknown[]>> {
  if (rootIds.length === 0) return ok([]);
  const ids = raw(`(${rootIds.map((id) => sql`${id}`).join(', ')})`);
  const sessions = await input.rows(['sessions'], sql`SELECT * FROM sessions WHERE root_id IN ${ids}`);
  const exchanges = await input.rows(['exchanges'], sql`SELECT * FROM exchanges WHERE root_session_id IN ${ids}`);
  const delegations = await input.rows(['delegations'], sql`SELECT * FROM delegations WHERE root_session_id IN ${ids} ORDER BY started_at NULLS LAST, id`);
  const tools = includeTools
    ? await input.rows(['tool_calls', 'messages'], sql`SELECT t.id, t.session_id, t.tool, t.status, t.title, t.argument, t.error, t.started_at, t.created_at, t.duration_ms, t.risk_level,
        m.parent_id AS exchange_id FROM tool_calls t LEFT JOIN messages m ON m.id = t.message_id WHERE t.root_session_id IN ${ids} AND t.tool <> 'task' ORDER BY t.created_at, t.id`)
    : ok([]);
  if (!sessions.ok) return sessions;
  if (!exchanges.ok) return exchanges;
  if (!delegations.ok) return delegations;
  if (!tools.ok) return tools;
  return ok(buildTraceTree(rootIds, { sessions: sessions.value, exchanges: exchanges.value, delegations: delegations.value, tools: tools.value }, includeTools));
}

const ROOTS = `SELECT s.id, s.title, s.directory, s.agent, s.model_id, s.created_at, s.updated_at, st.sessions, st.max_depth, st.exchanges, st.tool_calls,
  st.delegations, st.tokens_total, st.cost FROM sessions s LEFT JOIN session_stats st ON st.root_session_id = s.id WHERE s.depth = 0`;

export const tracingRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/tracing/tree',
    async handle(input): Promise<Result<RouteOutput>> {
      const p = collect({ since: sinceParam(input.query, input.now), page: pageParams(input.query, 80, 1000), includeTools: boolParam(input.query, 'include_tools', true) });
      if (!p.ok) return p;
      const roots = await paged(input, ['sessions', 'session_stats'], `${ROOTS} ${sql`AND s.created_at >= ${epochMs(p.value.since.sinceMs)}`}`, 's.created_at DESC, s.id', p.value.page);
      if (!roots.ok) return roots;
      const ids = (roots.value.data as Record<string, unknown>[]).map((r) => String(r['id']));
      const trees = await treesOf(input, ids, p.value.includeTools);
      if (!trees.ok) return trees;
      return ok({ data: trees.value, ...(roots.value.meta ? { meta: roots.value.meta } : {}) });
    },
  },
  {
    method: 'GET',
    path: '/api/traces',
    async handle(input) {
      const p = collect({ since: sinceParam(input.query, input.now), page: pageParams(input.query, 100, 1000) });
      if (!p.ok) return p;
      return paged(input, ['sessions', 'session_stats'], `${ROOTS} ${sql`AND s.created_at >= ${epochMs(p.value.since.sinceMs)}`}`, 's.created_at DESC, s.id', p.value.page);
    },
  },
  {
    method: 'GET',
    path: '/api/trace/:id',
    async handle(input) {
      const p = collect({ id: idValue(input.params['id'] ?? '', 'trace id'), includeTools: boolParam(input.query, 'include_tools', true) });
      if (!p.ok) return p;
      // A trace is a root session; a sub-agent id resolves to its root's trace.
      const root = await input.rows(['sessions'], sql`SELECT root_id FROM sessions WHERE id = ${p.value.id.replace(/^root_/, '')}`);
      if (!root.ok) return root;
      const rootId = root.value[0]?.['root_id'];
      if (typeof rootId !== 'string') return { ok: false, problem: { code: 'serve.not-found', message: `no trace "${p.value.id}"` } };
      const trees = await treesOf(input, [rootId], p.value.includeTools);
      if (!trees.ok) return trees;
      return ok({ data: trees.value[0] ?? null });
    },
  },
];
