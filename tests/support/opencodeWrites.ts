/**
 * Writes into an OpenCode database the way OpenCode ≥ 1.17 does while an agent works, for tests that follow live
 * changes: the row, then its durable sync event (`event_sequence` bumped, an `event` row of that type).
 */
import Database from 'better-sqlite3';

/**
 * Adds a part to the newest assistant message and logs it as `message.part.updated.1`.
 * @param data the part's stored JSON; by default a copy of the newest part's.
 */
export function addPartWithEvent(dbPath: string, partId: string, data?: unknown): void {
  const db = new Database(dbPath);
  try {
    const message = db.prepare(`SELECT id, session_id FROM message WHERE json_extract(data, '$.role') = 'assistant' ORDER BY rowid DESC LIMIT 1`).get() as { id: string; session_id: string };
    const stored = data === undefined ? (db.prepare('SELECT data FROM part ORDER BY rowid DESC LIMIT 1').pluck().get() as string) : JSON.stringify(data);
    const now = Date.now();
    db.transaction(() => {
      db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)').run(partId, message.id, message.session_id, now, now, stored);
      const seq = db.prepare('SELECT coalesce(max(seq), -1) + 1 FROM event WHERE aggregate_id = ?').pluck().get(message.session_id) as number;
      db.prepare('INSERT INTO event_sequence (aggregate_id, seq, owner_id) VALUES (?, ?, NULL) ON CONFLICT (aggregate_id) DO UPDATE SET seq = excluded.seq').run(message.session_id, seq);
      db.prepare('INSERT INTO event (id, aggregate_id, seq, type, data) VALUES (?, ?, ?, ?, ?)').run(
        `evt_${partId}`, message.session_id, seq, 'message.part.updated.1', JSON.stringify({ sessionID: message.session_id, part: { id: partId } }),
      );
    })();
  } finally {
    db.close();
  }
}

/**
 * Adds a root session, a copy of the newest root session's row under a new id, with one todo: what OpenCode writes
 * when a new session starts and its agent plans (the small tables change, no message or part does).
 */
export function addSessionWithTodo(dbPath: string, sessionId: string): void {
  const db = new Database(dbPath);
  try {
    const now = Date.now();
    db.transaction(() => {
      const newest = db.prepare('SELECT id FROM session WHERE parent_id IS NULL ORDER BY rowid DESC LIMIT 1').pluck().get() as string;
      const columns = (db.prepare('SELECT name FROM pragma_table_info(\'session\')').pluck().all() as string[]).filter((c) => !['id', 'slug', 'time_created', 'time_updated'].includes(c));
      db.prepare(`INSERT INTO session (id, slug, time_created, time_updated, ${columns.join(', ')}) SELECT ?, ?, ?, ?, ${columns.join(', ')} FROM session WHERE id = ?`).run(sessionId, `slug-${sessionId}`, now, now, newest);
      db.prepare('INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, ?)').run(sessionId, 'write the tests', 'pending', 'high', 0, now, now);
    })();
  } finally {
    db.close();
  }
}
