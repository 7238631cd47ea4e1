/**
 * Ordered-step matching (kill chains and correlations) over one stream, in one pass per rule.
 *
 * Greedy strategy: every event that fills the last step completes at most one match, the tightest one ending
 * there, i.e. the match whose first step is as late as possible (ties go to the newer partial). For that we
 * keep, per step i, the partial match of steps 0..i with the latest start seen so far; an event filling step
 * i extends the best partial of step i-1. Steps are visited first-to-last so that one shell command line can
 * fill consecutive steps (`chmod +x x.sh && ./x.sh` both prepares and runs); any other event fills one step of
 * a match at most. A match depends only on events up to its completing event, so later events never change
 * or duplicate it; memory is one partial per step.
 */
import type { AuditEvent } from '../types.js';
import { KIND_BITS, type CompiledRule } from './compile.js';
import { baseName, isSamePath, pathTokens } from './samePath.js';
import type { Stream } from './stream.js';

export type StepsCompiledRule = Extract<CompiledRule, { shape: 'steps' }>;

/** Receives the member event indices of one match, in stream order. */
export type EmitMatch = (members: readonly number[], groupKey: string) => void;

interface Partial {
  readonly index: number;
  readonly prev: Partial | null;
  readonly startMs: number;
}

/** Forget remembered written paths older than the window once this many are held. */
const PRUNE_WRITTEN_AT = 1024;

export function matchSteps(events: readonly AuditEvent[], stream: Stream, compiled: StepsCompiledRule, mask: Uint8Array, emit: EmitMatch): void {
  if (compiled.rule.samePath === true) return matchSamePath(events, stream, compiled, mask, emit);
  const { windowMs } = compiled.rule;
  const last = compiled.steps.length - 1;
  const distinctKinds = needsDistinctKinds(compiled);
  for (const group of stream.groups) {
    const best: (Partial | null)[] = new Array<Partial | null>(last).fill(null);
    for (let pos = group.start; pos < group.end; pos++) {
      const e = stream.order[pos]!;
      const bits = mask[e]!;
      if (bits === 0) continue;
      const timeMs = events[e]!.timeMs;
      const compound = events[e]!.kind === 'bash';
      const filled = best.slice();
      for (let i = 0; i <= last; i++) {
        if ((bits & (1 << i)) === 0) continue;
        let candidate: Partial;
        if (i === 0) {
          candidate = { index: e, prev: null, startMs: timeMs };
        } else {
          // `filled` holds the partials from before this event; `best` may already hold this event's own step.
          const before = compound ? best[i - 1] : filled[i - 1];
          if (!before || timeMs - before.startMs > windowMs) continue;
          if (distinctKinds && sharesKind(events, before, e)) continue;
          candidate = { index: e, prev: before, startMs: before.startMs };
        }
        if (i === last) {
          emit(membersOf(candidate), group.key);
        } else {
          const current = best[i];
          if (!current || candidate.startMs >= current.startMs) best[i] = candidate;
        }
      }
    }
  }
}

/** Two-step rules whose second event must name the file the first one wrote or read. */
function matchSamePath(events: readonly AuditEvent[], stream: Stream, compiled: StepsCompiledRule, mask: Uint8Array, emit: EmitMatch): void {
  const { windowMs } = compiled.rule;
  const distinctKinds = needsDistinctKinds(compiled);
  for (const group of stream.groups) {
    const remembered = new Map<string, { readonly index: number; readonly timeMs: number; readonly path: string }>();
    for (let pos = group.start; pos < group.end; pos++) {
      const e = stream.order[pos]!;
      const bits = mask[e]!;
      if (bits === 0) continue;
      const event = events[e]!;
      if ((bits & 2) !== 0) {
        const paired = new Set<number>();
        for (const token of pathTokens(event.target)) {
          const earlier = remembered.get(baseName(token));
          if (!earlier || paired.has(earlier.index) || event.timeMs - earlier.timeMs > windowMs) continue;
          if (!isSamePath(earlier.path, token)) continue;
          if (distinctKinds && KIND_BITS[events[earlier.index]!.kind] === KIND_BITS[event.kind]) continue;
          paired.add(earlier.index);
          emit([earlier.index, e], group.key);
        }
      }
      if ((bits & 1) !== 0) {
        remembered.set(baseName(event.target), { index: e, timeMs: event.timeMs, path: event.target });
        if (remembered.size > PRUNE_WRITTEN_AT) {
          for (const [key, entry] of remembered) if (event.timeMs - entry.timeMs > windowMs) remembered.delete(key);
        }
      }
    }
  }
}

function needsDistinctKinds(compiled: StepsCompiledRule): boolean {
  return compiled.rule.type === 'correlation' && compiled.rule.allowSameKind !== true;
}

function sharesKind(events: readonly AuditEvent[], partial: Partial, e: number): boolean {
  const bit = KIND_BITS[events[e]!.kind];
  for (let p: Partial | null = partial; p; p = p.prev) if (KIND_BITS[events[p.index]!.kind] === bit) return true;
  return false;
}

function membersOf(partial: Partial): number[] {
  const members: number[] = [];
  for (let p: Partial | null = partial; p; p = p.prev) if (members.at(-1) !== p.index) members.push(p.index);
  return members.reverse();
}
