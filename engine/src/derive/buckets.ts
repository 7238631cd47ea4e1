/**
 * Splitting a derive into buckets of whole session trees, so a live change recomputes only the bucket of the
 * root sessions it touched. Every derived row of sessions, exchanges and session_stats belongs to one root
 * session, and daily_stats add up across buckets, because a session, and so its distinct count, lies in
 * exactly one bucket. Fork copies and tree positions are global and are computed once, before the split, and
 * delegations (whose child may lie in another tree) are computed over everything after it (`delegationRows`).
 * Pure: `deriveTables` over a bucket's input gives exactly that bucket's rows of a derive over everything.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { sortDaily, type DeriveInput } from './derive.js';
import type { MessageIndex } from './messageIndex.js';
import type { TreePosition } from './tree.js';

/** Enough that one bucket is a small fraction of a large history, few enough that merging them stays cheap. */
export const DERIVE_BUCKETS = 64;

/** FNV-1a of the root session id: stable across runs, so a bucket keeps its trees from one derive to the next. */
export function bucketOf(rootId: string, buckets: number = DERIVE_BUCKETS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < rootId.length; i++) {
    hash ^= rootId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

export interface BucketPlan {
  /** One derive input per bucket (the sessions of its trees, their messages and delegations). */
  readonly inputs: DeriveInput[];
  /** The inputs of these buckets only (one pass over all messages): what a live change recomputes. */
  inputsFor(buckets: Iterable<number>): Map<number, DeriveInput>;
  /** The buckets of these messages (one pass over all messages). */
  bucketsOfMessages(ids: ReadonlySet<string>): Set<number>;
  /** The bucket of a session: its root's. */
  bucketOfSession(sessionId: string): number;
  /**
   * False when an answer's question lies in another bucket (data no OpenCode version writes, but a damaged
   * history could): the buckets would then not add up, so derive everything whole.
   */
  readonly separable: boolean;
}

/** What a split can use instead of passes over every message (`MessageIndex`). */
export interface SplitShortcuts {
  /** The messages as `input.messages` holds them, by id and by session. */
  readonly index?: Pick<MessageIndex, 'get' | 'sessionIds' | 'messagesOf'>;
  /** Separability, when the caller already knows it (it checked what changed since it was last known). */
  readonly separable?: boolean;
}

export function splitByBucket(
  input: DeriveInput,
  tree: ReadonlyMap<string, TreePosition>,
  forkCopyIds: ReadonlySet<string>,
  buckets: number = DERIVE_BUCKETS,
  shortcuts: SplitShortcuts = {},
): BucketPlan {
  const { index } = shortcuts;
  const rootBucket = new Map<string, number>();
  const bucketOfRoot = (rootId: string) => {
    let b = rootBucket.get(rootId);
    if (b === undefined) rootBucket.set(rootId, (b = bucketOf(rootId, buckets)));
    return b;
  };
  // A message of a session that is not stored counts as its own root, as `deriveTables` does for exchanges.
  const sessionBucket = new Map<string, number>();
  const bucketOfSession = (sessionId: string) => {
    let b = sessionBucket.get(sessionId);
    if (b === undefined) sessionBucket.set(sessionId, (b = bucketOfRoot(tree.get(sessionId)?.rootId ?? sessionId)));
    return b;
  };
  let separable = shortcuts.separable;
  const checkSeparable = (): boolean => {
    // Questions only: an answer's parent is a user message, and a map of every message costs a pass of its own.
    const questionBucket = new Map<string, number>();
    for (const m of input.messages) if (m.role === 'user') questionBucket.set(m.id, bucketOfSession(m.sessionId));
    for (const m of input.messages) {
      // Fork copies answer nothing (`deriveTables` leaves them out), wherever their question lies.
      if (m.role !== 'assistant' || !m.parentId || forkCopyIds.has(m.id)) continue;
      const question = questionBucket.get(m.parentId);
      if (question !== undefined && question !== bucketOfSession(m.sessionId)) return false;
    }
    return true;
  };
  const bucketsOfMessages = (ids: ReadonlySet<string>) => {
    const found = new Set<number>();
    if (ids.size === 0) return found;
    if (index) {
      for (const id of ids) {
        const m = index.get(id);
        if (m) found.add(bucketOfSession(m.sessionId));
      }
    } else for (const m of input.messages) if (ids.has(m.id)) found.add(bucketOfSession(m.sessionId));
    return found;
  };
  const inputsFor = (wanted: Iterable<number>) => {
    // Delegations are not split: their child session may lie in another tree (`delegationRows`).
    const parts = new Map<number, { sessions: DeriveInput['sessions'][number][]; messages: DeriveInput['messages'][number][]; delegations: [] }>();
    for (const b of wanted) parts.set(b, { sessions: [], messages: [], delegations: [] });
    for (const s of input.sessions) parts.get(bucketOfSession(s.id))?.sessions.push(s);
    if (index) {
      // The buckets' sessions (stored or not), their messages in list order: no pass over the others.
      const sessionsOf = new Map<number, string[]>([...parts.keys()].map((b) => [b, []]));
      for (const id of index.sessionIds()) sessionsOf.get(bucketOfSession(id))?.push(id);
      for (const [b, ids] of sessionsOf) parts.get(b)!.messages = index.messagesOf(ids);
    } else for (const m of input.messages) parts.get(bucketOfSession(m.sessionId))?.messages.push(m);
    return new Map([...parts].map(([b, p]) => [b, { ...input, ...p, tree, forkCopyIds }]));
  };
  return {
    get inputs() {
      const all = inputsFor(Array.from({ length: buckets }, (_v, b) => b));
      return Array.from({ length: buckets }, (_v, b) => all.get(b)!);
    },
    inputsFor,
    bucketsOfMessages,
    bucketOfSession,
    get separable() {
      return (separable ??= checkSeparable());
    },
  };
}

/** daily_stats of all buckets as one table: rows of the same (day, provider, model) summed. */
export function mergeDailyStats(parts: readonly (readonly RowOf<'daily_stats'>[])[]): RowOf<'daily_stats'>[] {
  const merged = new Map<string, RowOf<'daily_stats'>>();
  for (const rows of parts) {
    for (const row of rows) {
      const key = `${row.day}|${row.provider_id}|${row.model_id}`;
      const into = merged.get(key);
      if (!into) {
        merged.set(key, { ...row });
        continue;
      }
      into.sessions += row.sessions;
      into.assistant_messages += row.assistant_messages;
      into.tokens_input += row.tokens_input;
      into.tokens_output += row.tokens_output;
      into.tokens_reasoning += row.tokens_reasoning;
      into.tokens_cache_read += row.tokens_cache_read;
      into.tokens_cache_write += row.tokens_cache_write;
      into.tokens_total += row.tokens_total;
      into.cost += row.cost;
    }
  }
  return sortDaily([...merged.values()]);
}
