/**
 * Read-only access to a live `opencode.db` for assertions. Opened with a real SQLite engine (better-sqlite3) so
 * the WAL is honoured: recent rows live only in `opencode.db-wal` while OpenCode runs.
 */
import Database from 'better-sqlite3';

export interface SessionRow {
  id: string;
  project_id: string;
  parent_id: string | null;
  title: string;
  directory: string;
  cost: number;
  tokens_input: number;
  tokens_output: number;
  tokens_reasoning: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  time_created: number;
  time_updated: number;
  [column: string]: unknown;
}

/** A message row with its `data` JSON decoded. */
export interface MessageRow {
  id: string;
  sessionId: string;
  data: Record<string, unknown> & { role?: string; error?: { name: string; data?: Record<string, unknown> } };
}

/** A part row with its `data` JSON decoded. */
export interface PartRow {
  id: string;
  messageId: string;
  sessionId: string;
  data: Record<string, unknown> & { type: string; tool?: string; state?: { status: string; [k: string]: unknown } };
}

export interface TodoRow {
  content: string;
  status: string;
  priority: string;
  position: number;
}

export interface OpencodeDb {
  /** The underlying handle, for ad-hoc SQL. */
  readonly raw: Database.Database;
  session(id: string): SessionRow | undefined;
  childSessions(parentId: string): SessionRow[];
  messages(sessionId: string): MessageRow[];
  parts(sessionId: string): PartRow[];
  /** Tool parts of a session in order, with `tool` and `status` lifted out. */
  toolParts(sessionId: string): Array<PartRow & { tool: string; status: string }>;
  todos(sessionId: string): TodoRow[];
  count(table: string): number;
  close(): void;
}

export function openOpencodeDb(dbPath: string): OpencodeDb {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  // OpenCode writes concurrently; wait on its locks instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  const parse = (s: unknown): Record<string, unknown> => (typeof s === 'string' ? (JSON.parse(s) as Record<string, unknown>) : {});
  const messages = (sessionId: string): MessageRow[] =>
    (db.prepare('SELECT id, session_id, data FROM message WHERE session_id = ? ORDER BY time_created, id').all(sessionId) as Array<{ id: string; session_id: string; data: string }>).map(
      (r) => ({ id: r.id, sessionId: r.session_id, data: parse(r.data) as MessageRow['data'] }),
    );
  // Part ids ascend in creation order within a process; time_created breaks ties across messages.
  const parts = (sessionId: string): PartRow[] =>
    (
      db.prepare('SELECT id, message_id, session_id, data FROM part WHERE session_id = ? ORDER BY time_created, id').all(sessionId) as Array<{
        id: string;
        message_id: string;
        session_id: string;
        data: string;
      }>
    ).map((r) => ({ id: r.id, messageId: r.message_id, sessionId: r.session_id, data: parse(r.data) as PartRow['data'] }));
  return {
    raw: db,
    session: (id) => db.prepare('SELECT * FROM session WHERE id = ?').get(id) as SessionRow | undefined,
    childSessions: (parentId) => db.prepare('SELECT * FROM session WHERE parent_id = ? ORDER BY time_created').all(parentId) as SessionRow[],
    messages,
    parts,
    toolParts: (sessionId) =>
      parts(sessionId)
        .filter((p) => p.data.type === 'tool')
        .map((p) => ({ ...p, tool: String(p.data.tool), status: String(p.data.state?.status) })),
    todos: (sessionId) =>
      db.prepare('SELECT content, status, priority, position FROM todo WHERE session_id = ? ORDER BY position').all(sessionId) as TodoRow[],
    count: (table) => {
      if (!/^[a-z_]+$/.test(table)) throw new Error(`bad table name ${table}`);
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    },
    close: () => db.close(),
  };
}
