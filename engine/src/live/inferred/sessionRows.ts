/**
 * The few indexed reads the inference needs. Every query is bounded and goes through an index of OpenCode's
 * schema (engine/src/demo/opencode-1.18.33.schema.sql): messages by `(session_id, time_created, id)`, parts by
 * `(message_id, id)`, todos by their primary key `(session_id, position)`. The part table is never scanned as
 * a whole; only the parts of each session's latest assistant message are read. The session table has no
 * index on `time_updated`, so the recent-session filter scans it; it holds one row per session and is small.
 * JSON fields are picked out in SQL so a large text part or tool output never crosses into JavaScript.
 */
import type Database from 'better-sqlite3';

export interface SessionRow {
  readonly id: string;
  readonly parent_id: string | null;
  readonly directory: string;
  readonly title: string;
  readonly agent: string | null;
  readonly model: string | null;
  readonly time_updated: number;
}

export interface MessageRow {
  readonly id: string;
  readonly time_created: number;
  readonly time_updated: number;
  readonly role: string | null;
  readonly completed: number | null;
  readonly finish: string | null;
  readonly error: string | null;
  readonly agent: string | null;
  readonly provider_id: string | null;
  readonly model_id: string | null;
}

export interface ToolPartRow {
  readonly id: string;
  readonly message_id: string;
  readonly time_created: number;
  readonly time_updated: number;
  readonly type: string | null;
  readonly tool: string | null;
  readonly call_id: string | null;
  readonly status: string | null;
  /** JSON text of `state.input`, only for pending/running tools (the only ones whose argument is shown). */
  readonly input: string | null;
  readonly started: number | null;
}

export interface TodoRow {
  readonly content: string;
  readonly status: string;
  readonly time_updated: number;
}

/** Everything read for one session, newest message first. */
export interface SessionRows {
  readonly session: SessionRow;
  readonly messages: readonly MessageRow[];
  /** Parts of the latest assistant message, in id order. */
  readonly parts: readonly ToolPartRow[];
  readonly todos: readonly TodoRow[];
}

/** Enough to see the latest assistant message even when a few user prompts were queued after it. */
const RECENT_MESSAGES = 6;
/** A step with more parts than this is pathological; the cap keeps one tick's work bounded. */
const MAX_PARTS = 500;
const MAX_TODOS = 200;

/** Exported for the query-plan test that keeps every read on an index. */
export const INFERENCE_SQL = {
  sessions: `SELECT id, parent_id, directory, title, agent, model, time_updated FROM session
    WHERE time_updated >= ? AND time_archived IS NULL ORDER BY time_updated DESC LIMIT ?`,
  messages: `SELECT id, time_created, time_updated,
      json_extract(data, '$.role') AS role, json_extract(data, '$.time.completed') AS completed,
      json_extract(data, '$.finish') AS finish, json_extract(data, '$.error.name') AS error,
      json_extract(data, '$.agent') AS agent, json_extract(data, '$.providerID') AS provider_id,
      json_extract(data, '$.modelID') AS model_id
    FROM message WHERE session_id = ? ORDER BY time_created DESC, id DESC LIMIT ${RECENT_MESSAGES}`,
  parts: `SELECT id, message_id, time_created, time_updated, type, tool, call_id, status,
      CASE WHEN type = 'tool' AND status IN ('pending', 'running') THEN json_extract(data, '$.state.input') END AS input,
      started
    FROM (SELECT id, message_id, time_created, time_updated, data,
        json_extract(data, '$.type') AS type, json_extract(data, '$.tool') AS tool,
        json_extract(data, '$.callID') AS call_id, json_extract(data, '$.state.status') AS status,
        json_extract(data, '$.state.time.start') AS started
      FROM part WHERE message_id = ? ORDER BY id LIMIT ${MAX_PARTS})`,
  todos: `SELECT content, status, time_updated FROM todo WHERE session_id = ? ORDER BY position LIMIT ${MAX_TODOS}`,
} as const;

export interface RowReader {
  recentSessions(sinceMs: number, limit: number): SessionRow[];
  sessionRows(session: SessionRow): SessionRows;
}

/** Prepares the statements once per handle; throws SqliteError (e.g. `no such table`) for the caller to map. */
export function createRowReader(db: Database.Database): RowReader {
  const sessions = db.prepare<[number, number], SessionRow>(INFERENCE_SQL.sessions);
  const messages = db.prepare<[string], MessageRow>(INFERENCE_SQL.messages);
  const parts = db.prepare<[string], ToolPartRow>(INFERENCE_SQL.parts);
  const todos = db.prepare<[string], TodoRow>(INFERENCE_SQL.todos);
  return {
    recentSessions: (sinceMs, limit) => sessions.all(sinceMs, limit),
    sessionRows: (session) => {
      const recent = messages.all(session.id);
      const latestAssistant = recent.find((m) => m.role === 'assistant');
      return {
        session,
        messages: recent,
        parts: latestAssistant === undefined ? [] : parts.all(latestAssistant.id),
        todos: todos.all(session.id),
      };
    },
  };
}
