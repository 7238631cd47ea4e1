/**
 * Fork copies kept up to date between derives: the same answer as `findForkCopies`, but a live change that
 * touches a few messages costs a look at those messages' fingerprints instead of a pass that fingerprints and
 * ranks all of them (≈ 130 ms at 300k messages, on every derive).
 *
 * The index is kept by a 32-bit hash of the fingerprint, not by the fingerprint string: a string and a holder
 * array per message held ≈ 170 MB at 300k messages, for the few thousand fingerprints that ever have two holders.
 * Messages that share a hash are told apart by their fingerprint when they are ranked.
 */
import { fingerprintKey } from './derive.js';
import type { MessageFacts } from './messageColumns.js';
import type { MessageChange } from './messageIndex.js';

export interface ForkCopyUpdate {
  /** Every fork copy now (the index's own set: it changes with the next update). */
  readonly copies: ReadonlySet<string>;
  /** Messages whose fork-copy flag changed with this update (all copies on the first). */
  readonly flipped: ReadonlySet<string>;
}

export class ForkCopyIndex {
  /** Fingerprint hash → the message that carries it, or the messages when several do. */
  private holders = new Map<number, MessageFacts | MessageFacts[]>();
  private created = new Map<string, number>();
  private readonly copies = new Set<string>();

  /** @param hash the fingerprint hash (tests pass one that collides on purpose). */
  constructor(private readonly hash: (m: MessageFacts) => number = fingerprintHash) {}

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
    const dirty = new Set<number>();
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
    for (const id of moved) for (const m of messagesOf(id)) dirty.add(this.hash(m));
    for (const key of dirty) this.rank(key, flipped);
    return { copies: this.copies, flipped };
  }

  private add(m: MessageFacts, dirty: Set<number>): void {
    const key = this.hash(m);
    const held = this.holders.get(key);
    if (held === undefined) this.holders.set(key, m);
    else if (Array.isArray(held)) held.push(m);
    else this.holders.set(key, [held, m]);
    dirty.add(key);
  }

  private drop(m: MessageFacts, dirty: Set<number>): void {
    const key = this.hash(m);
    const held = this.holders.get(key);
    if (held === undefined) return;
    dirty.add(key);
    if (!Array.isArray(held)) {
      if (held === m) this.holders.delete(key);
      return;
    }
    const at = held.indexOf(m);
    if (at >= 0) held.splice(at, 1);
    if (held.length === 1) this.holders.set(key, held[0]!);
    else if (held.length === 0) this.holders.delete(key);
  }

  /** The earliest session holding a fingerprint owns it (ties: the smaller id); every other holder is a copy. */
  private rank(key: number, flipped: Set<string>): void {
    const held = this.holders.get(key);
    if (held === undefined) return;
    if (!Array.isArray(held)) {
      // A lone holder owns its fingerprint.
      if (this.copies.delete(held.id)) flipped.add(held.id);
      return;
    }
    const byFingerprint = new Map<string, MessageFacts[]>();
    for (const m of held) {
      const fingerprint = fingerprintKey(m);
      const same = byFingerprint.get(fingerprint);
      if (same) same.push(m);
      else byFingerprint.set(fingerprint, [m]);
    }
    const created = (sessionId: string) => this.created.get(sessionId) ?? Number.MAX_SAFE_INTEGER;
    for (const list of byFingerprint.values()) {
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
}

const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

/**
 * An FNV-1a-style hash of the fields `fingerprintKey` writes, field by field: messages with equal fingerprints get
 * equal hashes (numbers are hashed by their bits, -0 as 0 and every NaN alike, as their text would be), with no
 * string built.
 */
export function fingerprintHash(m: MessageFacts): number {
  let h = 0x811c9dc5;
  const text = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x7c, 0x01000193); // the separator: "ab","c" and "a","bc" differ
  };
  const number = (x: number) => {
    numberBits[0] = x === 0 ? 0 : Number.isNaN(x) ? NaN : x;
    h = Math.imul(h ^ numberWords[0]!, 0x01000193);
    h = Math.imul(h ^ numberWords[1]!, 0x01000193);
  };
  text(m.role);
  number(m.createdAt);
  number(m.tokens.total);
  number(m.cost);
  text(m.modelId ?? '');
  text(m.agent ?? '');
  h = Math.imul(h ^ (m.parentId === null ? 0 : 1), 0x01000193);
  return h >>> 0;
}
