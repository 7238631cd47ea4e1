/**
 * A cold index writes the body chunks the workers return to the state dir as they arrive, instead of holding
 * every part and tool call until the end (≈ 600 MB at 1M parts) and writing them all then: the backfill's memory
 * stays flat, and the writes overlap the workers' reads. The chunks taken and not yet written are bounded
 * (`room`): on a disk slower than the workers, the backfill waits for it rather than queueing its results in memory.
 */
import type { TableName } from '../../../shared/src/index.js';
import type { SegmentInfo, SegmentInput, StateStore } from '../persist/index.js';

/** Chunks of one table written together (each write waits on its own fsync; a batch writes a few at once). */
const BATCH = 8;
/** Bytes taken and not yet written past which `room` waits: a few batches of every spilled table (≈ 1 MB a chunk). */
export const SPILL_QUEUE_BYTES = 64 * 1024 * 1024;

export interface SpillOutcome {
  /** Per table, the segments written, in the order the chunks arrived. */
  readonly saved: ReadonlyMap<TableName, readonly SegmentInfo[]>;
  /** Chunks a failed write left unsaved (the caller keeps them in memory); spilling stops at the first failure. */
  readonly unsaved: ReadonlyMap<TableName, readonly Uint8Array[]>;
  /** Why a write failed, when one did. */
  readonly problem?: string;
}

export interface BodySpill {
  /** Takes a chunk to write; false when its table is not spilled or spilling stopped (the caller keeps it). */
  take(table: TableName, bytes: Uint8Array): boolean;
  /**
   * Resolves at once while the chunks taken and not yet written stay within the bound; past it, starts writing
   * the partial batches too and resolves once the writes brought them back within it.
   */
  room(): Promise<void>;
  /** Writes what is pending and waits for every write. */
  finish(): Promise<SpillOutcome>;
}

/**
 * @param tables the tables to spill (not ones the caller still changes after the backfill).
 * @param toSegment a chunk's manifest entry: rows, and its rowid range when its table has one.
 * @param queueBytes the bound `room` keeps the chunks taken and not yet written to.
 */
export function createBodySpill(
  persist: StateStore,
  tables: readonly TableName[],
  toSegment: (table: TableName, bytes: Uint8Array) => SegmentInput,
  queueBytes: number = SPILL_QUEUE_BYTES,
): BodySpill {
  const saved = new Map<TableName, SegmentInfo[]>();
  const unsaved = new Map<TableName, Uint8Array[]>();
  const pending = new Map<TableName, Uint8Array[]>();
  let problem: string | undefined;
  /** Batches are written one after another, so each table's segments keep the chunks' order. */
  let writes: Promise<void> = Promise.resolve();
  /** Bytes of the chunks taken and not yet written (or kept after a failure), and who waits for them to shrink. */
  let queued = 0;
  let waiting: (() => void)[] = [];

  const written = (chunks: readonly Uint8Array[]) => {
    for (const bytes of chunks) queued -= bytes.byteLength;
    if (queued > queueBytes) return;
    for (const wake of waiting) wake();
    waiting = [];
  };

  const keep = (table: TableName, chunks: readonly Uint8Array[]) => {
    const list = unsaved.get(table) ?? [];
    list.push(...chunks);
    unsaved.set(table, list);
  };

  const write = (table: TableName, chunks: Uint8Array[]) => {
    writes = writes
      .then(async () => {
        if (problem !== undefined) return keep(table, chunks);
        const appended = await persist.appendSegments(table, chunks.map((bytes) => toSegment(table, bytes)));
        if (!appended.ok) {
          problem = appended.problem.message;
          return keep(table, chunks);
        }
        const list = saved.get(table) ?? [];
        list.push(...appended.value);
        saved.set(table, list);
      })
      // Kept or written, the chunks leave the queue (a failure ends spilling: the caller holds the rest anyway).
      .finally(() => written(chunks));
  };

  const flushPending = () => {
    for (const [table, chunks] of pending) write(table, chunks);
    pending.clear();
  };

  return {
    take(table, bytes) {
      if (problem !== undefined || !tables.includes(table)) return false;
      const list = pending.get(table) ?? [];
      list.push(bytes);
      queued += bytes.byteLength;
      if (list.length < BATCH) {
        pending.set(table, list);
        return true;
      }
      pending.delete(table);
      write(table, list);
      return true;
    },
    room() {
      if (queued <= queueBytes) return Promise.resolve();
      // Partial batches too: waiting on writes that only a full batch would start could wait for ever.
      flushPending();
      return new Promise((resolve) => waiting.push(resolve));
    },
    async finish() {
      flushPending();
      await writes;
      return { saved, unsaved, ...(problem !== undefined ? { problem } : {}) };
    },
  };
}
