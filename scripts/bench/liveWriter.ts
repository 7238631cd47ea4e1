/**
 * Writes single changes into a corpus database the way OpenCode 1.18.33 does when a new text part arrives:
 * one transaction that inserts the `part` row and its durable sync event (`event_sequence` bumped, then an
 * `event` row of type message.part.updated.1 carrying the part), ids in OpenCode's format. Everything it
 * writes is deleted again by `cleanup()`, so a reused corpus keeps matching its manifest.
 */
import Database from 'better-sqlite3';
import { createIdFactory } from '../../tests/corpus/ids.js';
import { createRng } from '../../tests/corpus/random.js';

export interface LiveChange {
  readonly partId: string;
  /** performance.now() right after the transaction committed. */
  readonly committedAt: number;
}

export interface LiveWriter {
  /** The message the new parts are added to. */
  readonly target: { readonly messageId: string; readonly sessionId: string };
  write(index: number): LiveChange;
  /** Deletes every row written and restores event_sequence. */
  cleanup(): void;
  close(): void;
}

export function createLiveWriter(dbPath: string): LiveWriter {
  const db = new Database(dbPath, { fileMustExist: true, timeout: 5000 });
  db.pragma('synchronous = NORMAL');
  // The newest message of the corpus: the session a user would be watching.
  const target = db.prepare('SELECT id AS messageId, session_id AS sessionId FROM message ORDER BY time_created DESC, rowid DESC LIMIT 1').get() as
    | { messageId: string; sessionId: string }
    | undefined;
  if (!target) throw new Error(`${dbPath} has no message to add parts to`);
  const ids = createIdFactory(createRng(Date.now() >>> 0));
  const previousSeq = db.prepare('SELECT seq FROM event_sequence WHERE aggregate_id = ?').pluck().get(target.sessionId) as number | undefined;
  const written = { parts: [] as string[], events: [] as string[] };
  const stmt = {
    nextSeq: db.prepare('SELECT coalesce(max(seq), -1) + 1 FROM event WHERE aggregate_id = ?').pluck(),
    part: db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)'),
    sequence: db.prepare('INSERT INTO event_sequence (aggregate_id, seq, owner_id) VALUES (?, ?, NULL) ON CONFLICT (aggregate_id) DO UPDATE SET seq = excluded.seq'),
    event: db.prepare('INSERT INTO event (id, aggregate_id, seq, type, data) VALUES (?, ?, ?, ?, ?)'),
  };
  const insert = db.transaction((index: number, now: number) => {
    const partId = ids.ascending('prt', now);
    const data = { type: 'text', text: `bench live change ${index + 1}: the engine should show this part`, time: { start: now, end: now } };
    stmt.part.run(partId, target.messageId, target.sessionId, now, now, JSON.stringify(data));
    const seq = Math.max(stmt.nextSeq.get(target.sessionId) as number, (previousSeq ?? -1) + 1);
    stmt.sequence.run(target.sessionId, seq);
    const eventId = ids.ascending('evt', now);
    const part = { id: partId, sessionID: target.sessionId, messageID: target.messageId, ...data };
    stmt.event.run(eventId, target.sessionId, seq, 'message.part.updated.1', JSON.stringify({ sessionID: target.sessionId, part, time: now }));
    written.parts.push(partId);
    written.events.push(eventId);
    return partId;
  });
  return {
    target,
    write(index) {
      const partId = insert(index, Date.now());
      return { partId, committedAt: performance.now() };
    },
    cleanup() {
      if (!db.open || written.parts.length === 0) return;
      db.transaction(() => {
        for (const id of written.events) db.prepare('DELETE FROM event WHERE id = ?').run(id);
        for (const id of written.parts) db.prepare('DELETE FROM part WHERE id = ?').run(id);
        if (previousSeq === undefined) db.prepare('DELETE FROM event_sequence WHERE aggregate_id = ?').run(target.sessionId);
        else db.prepare('UPDATE event_sequence SET seq = ? WHERE aggregate_id = ?').run(previousSeq, target.sessionId);
      })();
      written.parts.length = 0;
      written.events.length = 0;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
