/**
 * Every message's facts by id and by session, kept between derives, with each message's place in the order it
 * was first seen. A live change names the few messages it touched; with this index a derive looks at those and
 * at the sessions of the buckets it recomputes, instead of passing over every message of the history.
 */
import type { MessageFacts } from './messageColumns.js';

/** One message added (no `before`), changed, or gone (no `after`). */
export interface MessageChange {
  readonly before?: MessageFacts;
  readonly after?: MessageFacts;
}

interface Entry {
  readonly facts: MessageFacts;
  readonly seq: number;
}

export class MessageIndex {
  private readonly byId = new Map<string, Entry>();
  private readonly bySession = new Map<string, Map<string, Entry>>();
  private nextSeq = 0;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): MessageFacts | undefined {
    return this.byId.get(id)?.facts;
  }

  /** Brings the index to exactly `messages`, found by identity (facts are immutable: a change is a new object). */
  sync(messages: readonly MessageFacts[]): MessageChange[] {
    const changes: MessageChange[] = [];
    const held = this.byId.size;
    let kept = 0;
    for (const m of messages) {
      const entry = this.byId.get(m.id);
      if (!entry) {
        this.put(m, this.nextSeq++);
        changes.push({ after: m });
        continue;
      }
      kept++;
      if (entry.facts === m) continue;
      this.drop(entry.facts);
      this.put(m, entry.seq);
      changes.push({ before: entry.facts, after: m });
    }
    if (kept < held) {
      const present = new Set(messages.map((m) => m.id));
      for (const [id, entry] of this.byId) {
        if (present.has(id)) continue;
        this.drop(entry.facts);
        changes.push({ before: entry.facts });
      }
    }
    return changes;
  }

  /** Brings these messages up to date (the caller knows no other changed); `current` gives their facts now. */
  syncSome(ids: Iterable<string>, current: (id: string) => MessageFacts | undefined): MessageChange[] {
    const changes: MessageChange[] = [];
    for (const id of ids) {
      const entry = this.byId.get(id);
      const m = current(id);
      if (entry?.facts === m) continue;
      if (entry) this.drop(entry.facts);
      if (m) this.put(m, entry?.seq ?? this.nextSeq++);
      changes.push({ ...(entry ? { before: entry.facts } : {}), ...(m ? { after: m } : {}) });
    }
    return changes;
  }

  /** The messages of a session, in no particular order. */
  ofSession(sessionId: string): Iterable<MessageFacts> {
    const entries = this.bySession.get(sessionId);
    return entries ? [...entries.values()].map((e) => e.facts) : [];
  }

  /** Sessions that hold messages (stored or not). */
  sessionIds(): Iterable<string> {
    return this.bySession.keys();
  }

  /** The messages of these sessions, in the order they were first seen (the order of a full message list). */
  messagesOf(sessionIds: Iterable<string>): MessageFacts[] {
    const entries: Entry[] = [];
    for (const id of sessionIds) for (const entry of this.bySession.get(id)?.values() ?? []) entries.push(entry);
    return entries.sort((a, b) => a.seq - b.seq).map((e) => e.facts);
  }

  private put(m: MessageFacts, seq: number): void {
    const entry = { facts: m, seq };
    this.byId.set(m.id, entry);
    let session = this.bySession.get(m.sessionId);
    if (!session) this.bySession.set(m.sessionId, (session = new Map()));
    session.set(m.id, entry);
  }

  private drop(m: MessageFacts): void {
    this.byId.delete(m.id);
    const session = this.bySession.get(m.sessionId);
    session?.delete(m.id);
    if (session?.size === 0) this.bySession.delete(m.sessionId);
  }
}
