/**
 * Event streams: the events of each group (a root session, or a project) in event-time order, ties broken by
 * event id so the same input in any order gives the same stream and therefore the same findings.
 */
import type { AuditEvent } from '../types.js';

export interface StreamGroup {
  readonly key: string;
  /** Range of positions in `Stream.order`, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface Stream {
  /** Event indices, grouped, each group sorted by time then id. */
  readonly order: readonly number[];
  readonly groups: readonly StreamGroup[];
}

/** Groups events by `keyOf` (events with a null key are left out) and sorts each group by time, then id. */
export function streamBy(events: readonly AuditEvent[], keyOf: (event: AuditEvent) => string | null): Stream {
  // Group keys become small integers first, so the sort compares numbers and only falls back to ids on ties.
  const keyIds = new Map<string, number>();
  const keys: string[] = [];
  const groupOf = new Int32Array(events.length);
  const order: number[] = [];
  for (let e = 0; e < events.length; e++) {
    const key = keyOf(events[e]!);
    if (key === null) continue;
    let id = keyIds.get(key);
    if (id === undefined) {
      id = keys.push(key) - 1;
      keyIds.set(key, id);
    }
    groupOf[e] = id;
    order.push(e);
  }
  // Counting sort by group keeps input order inside each group; input usually arrives in time order, so
  // most groups are then already sorted and only need the linear check.
  const counts = new Int32Array(keys.length + 1);
  for (const e of order) counts[groupOf[e]! + 1]!++;
  for (let g = 1; g <= keys.length; g++) counts[g]! += counts[g - 1]!;
  const starts = counts.slice(0, keys.length);
  const grouped = new Array<number>(order.length);
  for (const e of order) grouped[counts[groupOf[e]!]!++] = e;
  const byTimeThenId = (a: number, b: number): number => {
    const byTime = events[a]!.timeMs - events[b]!.timeMs;
    if (byTime !== 0) return byTime;
    const idA = events[a]!.id;
    const idB = events[b]!.id;
    return idA < idB ? -1 : idA > idB ? 1 : a - b;
  };
  const groups: StreamGroup[] = [];
  for (let g = 0; g < keys.length; g++) {
    const start = starts[g]!;
    const end = counts[g]!;
    let sorted = true;
    for (let i = start + 1; i < end && sorted; i++) sorted = byTimeThenId(grouped[i - 1]!, grouped[i]!) <= 0;
    if (!sorted) {
      const slice = grouped.slice(start, end).sort(byTimeThenId);
      for (let i = 0; i < slice.length; i++) grouped[start + i] = slice[i]!;
    }
    groups.push({ key: keys[g]!, start, end });
  }
  return { order: grouped, groups };
}

/**
 * Splits a stream into one sub-stream per rule holding only the events that take part in it, in the same
 * order and groups, so each rule's scan costs its own matches rather than the whole stream.
 */
export function ruleStreams(stream: Stream, rulesOf: readonly (readonly number[])[], ruleCount: number): Stream[] {
  const orders: number[][] = Array.from({ length: ruleCount }, () => []);
  const groups: StreamGroup[][] = Array.from({ length: ruleCount }, () => []);
  const touched: number[] = [];
  const groupStart = new Int32Array(ruleCount).fill(-1);
  for (const group of stream.groups) {
    for (let pos = group.start; pos < group.end; pos++) {
      const e = stream.order[pos]!;
      for (const r of rulesOf[e]!) {
        const order = orders[r]!;
        if (groupStart[r] === -1) {
          groupStart[r] = order.length;
          touched.push(r);
        }
        order.push(e);
      }
    }
    for (const r of touched) {
      groups[r]!.push({ key: group.key, start: groupStart[r]!, end: orders[r]!.length });
      groupStart[r] = -1;
    }
    touched.length = 0;
  }
  return orders.map((order, r) => ({ order, groups: groups[r]! }));
}
