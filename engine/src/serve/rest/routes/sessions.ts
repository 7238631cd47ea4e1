/** Session lists and lookups: `/api/sessions`, `/api/sessions/search`, `/api/session/:id`, `/api/delegations`. */
import { boolParam, collect, idParam, idValue, pageParams, sinceParam, textParam } from '../params.js';
import type { Route } from '../router.js';
import { containsPattern, epochMs, raw, sql } from '../sql.js';
import { data, firstRow, paged, requireSession } from './helpers.js';

const SESSION_COLUMNS = raw(
  'id, title, directory, project_id, project_name, parent_id, root_id, depth, agent, provider_id, model_id, created_at, updated_at, ' +
    'user_messages, assistant_messages, tokens_total, cost, additions, deletions, files_changed, is_archived, is_deleted',
);

export const sessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/sessions',
    async handle(input) {
      const p = collect({ since: sinceParam(input.query, input.now), page: pageParams(input.query, 100, 1000), project: idParam(input.query, 'project'), roots: boolParam(input.query, 'roots', false) });
      if (!p.ok) return p;
      let base = sql`SELECT ${SESSION_COLUMNS} FROM sessions WHERE created_at >= ${epochMs(p.value.since.sinceMs)}`;
      if (p.value.project !== undefined) base += sql` AND project_id = ${p.value.project}`;
      if (p.value.roots) base += ' AND depth = 0';
      return paged(input, ['sessions'], base, 'created_at DESC, id', p.value.page);
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/search',
    async handle(input) {
      const q = textParam(input.query, 'q', true);
      const page = pageParams(input.query, 50, 200);
      if (!q.ok) return q;
      if (!page.ok) return page;
      const pattern = containsPattern(q.value ?? '');
      const base = sql`SELECT ${SESSION_COLUMNS} FROM sessions WHERE title ILIKE ${pattern} ESCAPE '\\' OR directory ILIKE ${pattern} ESCAPE '\\' OR id ILIKE ${pattern} ESCAPE '\\'`;
      return paged(input, ['sessions'], base, 'updated_at DESC, id', page.value);
    },
  },
  {
    method: 'GET',
    path: '/api/session/:id',
    async handle(input) {
      const id = idValue(input.params['id'] ?? '', 'session id');
      if (!id.ok) return id;
      const session = await requireSession(input, id.value);
      if (!session.ok) return session;
      const stats = await firstRow(input, ['session_stats'], sql`SELECT * FROM session_stats WHERE root_session_id = ${id.value}`);
      if (!stats.ok) return stats;
      return data({ ...session.value, tree_stats: stats.value ?? null });
    },
  },
  {
    method: 'GET',
    path: '/api/delegations',
    async handle(input) {
      const since = sinceParam(input.query, input.now);
      const page = pageParams(input.query, 1000, 5000);
      const session = idParam(input.query, 'session');
      if (!since.ok) return since;
      if (!page.ok) return page;
      if (!session.ok) return session;
      let base = sql`SELECT id, parent_session_id, root_session_id, parent_agent, child_agent, child_session_id, description, status, depth,
        started_at AS created_at, ended_at, child_tokens_total, child_cost FROM delegations WHERE coalesce(started_at, epoch_ms(0)) >= ${epochMs(since.value.sinceMs)}`;
      if (session.value !== undefined) base += sql` AND (parent_session_id = ${session.value} OR root_session_id = ${session.value})`;
      return paged(input, ['delegations'], base, 'created_at DESC NULLS LAST, id', page.value);
    },
  },
  {
    method: 'GET',
    path: '/api/tool-calls',
    async handle(input) {
      const since = sinceParam(input.query, input.now);
      const page = pageParams(input.query, 100, 1000);
      const session = idParam(input.query, 'session');
      const tool = idParam(input.query, 'tool');
      const status = idParam(input.query, 'status');
      if (!since.ok) return since;
      if (!page.ok) return page;
      if (!session.ok) return session;
      if (!tool.ok) return tool;
      if (!status.ok) return status;
      let base = sql`SELECT id, session_id, root_session_id, message_id, tool, status, title, argument, error, started_at, ended_at, duration_ms,
        output_bytes, child_session_id, created_at, risk_score, risk_level FROM tool_calls WHERE created_at >= ${epochMs(since.value.sinceMs)}`;
      if (session.value !== undefined) base += sql` AND (session_id = ${session.value} OR root_session_id = ${session.value})`;
      if (tool.value !== undefined) base += sql` AND tool = ${tool.value}`;
      if (status.value !== undefined) base += sql` AND status = ${status.value}`;
      return paged(input, ['tool_calls'], base, 'created_at DESC, id', page.value);
    },
  },
];
