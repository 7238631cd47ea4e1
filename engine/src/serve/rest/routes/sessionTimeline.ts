/**
 * A session told as events, as the original's `timeline/full` and `delegation-timeline` (seed study §3.1): each
 * part of the session becomes a typed event with the number of the exchange (user turn) it belongs to. Text is
 * the redacted preview the tables keep; the full text of a part is fetched on demand over the WebSocket.
 * The engine answers in one JSON body, bounded by `limit`: `stream=true` is accepted and changes nothing.
 */
import type { Result } from '../../../../../shared/src/index.js';
import { boolParam, collect, intParam } from '../params.js';
import type { Route, RouteInput, RouteOutput } from '../router.js';
import { literal, sql } from '../sql.js';
import type { Row } from '../tableDb.js';
import { data, num, round } from './helpers.js';
import { sessionRoute } from './sessionRoute.js';

/** One part of a session with everything an event needs, its exchange numbered within its own session. */
const partEvents = (sessionIds: string) => `SELECT * FROM (
  WITH ex AS (
    SELECT id AS user_id, session_id, row_number() OVER (PARTITION BY session_id ORDER BY started_at, id) AS n
    FROM exchanges WHERE session_id IN (${sessionIds})
  ), msg AS (
    SELECT id, role, CASE WHEN role = 'user' THEN id ELSE parent_id END AS user_id, tokens_output FROM messages WHERE session_id IN (${sessionIds})
  )
  SELECT p.id, p.session_id, p.type, p.created_at AS timestamp, p.preview, p.tool, p.status, msg.role, msg.tokens_output, ex.n AS exchange_number,
    t.argument, t.title, t.error, t.duration_ms, t.child_session_id,
    s.reason, s.tokens_input, s.tokens_output AS step_tokens_output, s.tokens_reasoning, s.tokens_cache_read, s.tokens_cache_write, s.tokens_total, s.cost,
    (SELECT list(f.path ORDER BY f.path) FROM file_operations f WHERE f.part_id = p.id) AS files
  FROM parts p
  LEFT JOIN msg ON msg.id = p.message_id
  LEFT JOIN ex ON ex.user_id = msg.user_id AND ex.session_id = p.session_id
  LEFT JOIN tool_calls t ON t.id = p.id
  LEFT JOIN step_events s ON s.id = p.id
  WHERE p.session_id IN (${sessionIds})
) AS events`;

const EVENT_TABLES = ['parts', 'messages', 'exchanges', 'tool_calls', 'step_events', 'file_operations'] as const;

/** A part as one of the original's event types; parts with no such type (step-start, snapshot, …) give none. */
function timelineEvent(row: Row): Record<string, unknown> | undefined {
  const base = { id: row['id'], exchange_number: row['exchange_number'] === null ? null : num(row['exchange_number']), timestamp: row['timestamp'] };
  switch (row['type']) {
    case 'text':
      return row['role'] === 'user'
        ? { type: 'user_prompt', ...base, content: row['preview'] }
        : { type: 'assistant_response', ...base, content: row['preview'], tokens_out: num(row['tokens_output']) };
    case 'reasoning':
      return { type: 'reasoning', ...base, entries: [{ text: row['preview'], has_signature: false }] };
    case 'tool':
      return {
        type: 'tool_call',
        ...base,
        tool_name: row['tool'],
        status: row['status'],
        arguments: row['argument'],
        result_summary: row['title'],
        error: row['error'],
        duration_ms: row['duration_ms'],
        child_session_id: row['child_session_id'],
      };
    case 'step-finish':
      return {
        type: 'step_finish',
        ...base,
        reason: row['reason'],
        tokens: {
          input: num(row['tokens_input']),
          output: num(row['step_tokens_output']),
          reasoning: num(row['tokens_reasoning']),
          cache_read: num(row['tokens_cache_read']),
          cache_write: num(row['tokens_cache_write']),
          total: num(row['tokens_total']),
        },
        cost: round(num(row['cost'])),
      };
    case 'patch':
      return { type: 'patch', ...base, files: Array.isArray(row['files']) ? row['files'] : [] };
    case 'file':
      return { type: 'file_attachment', ...base, filename: row['preview'] };
    default:
      return undefined;
  }
}

/** The session's own sub-agent sessions, direct and nested (bounded depth: a parent cycle cannot run away). */
const DESCENDANTS = (id: string) => sql`
  WITH RECURSIVE tree(id, parent_id, depth) AS (
    SELECT id, parent_id, 1 FROM sessions WHERE parent_id = ${id}
    UNION ALL SELECT s.id, s.parent_id, tree.depth + 1 FROM sessions s JOIN tree ON s.parent_id = tree.id WHERE tree.depth < 50
  )
  SELECT tree.id, tree.parent_id, s.agent FROM tree JOIN sessions s ON s.id = tree.id ORDER BY tree.depth, tree.id`;

const eventsOf = (rows: readonly Row[]): Record<string, unknown>[] => rows.map(timelineEvent).filter((e) => e !== undefined);

async function timelineFull(input: RouteInput, id: string, session: Row): Promise<Result<RouteOutput>> {
  const params = collect({
    limit: intParam(input.query, 'limit', 1000, 1, 5000),
    children: boolParam(input.query, 'include_children', false),
    stream: boolParam(input.query, 'stream', false),
  });
  if (!params.ok) return params;
  const { limit, children } = params.value;
  const descendants = await input.rows(['sessions'], DESCENDANTS(id));
  if (!descendants.ok) return descendants;
  const parentOf = new Map(descendants.value.map((d) => [String(d['id']), String(d['parent_id'])]));
  const ids = [id, ...(children ? parentOf.keys() : [])];
  const rows = await input.rows(EVENT_TABLES, `${partEvents(ids.map((s) => literal(s)).join(', '))} ORDER BY timestamp, id`);
  if (!rows.ok) return rows;
  // A sub-agent's events carry the number of this session's exchange whose task call started its branch.
  const startedIn = new Map<string, unknown>();
  for (const row of rows.value) if (row['session_id'] === id && row['child_session_id']) startedIn.set(String(row['child_session_id']), row['exchange_number']);
  const branchOf = (sessionId: string): string => {
    let current = sessionId;
    for (let hops = 0; hops < 50 && parentOf.get(current) !== id && parentOf.has(current); hops++) current = parentOf.get(current)!;
    return current;
  };
  const events: Record<string, unknown>[] = [];
  for (const row of rows.value) {
    const event = timelineEvent(row);
    if (!event) continue;
    const from = String(row['session_id']);
    if (from === id) events.push(event);
    else {
      const exchange = startedIn.get(branchOf(from));
      events.push({ ...event, exchange_number: exchange === undefined || exchange === null ? null : num(exchange), from_child_session: from });
    }
  }
  const timeline = events.slice(0, limit);
  const direct = descendants.value.filter((d) => d['parent_id'] === id);
  const delegations: Record<string, unknown>[] = [];
  for (const d of direct) {
    const childId = String(d['id']);
    let childEvents: Record<string, unknown>[];
    if (children) childEvents = events.filter((e) => e['from_child_session'] === childId);
    else {
      const childRows = await input.rows(EVENT_TABLES, `${partEvents(literal(childId))} ORDER BY timestamp, id ${sql`LIMIT ${limit}`}`);
      if (!childRows.ok) return childRows;
      childEvents = eventsOf(childRows.value);
    }
    delegations.push({ child_session_id: childId, agent: d['agent'] ?? null, timeline: childEvents.slice(0, limit) });
  }
  const totals = await input.rows(
    ['exchanges', 'tool_calls', 'parts', 'delegations'],
    sql`SELECT (SELECT count(*) FROM exchanges WHERE session_id = ${id})::BIGINT AS exchanges,
      (SELECT count(*) FROM tool_calls WHERE session_id = ${id})::BIGINT AS tool_calls,
      (SELECT count(*) FROM parts WHERE session_id = ${id} AND type = 'reasoning')::BIGINT AS reasoning,
      (SELECT count(*) FROM delegations WHERE parent_session_id = ${id})::BIGINT AS delegations`,
  );
  if (!totals.ok) return totals;
  const t = totals.value[0] ?? {};
  // Times come as ISO strings, as in every other response.
  const epoch = (value: unknown) => (value === null || value === undefined ? NaN : Date.parse(String(value)));
  const started = epoch(session['created_at']);
  const ended = events.reduce((latest, e) => (epoch(e['timestamp']) > latest ? epoch(e['timestamp']) : latest), started);
  return data({
    // Answered whole, bounded by `limit`: `stream=true` is accepted for the original's clients and changes nothing.
    meta: { session_id: id, title: session['title'] ?? null, streamed: false },
    session: {
      id,
      title: session['title'] ?? null,
      directory: session['directory'] ?? null,
      agent: session['agent'] ?? null,
      model: session['model_id'] ?? null,
      started_at: session['created_at'] ?? null,
      ended_at: Number.isFinite(ended) ? new Date(ended).toISOString() : null,
      duration_ms: Number.isFinite(ended - started) ? ended - started : null,
      parent_session_id: session['parent_id'] ?? null,
      depth: num(session['depth']),
    },
    timeline,
    timeline_total: events.length,
    timeline_truncated: events.length > timeline.length,
    delegations,
    summary: {
      total_exchanges: num(t['exchanges']),
      total_tokens: num(session['tokens_total']),
      total_cost_usd: round(num(session['cost'])),
      total_tool_calls: num(t['tool_calls']),
      total_reasoning_entries: num(t['reasoning']),
      delegations: num(t['delegations']),
    },
  });
}

/** What a sub-agent did, step by step: its reasoning, text, tools and steps, without the prompt it was given. */
async function delegationTimeline(input: RouteInput, id: string, session: Row): Promise<Result<RouteOutput>> {
  const limit = intParam(input.query, 'limit', 1000, 1, 5000);
  if (!limit.ok) return limit;
  const rows = await input.rows(EVENT_TABLES, `${partEvents(literal(id))} ORDER BY timestamp, id`);
  if (!rows.ok) return rows;
  const prompt = rows.value.find((r) => r['type'] === 'text' && r['role'] === 'user');
  const kept = rows.value.filter((r) => ['reasoning', 'text', 'tool', 'step-start', 'step-finish'].includes(String(r['type'])) && !(r['type'] === 'text' && r['role'] === 'user'));
  const timeline = kept.slice(0, limit.value).map((r) => ({
    id: r['id'],
    type: r['type'],
    timestamp: r['timestamp'],
    ...(r['type'] === 'tool'
      ? { tool_name: r['tool'], tool_status: r['status'], arguments: r['argument'], result: r['title'], duration_ms: r['duration_ms'], error: r['error'] }
      : r['type'] === 'step-finish'
        ? { content: r['reason'], tokens: num(r['tokens_total']), cost: round(num(r['cost'])) }
        : r['type'] === 'step-start'
          ? {}
          : { content: r['preview'] }),
  }));
  return data({
    meta: { session_id: id, title: session['title'] ?? null, count: timeline.length, total: kept.length },
    prompt_input: prompt?.['preview'] ?? session['title'] ?? '',
    timeline,
  });
}

export const sessionTimelineRoutes: Route[] = [sessionRoute('timeline/full', timelineFull), sessionRoute('delegation-timeline', delegationTimeline)];
