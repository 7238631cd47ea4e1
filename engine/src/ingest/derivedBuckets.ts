/**
 * The derived tables kept by bucket of session trees (`derive/buckets.ts`) between derives, so a live change
 * recomputes and re-encodes only the buckets whose trees it touched: a few hundred rows instead of every
 * session and exchange of the history (seconds at 1M parts). Which buckets changed is worked out here from what
 * the caller says changed (sessions whose messages or part aggregates moved) and from what the inputs show:
 * a session row that differs, a session that moved to another tree, a message whose fork-copy flag flipped.
 */
import {
  DAILY_STATS_TABLE,
  DELEGATIONS_TABLE,
  EXCHANGES_TABLE,
  SESSION_STATS_TABLE,
  SESSIONS_TABLE,
  type RowOf,
  type TableName,
} from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { ZERO_TOKENS, type DelegationBase } from '../parse/index.js';
import {
  buildSessionTree,
  bucketOf,
  delegationRows,
  DERIVE_BUCKETS,
  deriveTables,
  ForkCopyIndex,
  mergeDailyStats,
  MessageIndex,
  splitByBucket,
  type DeriveInput,
  type MessageChange,
  type MessageFacts,
  type TreePosition,
} from '../derive/index.js';

/** What the rest of the ingest reads from a derive besides the tables. */
export interface DeriveSummary {
  readonly tree: ReadonlyMap<string, TreePosition>;
  readonly forkCopyIds: ReadonlySet<string>;
  readonly sessions: RowOf<'sessions'>[];
}

/** The messages that changed since the last derive, and their facts now (undefined: gone). */
export interface ChangedMessages {
  readonly ids: Iterable<string>;
  readonly get: (id: string) => MessageFacts | undefined;
}

export interface BucketedDerive {
  readonly tables: Map<TableName, Uint8Array[]>;
  readonly derived: DeriveSummary;
  /** Buckets recomputed by this derive (all of them on the first). */
  readonly rebuilt: number;
}

interface Bucket {
  readonly sessions: RowOf<'sessions'>[];
  readonly daily: RowOf<'daily_stats'>[];
  readonly ipc: { sessions: Uint8Array; exchanges: Uint8Array; session_stats: Uint8Array };
}

const sessionSignature = (s: DeriveInput['sessions'][number], deleted: boolean): string => `${JSON.stringify(s)}${deleted ? 'd' : ''}`;

export class DerivedBuckets {
  private built: (Bucket | undefined)[] = [];
  private lastRoot = new Map<string, string>();
  /** Per session, the input object and signature it was last derived from (an unchanged object needs no new signature). */
  private lastSeen = new Map<string, { session: DeriveInput['sessions'][number]; signature: string }>();
  private readonly messages = new MessageIndex();
  private readonly forkCopies = new ForkCopyIndex();
  private lastProjects = '';
  private lastSeparable: boolean | undefined;
  /** The sessions (objects), deleted marks and tree of the last derive: the same objects need no second look. */
  private lastSessions: readonly DeriveInput['sessions'][number][] = [];
  private lastDeleted: ReadonlySet<string> = new Set();
  private lastTree: Map<string, TreePosition> | undefined;
  private readonly delegations = new DelegationCache();

  constructor(private readonly buckets: number = DERIVE_BUCKETS) {}

  /**
   * @param changedSessions sessions whose messages, part aggregates or delegations changed since the last derive
   *   (the caller knows; the inputs alone cannot show it), or 'all'.
   * @param changedMessages the messages added, changed or gone since the last derive and where to find them now,
   *   when the caller knows (else every message of `input` is compared with the last derive's).
   */
  derive(input: DeriveInput, changedSessions: ReadonlySet<string> | 'all', changedMessages?: ChangedMessages): BucketedDerive {
    // A live change to messages leaves every session object as it was: then the tree and the per-session
    // bookkeeping of the last derive stand (a pass over 20k sessions and a tree build spared).
    const sameSessions =
      this.lastTree !== undefined &&
      input.sessions.length === this.lastSessions.length &&
      input.sessions.every((s, i) => s === this.lastSessions[i]) &&
      sameMembers(input.deletedSessionIds, this.lastDeleted);
    const tree = sameSessions ? this.lastTree! : buildSessionTree(input.sessions);
    const hinted = changedMessages !== undefined && this.messages.size > 0;
    const changes = hinted ? this.messages.syncSome(changedMessages.ids, changedMessages.get) : this.messages.sync(input.messages);
    const created = sameSessions ? undefined : new Map(input.sessions.map((s) => [s.id, s.created_at]));
    const { copies: forkCopyIds, flipped } = this.forkCopies.update(changes, created, (id) => this.messages.ofSession(id));
    const bucketOfSession = (id: string) => bucketOf(tree.get(id)?.rootId ?? id, this.buckets);
    const projects = JSON.stringify(input.projects);
    const wholeAnyway = changedSessions === 'all' || projects !== this.lastProjects || this.built.length === 0;
    const dirty = new Set<number>();
    const roots = sameSessions ? this.lastRoot : new Map<string, string>();
    const seen = sameSessions ? this.lastSeen : new Map<string, { session: DeriveInput['sessions'][number]; signature: string }>();
    let rootsMoved = false;
    for (const s of sameSessions ? [] : input.sessions) {
      const root = tree.get(s.id)?.rootId ?? s.id;
      const last = this.lastSeen.get(s.id);
      const deletedMark = input.deletedSessionIds.has(s.id);
      // Same object and same deleted mark: the same signature, without serialising 20k sessions per derive.
      const signature = last && last.session === s && last.signature.endsWith('d') === deletedMark ? last.signature : sessionSignature(s, deletedMark);
      roots.set(s.id, root);
      seen.set(s.id, last?.signature === signature && last.session === s ? last : { session: s, signature });
      const before = this.lastRoot.get(s.id);
      if (before !== root) {
        rootsMoved = true;
        dirty.add(bucketOfSession(s.id));
        if (before !== undefined) dirty.add(bucketOf(before, this.buckets));
      } else if (last?.signature !== signature) dirty.add(bucketOfSession(s.id));
    }
    for (const [id, root] of sameSessions ? [] : this.lastRoot) {
      if (roots.has(id)) continue;
      rootsMoved = true;
      dirty.add(bucketOf(root, this.buckets));
    }
    const separable = hinted && !rootsMoved && flipped.size === 0 && this.lastSeparable === true ? separableAfter(changes, forkCopyIds, this.messages, bucketOfSession) : undefined;
    const plan = splitByBucket(input, tree, forkCopyIds, this.buckets, wholeAnyway ? {} : { index: this.messages, ...(separable !== undefined ? { separable } : {}) });
    const everything = wholeAnyway || !plan.separable;
    if (!everything) {
      for (const id of changedSessions) dirty.add(plan.bucketOfSession(id));
      for (const b of plan.bucketsOfMessages(flipped)) dirty.add(b);
    }
    if (everything) {
      this.built = [];
      for (let b = 0; b < this.buckets; b++) dirty.add(b);
    }
    if (plan.separable) {
      for (const [b, bucketInput] of plan.inputsFor(dirty)) this.built[b] = encodeBucket(deriveTables(bucketInput));
    } else {
      // Not separable: one whole derive, kept as bucket 0 (the next derive is whole again while this lasts).
      this.built = [encodeBucket(deriveTables({ ...input, tree, forkCopyIds }))];
    }
    this.lastRoot = roots;
    this.lastSeen = seen;
    this.lastSessions = [...input.sessions];
    this.lastDeleted = new Set(input.deletedSessionIds);
    this.lastTree = tree;
    this.lastSeparable = plan.separable;
    this.lastProjects = plan.separable ? projects : '';
    const built = this.built.filter((b): b is Bucket => b !== undefined);
    const sessions = built.flatMap((b) => b.sessions);
    const tables = new Map<TableName, Uint8Array[]>([
      ['sessions', built.map((b) => b.ipc.sessions)],
      ['exchanges', built.map((b) => b.ipc.exchanges)],
      [
        'delegations',
        [
          this.delegations.get(input.delegations, sameSessions, changes, built, () =>
            buildIpc(DELEGATIONS_TABLE, delegationsOf(input, tree, sessions, (id) => this.messages.get(id)?.agent)),
          ),
        ],
      ],
      ['session_stats', built.map((b) => b.ipc.session_stats)],
      ['daily_stats', [buildIpc(DAILY_STATS_TABLE, mergeDailyStats(built.map((b) => b.daily)))]],
    ]);
    return { tables, derived: { tree, forkCopyIds, sessions }, rebuilt: plan.separable ? dirty.size : this.buckets };
  }
}

/** Delegations over all sessions: a session's own usage is what its row says (fork copies already left out). */
function delegationsOf(
  input: DeriveInput,
  tree: ReadonlyMap<string, TreePosition>,
  sessions: readonly RowOf<'sessions'>[],
  agentOf: (messageId: string) => string | null | undefined,
): RowOf<'delegations'>[] {
  if (input.delegations.length === 0) return [];
  const own = new Map(
    sessions.map((s) => [
      s.id,
      {
        tokens: { input: s.tokens_input, output: s.tokens_output, reasoning: s.tokens_reasoning, cacheRead: s.tokens_cache_read, cacheWrite: s.tokens_cache_write, total: s.tokens_total },
        cost: s.cost,
      },
    ]),
  );
  const none = { tokens: ZERO_TOKENS, cost: 0 };
  return delegationRows(input.sessions, input.delegations, tree, (id) => own.get(id) ?? none, agentOf);
}

const sameMembers = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((id) => b.has(id));

/** What a delegation row reads of a session: its own usage (its row's tokens and cost). */
const usageOf = (s: RowOf<'sessions'>) =>
  `${s.tokens_input}|${s.tokens_output}|${s.tokens_reasoning}|${s.tokens_cache_read}|${s.tokens_cache_write}|${s.tokens_total}|${s.cost}`;

/**
 * The delegations table of the last derive, reused while nothing it reads moved: the same sessions and
 * delegation records, no change to a delegating message, and the same own usage for every session of the buckets
 * just recomputed (a text part streaming in changes none of these; recomputing costs ≈ 100 ms at 20k sessions).
 */
class DelegationCache {
  private ipc: Uint8Array | undefined;
  private bases: readonly DelegationBase[] = [];
  private messageIds = new Set<string>();
  private usage = new Map<string, string>();
  private seenBuckets = new WeakSet<Bucket>();

  get(bases: readonly DelegationBase[], sameSessions: boolean, changes: readonly MessageChange[], built: readonly Bucket[], compute: () => Uint8Array): Uint8Array {
    let stale = this.ipc === undefined || !sameSessions || bases.length !== this.bases.length || bases.some((d, i) => d !== this.bases[i]);
    if (!stale) stale = changes.some((c) => this.messageIds.has(c.before?.id ?? c.after!.id));
    for (const bucket of built) {
      if (this.seenBuckets.has(bucket)) continue;
      this.seenBuckets.add(bucket);
      for (const s of bucket.sessions) {
        const usage = usageOf(s);
        if (this.usage.get(s.id) !== usage) stale = true;
        this.usage.set(s.id, usage);
      }
    }
    if (stale) {
      this.ipc = compute();
      this.bases = [...bases];
      this.messageIds = new Set(bases.map((d) => d.message_id));
    }
    return this.ipc!;
  }
}

/**
 * Whether the buckets still add up after these message changes, given that they did before and no session moved
 * to another tree: only a changed answer can now lie in another bucket than its question. A question that
 * appeared, moved or went may have answers anywhere: then nothing is known (undefined: check everything).
 */
function separableAfter(changes: readonly MessageChange[], forkCopyIds: ReadonlySet<string>, messages: MessageIndex, bucketOfSession: (id: string) => number): boolean | undefined {
  for (const { before, after } of changes) {
    if (before?.role === 'user' || after?.role === 'user') return undefined;
    if (!after || after.role !== 'assistant' || !after.parentId || forkCopyIds.has(after.id)) continue;
    const question = messages.get(after.parentId);
    if (question?.role === 'user' && bucketOfSession(question.sessionId) !== bucketOfSession(after.sessionId)) return false;
  }
  return true;
}

function encodeBucket(out: ReturnType<typeof deriveTables>): Bucket {
  return {
    sessions: out.sessions,
    daily: out.dailyStats,
    ipc: {
      sessions: buildIpc(SESSIONS_TABLE, out.sessions),
      exchanges: buildIpc(EXCHANGES_TABLE, out.exchanges),
      session_stats: buildIpc(SESSION_STATS_TABLE, out.sessionStats),
    },
  };
}
