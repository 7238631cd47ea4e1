/**
 * Background compaction of one table: when it has too many segments, read them, merge them into one and
 * swap them in. The merge runs outside the store's queue, so commits go on meanwhile; if the table was replaced
 * in between, the store refuses the swap (`source.vanished`) and the next round tries again.
 */
import { ok, type Result } from '../../../shared/src/index.js';
import { needsCompaction, type SegmentInfo } from './manifest.js';
import { mergeIpcStreams } from './merge.js';
import type { SegmentInput, StateStore } from './stateStore.js';

export interface CompactionPolicy {
  /** Compact once a table has more segments than this. */
  readonly maxSegments: number;
}

export interface CompactionOutcome {
  readonly table: string;
  /** How many segments were merged into `segment`. */
  readonly merged: number;
  readonly segment: SegmentInfo;
}

/** Compacts `table` if the policy says so; ok(null) when nothing needed doing. */
export async function compactIfNeeded(
  store: StateStore,
  table: string,
  policy: CompactionPolicy,
  merge: (parts: readonly Uint8Array[], source: string) => Result<SegmentInput> = mergeIpcStreams,
): Promise<Result<CompactionOutcome | null>> {
  if (!needsCompaction(store.manifest(), table, policy)) return ok(null);
  const snapshot = await store.readTable(table);
  if (!snapshot.ok) return snapshot;
  const merged = merge(snapshot.value.parts, table);
  if (!merged.ok) return merged;
  const files = snapshot.value.segments.map((s) => s.file);
  const segment = await store.compact(table, files, merged.value);
  return segment.ok ? ok({ table, merged: files.length, segment: segment.value }) : segment;
}
