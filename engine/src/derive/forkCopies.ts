/**
 * Fork copies kept up to date between derives: the same answer as `findForkCopies`, but a live change that
 * touches a few messages costs a look at those messages' fingerprints instead of a pass that fingerprints and
 * ranks all of them (≈ 130 ms at 300k messages, on every derive).
 */
import { fingerprint } from './derive.js';
import type { MessageFacts } from './messageColumns.js';
import type { MessageChange } from './messageIndex.js';

export interface ForkCopyUpdate {
  /** Every fork copy now (the index's own set: it changes with the next update). */
  readonly copies: ReadonlySet<string>;
  /** Messages whose fork-copy flag changed with this update (all copies on the first). */
  readonly flipped: ReadonlySet<string>;
}

export class ForkCopyIndex {
  /** Fingerprint → the messages that carry it. */
  private holders = new Map<string, MessageFacts[]>();
  private created = new Map<string, number>();
  private readonly copies = new Set<string>();

  /**
   * @param changes the messages added, changed or gone since the last update (`MessageIndex.sync`).
   * @param sessionCreated every session's creation time, or undefined when no session changed since the last update.
   * @param messagesOf the messages a session holds now (for a session whose creation time moved).
   */
  update(
    changes: readonly MessageChange[],
    sessionCreated: ReadonlyMap<string, number> | undefined,
    messagesOf: (sessionId: string) => Iterable<MessageFacts>,
  ): ForkCopyUpdate {
    const flipped = new Set<string>();
    const dirty = new Set<string>();
    // A session whose creation time moved (or that appeared or went) may change the owner of its fingerprints.
    const moved: string[] = [];
    if (sessionCreated) {
      for (const [id, at] of sessionCreated) if (this.created.get(id) !== at) moved.push(id);
      for (const id of this.created.keys()) if (!sessionCreated.has(id)) moved.push(id);
      if (moved.length > 0) this.created = new Map(sessionCreated);
    }
    for (const { before, after } of changes) {
      if (before) this.drop(before, dirty);
      if (after) this.add(after, dirty);
      else if (before && this.copies.delete(before.id)) flipped.add(before.id);
    }
    for (const id of moved) for (const m of messagesOf(id)) dirty.add(fingerprint(m));
    for (const key of dirty) this.rank(key, flipped);
    return { copies: this.copies, flipped };
  }

  private add(m: MessageFacts, dirty: Set<string>): void {
    const key = fingerprint(m);
    const list = this.holders.get(key);
    if (list) list.push(m);
    else this.holders.set(key, [m]);
    dirty.add(key);
  }

  private drop(m: MessageFacts, dirty: Set<string>): void {
    const key = fingerprint(m);
    const list = this.holders.get(key);
    if (!list) return;
    const at = list.indexOf(m);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.holders.delete(key);
    dirty.add(key);
  }

  /** The earliest session holding a fingerprint owns it (ties: the smaller id); every other holder is a copy. */
  private rank(key: string, flipped: Set<string>): void {
    const list = this.holders.get(key);
    if (!list) return;
    const created = (sessionId: string) => this.created.get(sessionId) ?? Number.MAX_SAFE_INTEGER;
    let owner: string | undefined;
    for (const m of list) {
      if (owner === undefined || created(m.sessionId) < created(owner) || (created(m.sessionId) === created(owner) && m.sessionId < owner)) owner = m.sessionId;
    }
    for (const m of list) {
      const copy = m.sessionId !== owner;
      if (copy === this.copies.has(m.id)) continue;
      if (copy) this.copies.add(m.id);
      else this.copies.delete(m.id);
      flipped.add(m.id);
    }
  }
}
