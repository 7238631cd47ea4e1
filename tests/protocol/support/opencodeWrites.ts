/**
 * Writes to a generated opencode.db the way OpenCode does while it works: a new message with its parts (copied
 * from an existing one under fresh ids) and an update to a stored tool part. Timestamps move past the newest
 * row, so the engine's time watermarks pick the rows up.
 */
import Database from 'better-sqlite3';

interface Stored {
  id: string;
  session_id: string;
  time_created: number;
  time_updated: number;
  data: string;
}

export interface OpencodeWriter {
  /** Copies the `nth` stored message (and its parts) under new ids; returns the new part ids. */
  addTurn(nth: number): string[];
  /** Rewrites the `nth` text part's text; returns its id. */
  setPartText(nth: number, text: string): string;
  /** Rewrites a tool part's output (a pending → completed style update); returns its id. */
  updateToolPart(nth: number, output: string): string;
  close(): void;
}

export function openOpencodeWriter(dbPath: string): OpencodeWriter {
  const db = new Database(dbPath);
  let counter = 0;
  const newest = () => {
    const row = db.prepare('SELECT max(t) AS t FROM (SELECT max(time_updated) AS t FROM message UNION ALL SELECT max(time_updated) FROM part)').get() as { t: number };
    return row.t + 1_000;
  };
  return {
    addTurn(nth) {
      const message = db.prepare('SELECT * FROM message ORDER BY id LIMIT 1 OFFSET ?').get(nth) as Stored;
      const parts = db.prepare('SELECT * FROM part WHERE message_id = ? ORDER BY id').all(message.id) as (Stored & { message_id: string })[];
      const now = newest();
      const tag = `${Date.now().toString(36)}${(++counter).toString(36).padStart(4, '0')}`;
      const messageId = `msg_zz${tag}`;
      const ids: string[] = [];
      db.transaction(() => {
        db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(messageId, message.session_id, now, now, message.data);
        parts.forEach((part, i) => {
          const id = `prt_zz${tag}${String(i).padStart(3, '0')}`;
          ids.push(id);
          db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)').run(id, messageId, part.session_id, now, now, part.data);
        });
      })();
      return ids;
    },
    setPartText(nth, text) {
      const part = db.prepare(`SELECT * FROM part WHERE json_extract(data, '$.type') = 'text' ORDER BY id LIMIT 1 OFFSET ?`).get(nth) as Stored;
      db.prepare('UPDATE part SET data = ?, time_updated = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(part.data), text }), newest(), part.id);
      return part.id;
    },
    updateToolPart(nth, output) {
      const part = db.prepare(`SELECT * FROM part WHERE json_extract(data, '$.type') = 'tool' ORDER BY id LIMIT 1 OFFSET ?`).get(nth) as Stored;
      const data = JSON.parse(part.data) as { state?: Record<string, unknown> };
      data.state = { ...(data.state ?? {}), output };
      db.prepare('UPDATE part SET data = ?, time_updated = ? WHERE id = ?').run(JSON.stringify(data), newest(), part.id);
      return part.id;
    },
    close: () => db.close(),
  };
}
