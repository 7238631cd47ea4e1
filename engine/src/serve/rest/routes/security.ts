/** The security audit: `/api/security` (the original's combined view) and paged events, findings and stats. */
import { collect, choiceParam, idParam, intParam, pageParams, sinceParam } from '../params.js';
import type { Route, RouteInput } from '../router.js';
import { epochMs, sql } from '../sql.js';
import { data, paged } from './helpers.js';

const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
const KINDS = ['bash', 'read', 'write', 'edit', 'webfetch', 'mcp'] as const;

async function securityStats(input: RouteInput) {
  const levels = await input.rows(['security_events'], `SELECT count(*)::BIGINT AS total_scanned,
    count(*) FILTER (WHERE kind = 'bash')::BIGINT AS total_commands, count(*) FILTER (WHERE kind = 'read')::BIGINT AS total_reads,
    count(*) FILTER (WHERE kind IN ('write', 'edit'))::BIGINT AS total_writes, count(*) FILTER (WHERE kind = 'webfetch')::BIGINT AS total_webfetches,
    count(*) FILTER (WHERE kind = 'mcp')::BIGINT AS total_mcp,
    count(*) FILTER (WHERE level = 'critical')::BIGINT AS critical, count(*) FILTER (WHERE level = 'high')::BIGINT AS high,
    count(*) FILTER (WHERE level = 'medium')::BIGINT AS medium, count(*) FILTER (WHERE level = 'low')::BIGINT AS low, max("at") AS last_event_at,
    count(*) FILTER (WHERE scope = 'in_scope')::BIGINT AS scope_in_scope, count(*) FILTER (WHERE scope = 'out_of_scope_allowed')::BIGINT AS scope_allowed,
    count(*) FILTER (WHERE scope = 'out_of_scope_neutral')::BIGINT AS scope_neutral, count(*) FILTER (WHERE scope = 'out_of_scope_suspicious')::BIGINT AS scope_suspicious,
    count(*) FILTER (WHERE scope = 'out_of_scope_sensitive')::BIGINT AS scope_sensitive FROM security_events`);
  const findings = await input.rows(['security_findings'], `SELECT count(*) FILTER (WHERE type = 'kill_chain')::BIGINT AS sequences_detected,
    count(*) FILTER (WHERE type = 'correlation')::BIGINT AS correlations_detected FROM security_findings`);
  if (!levels.ok) return levels;
  if (!findings.ok) return findings;
  return { ok: true as const, value: { ...levels.value[0], ...findings.value[0] } };
}

export const securityRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/security',
    async handle(input) {
      const p = collect({ rowLimit: intParam(input.query, 'row_limit', 100, 1, 1000), topLimit: intParam(input.query, 'top_limit', 10, 1, 100) });
      if (!p.ok) return p;
      const stats = await securityStats(input);
      const commands = await input.rows(['security_events'], sql`SELECT id, session_id, target AS command, level AS risk, score, reasons AS reason, mitre, "at"
        FROM security_events WHERE kind = 'bash' ORDER BY score DESC, "at" DESC, id LIMIT ${p.value.rowLimit}`);
      const files = await input.rows(['security_events'], sql`SELECT id, session_id, CASE WHEN kind = 'read' THEN 'READ' ELSE 'WRITE' END AS operation, target AS path,
        level AS risk, score, reasons AS reason, scope AS scope_verdict, "at" FROM security_events WHERE kind IN ('read', 'write', 'edit') ORDER BY score DESC, "at" DESC, id LIMIT ${p.value.rowLimit}`);
      const critical = await input.rows(['security_events'], sql`SELECT id, session_id, upper(kind) AS type, target AS details, level AS risk, reasons AS reason, score, scope AS scope_verdict, "at"
        FROM security_events WHERE level IN ('critical', 'high') ORDER BY score DESC, "at" DESC, id LIMIT ${p.value.topLimit}`);
      if (!stats.ok) return stats;
      if (!commands.ok) return commands;
      if (!files.ok) return files;
      if (!critical.ok) return critical;
      return data({ stats: stats.value, commands: commands.value, files: files.value, critical_items: critical.value });
    },
  },
  {
    method: 'GET',
    path: '/api/security/stats',
    async handle(input) {
      const stats = await securityStats(input);
      return stats.ok ? data(stats.value) : stats;
    },
  },
  {
    method: 'GET',
    path: '/api/security/events',
    async handle(input) {
      const p = collect({
        since: sinceParam(input.query, input.now),
        page: pageParams(input.query, 100, 1000),
        level: choiceParam(input.query, 'level', LEVELS),
        kind: choiceParam(input.query, 'kind', KINDS),
        session: idParam(input.query, 'session'),
        minScore: intParam(input.query, 'min_score', 0, 0, 100),
      });
      if (!p.ok) return p;
      let base = sql`SELECT * FROM security_events WHERE "at" >= ${epochMs(p.value.since.sinceMs)} AND score >= ${p.value.minScore}`;
      if (p.value.level) base += sql` AND level = ${p.value.level}`;
      if (p.value.kind) base += sql` AND kind = ${p.value.kind}`;
      if (p.value.session) base += sql` AND (session_id = ${p.value.session} OR root_session_id = ${p.value.session})`;
      return paged(input, ['security_events'], base, 'score DESC, "at" DESC, id', p.value.page);
    },
  },
  {
    method: 'GET',
    path: '/api/security/findings',
    async handle(input) {
      const p = collect({
        page: pageParams(input.query, 100, 1000),
        level: choiceParam(input.query, 'level', LEVELS),
        type: choiceParam(input.query, 'type', ['kill_chain', 'correlation'] as const),
        session: idParam(input.query, 'session'),
      });
      if (!p.ok) return p;
      let base = 'SELECT * FROM security_findings WHERE TRUE';
      if (p.value.level) base += sql` AND level = ${p.value.level}`;
      if (p.value.type) base += sql` AND type = ${p.value.type}`;
      if (p.value.session) base += sql` AND root_session_id = ${p.value.session}`;
      const result = await paged(input, ['security_findings'], base, 'score DESC, last_at DESC, id', p.value.page);
      if (!result.ok) return result;
      // Lists are comma-joined in the table; the API gives arrays.
      const rows = (result.value.data as Record<string, unknown>[]).map((r) => ({ ...r, event_ids: split(r['event_ids']), session_ids: split(r['session_ids']) }));
      return { ok: true, value: { data: rows, ...(result.value.meta ? { meta: result.value.meta } : {}) } };
    },
  },
];

function split(value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? value.split(',') : [];
}

