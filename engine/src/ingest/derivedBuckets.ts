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
import { ZERO_TOKENS } from '../parse/index.js';
import {
  buildSessionTree,
  bucketOf,
  delegationRows,
  DERIVE_BUCKETS,
  deriveTables,
  findForkCopies,
  mergeDailyStats,
  splitByBucket,
  type DeriveInput,
  type TreePosition,
} from '../derive/index.js';

/** What the rest of the ingest reads from a derive besides the tables. */
export interface DeriveSummary {
  readonly tree: ReadonlyMap<string, TreePosition>;
  readonly forkCopyIds: ReadonlySet<string>;
  readonly sessions: RowOf<'sessions'>[];
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
  private lastSignature = new Map<string, string>();
  private lastForkCopies: ReadonlySet<string> = new Set();
  private lastProjects = '';

  constructor(private readonly buckets: number = DERIVE_BUCKETS) {}

  /**
   * @param changedSessions sessions whose messages, part aggregates or delegations changed since the last derive
   *   (the caller knows; the inputs alone cannot show it), or 'all'.
   */
  derive(input: DeriveInput, changedSessions: ReadonlySet<string> | 'all'): BucketedDerive {
    const tree = buildSessionTree(input.sessions);
    const forkCopyIds = findForkCopies(input.messages, new Map(input.sessions.map((s) => [s.id, s.created_at])));
    const plan = splitByBucket(input, tree, forkCopyIds, this.buckets);
    const projects = JSON.stringify(input.projects);
    const everything = changedSessions === 'all' || !plan.separable || projects !== this.lastProjects || this.built.length === 0;
    const dirty = new Set<number>();
    const roots = new Map<string, string>();
    const signatures = new Map<string, string>();
    for (const s of input.sessions) {
      const root = tree.get(s.id)?.rootId ?? s.id;
      const signature = sessionSignature(s, input.deletedSessionIds.has(s.id));
      roots.set(s.id, root);
      signatures.set(s.id, signature);
      if (everything) continue;
      const before = this.lastRoot.get(s.id);
      if (before !== root) {
        dirty.add(plan.bucketOfSession(s.id));
        if (before !== undefined) dirty.add(bucketOf(before, this.buckets));
      } else if (this.lastSignature.get(s.id) !== signature) dirty.add(plan.bucketOfSession(s.id));
    }
    if (!everything) {
      for (const [id, root] of this.lastRoot) if (!roots.has(id)) dirty.add(bucketOf(root, this.buckets));
      for (const id of changedSessions) dirty.add(plan.bucketOfSession(id));
      const flipped = new Set<string>();
      for (const id of forkCopyIds) if (!this.lastForkCopies.has(id)) flipped.add(id);
      for (const id of this.lastForkCopies) if (!forkCopyIds.has(id)) flipped.add(id);
      for (const b of plan.bucketsOfMessages(flipped)) dirty.add(b);
    }
    if (everything) {
      this.built = [];
      for (let b = 0; b < this.buckets; b++) dirty.add(b);
    }
    if (plan.separable) {
      for (const b of dirty) this.built[b] = encodeBucket(deriveTables(plan.inputs[b]!));
    } else {
      // Not separable: one whole derive, kept as bucket 0 (the next derive is whole again while this lasts).
      this.built = [encodeBucket(deriveTables({ ...input, tree, forkCopyIds }))];
    }
    this.lastRoot = roots;
    this.lastSignature = signatures;
    this.lastForkCopies = forkCopyIds;
    this.lastProjects = plan.separable ? projects : '';
    const built = this.built.filter((b): b is Bucket => b !== undefined);
    const sessions = built.flatMap((b) => b.sessions);
    const tables = new Map<TableName, Uint8Array[]>([
      ['sessions', built.map((b) => b.ipc.sessions)],
      ['exchanges', built.map((b) => b.ipc.exchanges)],
      ['delegations', [buildIpc(DELEGATIONS_TABLE, delegationsOf(input, tree, sessions))]],
      ['session_stats', built.map((b) => b.ipc.session_stats)],
      ['daily_stats', [buildIpc(DAILY_STATS_TABLE, mergeDailyStats(built.map((b) => b.daily)))]],
    ]);
    return { tables, derived: { tree, forkCopyIds, sessions }, rebuilt: plan.separable ? dirty.size : this.buckets };
  }
}

/** Delegations over all sessions: a session's own usage is what its row says (fork copies already left out). */
function delegationsOf(input: DeriveInput, tree: ReadonlyMap<string, TreePosition>, sessions: readonly RowOf<'sessions'>[]): RowOf<'delegations'>[] {
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
  const wanted = new Set(input.delegations.map((d) => d.message_id));
  const agents = new Map<string, string | null>();
  for (const m of input.messages) if (wanted.has(m.id)) agents.set(m.id, m.agent);
  const none = { tokens: ZERO_TOKENS, cost: 0 };
  return delegationRows(input.sessions, input.delegations, tree, (id) => own.get(id) ?? none, (id) => agents.get(id));
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
