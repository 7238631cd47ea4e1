/**
 * Burst rules over one stream: `count` (at least N matching events within the window, e.g. mass deletion) and
 * `distinct` (at least N different techniques within the window, e.g. a discovery burst).
 *
 * A sliding window with a moving start pointer decides, at each counted event, whether the window qualifies.
 * Qualifying windows that overlap form one burst, which becomes one finding holding every counted event of
 * the burst; the seed instead re-fired on every later event. A very long burst is cut into findings of at
 * most MAX_BURST_MEMBERS events so no finding grows without bound.
 */
import type { AuditEvent } from '../types.js';
import { countedTechniques, type CompiledRule } from './compile.js';
import type { EmitMatch } from './matchSteps.js';
import type { Stream } from './stream.js';

export type BurstCompiledRule = Extract<CompiledRule, { shape: 'count' | 'distinct' }>;

export const MAX_BURST_MEMBERS = 500;

export function matchBursts(events: readonly AuditEvent[], stream: Stream, compiled: BurstCompiledRule, mask: Uint8Array, emit: EmitMatch): void {
  const { windowMs } = compiled.rule;
  const techniquesOf = (e: number): string[] =>
    compiled.shape === 'distinct' ? countedTechniques(events[e]!.mitre, compiled.techniques) : [];
  for (const group of stream.groups) {
    const hits: number[] = [];
    for (let pos = group.start; pos < group.end; pos++) if (mask[stream.order[pos]!] !== 0) hits.push(stream.order[pos]!);
    const inWindow = new Map<string, number>();
    let start = 0;
    let open: number[] | null = null;
    let openLast = -1;
    let emittedThrough = -1;
    for (let h = 0; h < hits.length; h++) {
      const timeMs = events[hits[h]!]!.timeMs;
      for (const technique of techniquesOf(hits[h]!)) inWindow.set(technique, (inWindow.get(technique) ?? 0) + 1);
      while (timeMs - events[hits[start]!]!.timeMs > windowMs) {
        for (const technique of techniquesOf(hits[start]!)) {
          const left = inWindow.get(technique)! - 1;
          if (left === 0) inWindow.delete(technique);
          else inWindow.set(technique, left);
        }
        start++;
      }
      const qualifies =
        compiled.shape === 'count' ? h - start + 1 >= compiled.rule.count.minCount : inWindow.size >= compiled.rule.distinct.minDistinct;
      if (!qualifies) continue;
      if (open && openLast >= start && open.length < MAX_BURST_MEMBERS) {
        for (let k = openLast + 1; k <= h; k++) open.push(hits[k]!);
      } else {
        if (open) {
          emit(open, group.key);
          emittedThrough = openLast;
        }
        open = hits.slice(Math.max(start, emittedThrough + 1), h + 1);
      }
      openLast = h;
    }
    if (open) emit(open, group.key);
  }
}
