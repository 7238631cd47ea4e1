/**
 * The engine's memory of recent seq'd messages, shared by every client: a reconnecting client is replayed
 * what it missed from here, and a slow one reads from here at its own pace. Bounded by count and by bytes;
 * the oldest entries go first, and a client whose resume point has gone gets a fresh snapshot instead.
 */

/** One seq'd message, encoded once and sent as is to every client. */
export interface RingEntry {
  readonly seq: number;
  readonly frame: string | Uint8Array;
  /** Bytes on the wire (UTF-8 length for text frames). */
  readonly bytes: number;
  /** A live-state diff or notification (what a live-only client such as the tray receives); else a table delta. */
  readonly live: boolean;
}

export interface RingLimits {
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** @default 64 MiB */
  readonly maxBytes?: number;
}

/** What the ring can offer a client that has applied everything up to `lastSeq`. */
export type RingRead =
  | { readonly ok: true; readonly entries: readonly RingEntry[] }
  /** `lastSeq` is older than the oldest entry kept (or newer than the newest seq): only a snapshot helps. */
  | { readonly ok: false; readonly reason: 'evicted' | 'ahead' };

export interface DeltaRing {
  /** The newest seq handed out; 0 before the first message. */
  readonly seq: number;
  /** Seq of the oldest entry still held (seq + 1 when empty). */
  readonly firstSeq: number;
  readonly bytes: number;
  readonly size: number;
  /** Assigns the next seq, lets `encode` build the frame with it, and keeps the entry. */
  push(encode: (seq: number) => { frame: string | Uint8Array; bytes: number }, live?: boolean): RingEntry;
  /** Entries after `lastSeq`, oldest first, at most `limit` of them. */
  since(lastSeq: number, limit?: number): RingRead;
}

export const DEFAULT_RING_ENTRIES = 10_000;
export const DEFAULT_RING_BYTES = 64 * 1024 * 1024;

export function createDeltaRing(limits: RingLimits = {}, startSeq = 0): DeltaRing {
  const maxEntries = limits.maxEntries ?? DEFAULT_RING_ENTRIES;
  const maxBytes = limits.maxBytes ?? DEFAULT_RING_BYTES;
  // A plain array with a moving head: shift() on every eviction would be O(n) per push on a full ring.
  let entries: RingEntry[] = [];
  let head = 0;
  let seq = startSeq;
  let bytes = 0;

  const evict = () => {
    // The newest entry always stays, even when it alone is over the byte bound: it has to be sent anyway.
    while (entries.length - head > 1 && (entries.length - head > maxEntries || bytes > maxBytes)) {
      bytes -= entries[head]!.bytes;
      head++;
    }
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  };

  return {
    get seq() {
      return seq;
    },
    get firstSeq() {
      return entries.length > head ? entries[head]!.seq : seq + 1;
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.length - head;
    },
    push(encode, live = false) {
      const next = seq + 1;
      const { frame, bytes: size } = encode(next);
      const entry: RingEntry = { seq: next, frame, bytes: size, live };
      seq = next;
      entries.push(entry);
      bytes += size;
      evict();
      return entry;
    },
    since(lastSeq, limit = Infinity) {
      if (lastSeq > seq) return { ok: false, reason: 'ahead' };
      const first = entries.length > head ? entries[head]!.seq : seq + 1;
      if (lastSeq + 1 < first) return { ok: false, reason: 'evicted' };
      const start = head + (lastSeq + 1 - first);
      return { ok: true, entries: entries.slice(start, Math.min(entries.length, start + limit)) };
    },
  };
}
