/**
 * The engine's ingest service: a cold backfill or a warm restart from persisted segments, then live refreshes
 * that read only what changed (the `event` table tail, else time watermarks) and upsert it. Derived tables
 * are recomputed after each change. Persistence is crash-safe and throttled.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { SCHEMA_VERSION, TABLES, type TableName } from '../../../shared/src/index.js';
import { ENGINE_VERSION } from '../config/index.js';
import { buildSessionTree, childRootMap, readMessageFacts, type MessageFacts } from '../derive/index.js';
import type { Logger } from '../log.js';
import { createStateStore, type LaterCheck, type SegmentInfo, type SegmentInput, type StateStore } from '../persist/index.js';
import { childRootsJson, childRootsRef, mergeIssues, type ChildRootsRef, type IngestPool, type MessageAggregate, type TaskResult } from '../pipeline/index.js';
import { discoverSources } from '../sources/index.js';
import { sequenceRulesWith, type SequenceRuleSet } from '../security/index.js';
import { createTableStore, rowidRangeOf, type KnownChunk, type SavedChunk, type TableStore } from '../store/index.js';
import { backfill, type Progress } from './backfill.js';
import { createBodySpill, type BodySpill } from './bodySpill.js';
import { deriveAll, flagForkCopies, type Derived, type SecurityCache, type SmallTablesCache } from './finalize.js';
import { createSecurityRunner } from './securityRunner.js';
import { IngestState, issueLine, metaRecordCount, metaSignature, readFailed } from './ingestState.js';
import { DerivedBuckets } from './derivedBuckets.js';
import { createSourcesUpkeep } from './sourcesUpkeep.js';
import { aggregatesToIpc, MESSAGE_AGGREGATES_SEGMENT, readAggregatesInto } from './aggregateTable.js';
import { extrasFromIpc, extrasToIpc, INGEST_EXTRAS_SEGMENT } from './extrasSegment.js';
import { childRootsOf, restoreState, todoStatusCounts, type PersistedExtras, type SmallTablesDigest } from './restore.js';
import { forkCopiesFromMessages, sumSessionChunks, sumSessionRows, summarize, tallyBodyTables, countTodosByStatus, type BodyTally, type IndexSummary, type SessionSums } from './summary.js';

/** Quiet time after a change before the derived tables are recomputed (live refreshes). */
const REDERIVE_DELAY_MS = 250;
/** How long changes may gather before the state dir is written (each write rewrites the small tables and manifest). */
const PERSIST_DELAY_MS = 15_000;
/** Appended segments of changed message aggregates before the whole set is rewritten as one. */
const MAX_AGGREGATE_SEGMENTS = 32;

/** Tables rebuilt whole on every change; the rest are appended or upserted. */
const WHOLE_TABLES: readonly TableName[] = [
  'sources', 'projects', 'sessions', 'todos', 'exchanges', 'delegations', 'session_stats', 'daily_stats', 'security_events', 'security_findings', 'ingest_issues',
];
const BODY_TABLES: readonly TableName[] = ['messages', 'parts', 'tool_calls', 'file_operations', 'step_events', 'skills'];
/** Body tables a cold index writes as the workers return them; messages wait for their fork-copy flags. */
const SPILLED_TABLES: readonly TableName[] = BODY_TABLES.filter((name) => name !== 'messages');
/**
 * Recomputed tables a warm start leaves in their segment files until something reads them (a snapshot, or the
 * first derive): together ≈ 100 MB at 1M parts, which reading and checksumming would add to every start.
 */
const LAZY_DERIVED_TABLES: readonly TableName[] = ['exchanges', 'delegations', 'session_stats', 'daily_stats', 'security_events', 'security_findings'];
/** Sessions and todos are read on a warm start only when used: their digest answers the summary and the workers. */
const LAZY_SMALL_TABLES: readonly TableName[] = ['sessions', 'todos'];

export interface IndexerOptions {
  readonly dataDir: string;
  readonly stateDir: string | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pool: IngestPool;
  readonly logger: Logger;
  readonly onProgress?: (progress: Progress) => void;
  /** Kill-chain and correlation rules (built-ins plus the user's file); the built-ins when absent. */
  readonly sequenceRules?: SequenceRuleSet;
}

export interface StartReport {
  readonly mode: 'cold' | 'warm';
  readonly elapsedMs: number;
  /** Why a persisted state was not used, when it was not. */
  readonly rebuildReason?: string;
}

export interface RefreshReport {
  readonly changedRows: number;
  readonly elapsedMs: number;
}

export interface Indexer {
  readonly store: TableStore;
  start(): Promise<StartReport>;
  /**
   * One pass over every database; `fullScan` ignores the event table and scans by time watermark. `derive: 'now'`
   * (the default) recomputes the derived tables before returning; `'soon'` (live use) leaves that to a debounced
   * pass, so body rows land within milliseconds while sessions, exchanges and stats follow.
   */
  refresh(options?: { fullScan?: boolean; derive?: 'now' | 'soon' }): Promise<RefreshReport>;
  summary(elapsedMs: number): IndexSummary;
  /** Called after every change of the tables (base rows first, then derived ones). */
  onChange(listener: (tables: readonly TableName[]) => void): () => void;
  /** Writes pending state now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What a segment's manifest entry says about its chunk. */
function knownChunk(segment: SegmentInfo): KnownChunk {
  return segment.rowidRange ? { rows: segment.rows, rowidRange: segment.rowidRange } : { rows: segment.rows };
}

/**
 * A chunk to save, with its rowid range when its table has one (a warm start then need not decode it). Decoded
 * once for both its rows (unless known) and its range.
 */
function segmentInput(name: TableName, bytes: Uint8Array, rows?: number): SegmentInput {
  const table = tableFromIPC(bytes);
  const rowidRange = rowidRangeOf(name, table);
  const count = rows ?? table.numRows;
  return rowidRange ? { bytes, rows: count, rowidRange } : { bytes, rows: count };
}

/**
 * Each OpenCode data dir gets its own index under the state dir, so `index --data-dir A` then `--data-dir B` never
 * mixes A's saved rows into B's tables: `<stateDir>/indexes/<folder name>-<hash of the absolute path>`.
 */
export function indexDirFor(stateDir: string, dataDir: string): string {
  const absolute = path.resolve(dataDir);
  const label = path.basename(absolute).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'root';
  return path.join(stateDir, 'indexes', `${label}-${createHash('sha256').update(absolute).digest('hex').slice(0, 12)}`);
}

export function createIndexer(options: IndexerOptions): Indexer {
  const { logger, pool } = options;
  const store = createTableStore();
  const sources = createSourcesUpkeep(store, options.dataDir, options.env);
  const sequenceRules = options.sequenceRules ?? sequenceRulesWith(undefined, 'built-in rules').ruleSet;
  let state = new IngestState();
  const facts = new Map<string, MessageFacts>();
  const deleted = new Set<string>();
  const sessionDb = new Map<string, string>();
  const listeners = new Set<(tables: readonly TableName[]) => void>();
  const persist: StateStore | null = options.stateDir ? createStateStore(indexDirFor(options.stateDir, options.dataDir), SCHEMA_VERSION, { engineVersion: ENGINE_VERSION }) : null;
  const staged: { table: TableName; bytes: Uint8Array; rows: number }[] = [];
  /**
   * The saved segment each chunk the store holds was written as or read from: a save keeps that segment instead of
   * writing the same rows again (a live change touches one bucket of 64; the rest stand). Emptied when the state
   * dir is cleared.
   */
  let savedAs = new WeakMap<Uint8Array | SavedChunk, SegmentInfo>();
  /** A chunk kept in its segment file, read when needed. */
  const savedChunkOf = (segment: SegmentInfo, read: () => Uint8Array = persist!.saved(segment).read): SavedChunk => {
    const chunk: SavedChunk = { ...knownChunk(segment), load: read };
    savedAs.set(chunk, segment);
    return chunk;
  };
  let persistTimer: NodeJS.Timeout | undefined;
  /**
   * Refreshes and state writes run one at a time on this chain: a write commits the watermarks as they are
   * when its segments are written, so no refresh may move them in between (a restart would skip those rows).
   */
  let exclusive: Promise<unknown> = Promise.resolve();
  const serially = <T>(job: () => Promise<T>): Promise<T> => {
    const run = exclusive.then(job);
    exclusive = run.catch(() => undefined);
    return run;
  };
  /** Changes not yet written to the state dir. */
  let dirty = false;
  /** The derived output of the last rederive, for summaries (deriving again costs seconds on big corpora). */
  let lastDerived: Derived['derived'] | undefined;
  /** Bodies or small tables changed since the last rederive. */
  let derivePending = false;
  /** Per database, a signature of its small tables at the last refresh: unchanged, and no bodies, means no rederive. */
  let metaSignatures: Record<string, string> = {};
  /**
   * Per database, the worker's cheap signature of its sessions, projects and todos (`smallTablesSignature`) as
   * they are held: a refresh that finds the same one does not read them again.
   */
  let smallTables: Record<string, string> = {};
  /**
   * Per database, the sessions, projects and todos its `sources` records count: a refresh that reads them again
   * moves the records by the difference, as a cold index of the database then would count them.
   */
  let metaRecords: Record<string, number> = {};
  /** Whether `facts` mirrors the messages table (a warm start defers reading it until a rederive needs it). */
  let factsLoaded = true;
  /**
   * Whether `state.messageAggregates` holds every message's aggregates. After a warm start it holds only those
   * recounted since (newer than the saved ones), until a rederive or a save needs the rest from the state dir.
   */
  let aggregatesLoaded = true;
  /** Whether the session aggregates, delegation records and session → database map are in the state (`ensureExtras`). */
  let extrasLoaded = true;
  /** They changed since they were last saved. */
  let extrasChanged = false;
  /** Message aggregates changed since they were last saved: these ids, or all (rewrite the whole segment set). */
  let aggregatesToSave: Set<string> | 'all' = new Set();
  /** The summary's pass over the body tables, kept until a body or the fork copies change. */
  let bodyTally: BodyTally | undefined;
  /** Per table, how many of its saved segments were written whole (a snapshot: no row supersedes another). */
  let replacedSegments: Record<string, number> = {};
  /** Bumped whenever `tool_calls` changes: with `securityCache`, it lets a derive reuse the security tables. */
  let toolCallsGeneration = 0;
  const securityCache: SecurityCache = {};
  /** Names the rules and the engine that scored: saved security tables count only when both are the same. */
  const rulesSignature = createHash('sha256').update(`${ENGINE_VERSION}\u0000${JSON.stringify(sequenceRules.rules)}`).digest('hex').slice(0, 16);
  /** Bumped whenever the state's projects or todos change: with `smallTablesCache`, a derive reuses their tables. */
  let smallTablesGeneration = 0;
  const smallTablesCache: SmallTablesCache = {};
  /** The derived tables by bucket of session trees, and the sessions whose messages or parts changed since. */
  const derivedBuckets = new DerivedBuckets();
  let changedSessions: Set<string> | 'all' = 'all';
  /** Messages whose facts changed since the last derive ('all': not tracked, the derive compares them all). */
  let changedMessages: Set<string> | 'all' = 'all';
  /** Sub-agent session → root, for the workers, and the sessions' signature it was built for. */
  let childRootsCache: { key: string; roots: ChildRootsRef } | undefined;
  /** The loaded state's digest of its sessions and todos, valid while those tables are as loaded. */
  let digest: (SmallTablesDigest & { sessionsAt: number; todosAt: number }) | undefined;
  /** `store.changes(name)` of each recomputed table when it was last saved (or loaded): equal, the saved copy stands. */
  const savedChanges = new Map<TableName, number>();
  /** `store.version` when the state dir was last written: unchanged means the saved tables are current. */
  let persistedVersion = -1;

  const emit = (tables: readonly TableName[]) => {
    for (const listener of listeners) listener(tables);
  };

  const extras = (): PersistedExtras => ({
    watermarks: state.watermarks,
    deletedSessionIds: [...deleted],
    partTypes: state.partTypes,
    toolsByName: state.toolsByName,
    toolsByStatus: state.toolsByStatus,
    sources: state.sources.map(({ kind, path, records }) => ({ kind, path, records })),
    issues: Object.fromEntries(state.issues),
    duplicates: state.duplicates,
    metaSignatures,
    smallTables,
    metaRecords,
    replacedSegments,
    ...(bodyTally ? { bodyTally } : {}),
    ...securityExtras(),
    smallTablesDigest: { sessions: sessionSums(), todos: todoStatuses(), childRoots: childRootsNow().json },
  });

  const sessionSums = (): SessionSums => {
    if (digest && digest.sessionsAt === store.changes('sessions')) return digest.sessions;
    return lastDerived ? sumSessionRows(lastDerived.sessions) : sumSessionChunks(store.snapshot('sessions'));
  };
  const todoStatuses = (): Record<string, number> => {
    if (digest && digest.todosAt === store.changes('todos')) return digest.todos;
    // Objects only once something needed them; until then the saved table answers.
    return state.restored('todos') ? countTodosByStatus(state.todos.values()) : todoStatusCounts(store.snapshot('todos'));
  };
  /** Sub-agent session → root for the workers; the tree only moves with the sessions (~100 ms to build at 20k). */
  const childRootsNow = (): ChildRootsRef => {
    // Before a warm start's sessions are needed as objects, the saved digest (or the saved table) has their roots.
    const restored = state.restored('sessions');
    const treeKey = `${restored ? state.sessions.size : `saved:${store.changes('sessions')}`}|${JSON.stringify(metaSignatures)}`;
    if (childRootsCache?.key !== treeKey) {
      const roots =
        restored ? childRootsRef(childRootMap(buildSessionTree(state.sessions.values())))
        : digest && digest.sessionsAt === store.changes('sessions') ? childRootsJson(digest.childRoots)
        : childRootsRef(childRootsOf(store.snapshot('sessions')));
      childRootsCache = { key: treeKey, roots };
    }
    return childRootsCache.roots;
  };

  /** The placement the security tables in the store were computed for, when they match the tool calls held. */
  const securityExtras = (): { security?: { rules: string; placement: string } } => {
    const current = `${toolCallsGeneration}|`;
    const key = securityCache.key;
    return key?.startsWith(current) ? { security: { rules: rulesSignature, placement: key.slice(current.length) } } : {};
  };

  /**
   * Reads the saved session aggregates, delegation records and session → database map into the state. Called before
   * anything changes them (a refresh that found something, a derive, a full save): they are then the saved ones.
   */
  const ensureExtras = async () => {
    if (extrasLoaded || !persist) return;
    const read = await persist.readTable(INGEST_EXTRAS_SEGMENT);
    if (!read.ok) throw new Error(`ingest bookkeeping: ${read.problem.message}`);
    const saved = extrasFromIpc(read.value.parts);
    Object.assign(state.sessionAggregates, saved.sessionAggregates);
    state.delegations.push(...saved.delegations);
    for (const [id, db] of Object.entries(saved.sessionDb)) sessionDb.set(id, db);
    extrasLoaded = true;
  };

  /** Reads the saved message aggregates into the state, under the ones recounted since (they are newer). */
  const ensureAggregates = async () => {
    if (aggregatesLoaded || !persist) return;
    const read = await persist.readTable(MESSAGE_AGGREGATES_SEGMENT);
    if (!read.ok) throw new Error(`message aggregates: ${read.problem.message}`);
    // Newest segment first: an id's first sighting wins, and later segments hold later recounts.
    readAggregatesInto([...read.value.parts].reverse(), state.messageAggregates);
    aggregatesLoaded = true;
  };

  /** Puts a derive's security tables in place: cached, computed now, or on their own thread (see securityRunner). */
  const security = createSecurityRunner({
    pool,
    rules: sequenceRules,
    cache: securityCache,
    logger,
    put: (tables, announce) => {
      store.replace('security_events', [tables.events]);
      store.replace('security_findings', [tables.findings]);
      if (announce) emit(['security_events', 'security_findings']);
    },
  });

  /**
   * @param security 'later': the security tables are computed on their own thread and land when it returns them;
   *   by default they are computed before the derive returns.
   */
  const rederive = async (options: { security?: 'now' | 'later' } = {}) => {
    await ensureAggregates();
    await ensureExtras();
    if (!factsLoaded) {
      for (const f of readMessageFacts(store.snapshot('messages'))) facts.set(f.id, f);
      factsLoaded = true;
      changedMessages = 'all';
    }
    const derived = deriveAll(
      state,
      [...facts.values()],
      deleted,
      { toolCalls: () => store.snapshot('tool_calls'), rules: sequenceRules, toolCallsGeneration, cache: securityCache },
      {
        buckets: derivedBuckets,
        changedSessions,
        smallTablesGeneration,
        smallTables: smallTablesCache,
        ...(changedMessages !== 'all' ? { changedMessages: { ids: changedMessages, get: (id: string) => facts.get(id) } } : {}),
      },
    );
    changedSessions = new Set();
    changedMessages = new Set();
    for (const [name, chunks] of derived.tables) store.replace(name, chunks);
    const when = options.security ?? 'now';
    security.run(derived.security, when);
    // The same tables are already on their way from the security thread: a caller that wants them now waits.
    if (when === 'now' && derived.security.kind === 'pending') await security.idle();
    await sources.rebuild(false);
    lastDerived = derived.derived;
    // Fork copies may have moved, and the tally leaves their rows out.
    bodyTally = undefined;
    derivePending = false;
    emit([...derived.tables.keys(), 'sources']); // the security tables tell of themselves as they land
    return derived;
  };

  /**
   * @param spilled with `full`: the tables a cold index already wrote whole (their segment counts), after it cleared
   *   the state dir itself; they are not written again.
   */
  const persistNow = async (full: boolean, spilled?: ReadonlyMap<TableName, number>) => {
    if (!persist || stateDamaged) return;
    const write = async () => {
      // Saved derived tables must match the saved bodies: a warm start trusts them as they are.
      if (derivePending) await rederive();
      dirty = false;
      const writes = full ? [] : staged.splice(0);
      const replaceTable = async (name: TableName) => {
        // A live derive's security tables may still be on their thread.
        if (name === 'security_events' || name === 'security_findings') await security.idle();
        // A recomputed table whose rows are what was saved (most of them, after a live change) is not written again.
        if (!full && WHOLE_TABLES.includes(name) && savedChanges.get(name) === store.changes(name)) return;
        const chunks = store.persistable(name);
        const replaced = await persist.replaceTable(
          name,
          chunks.map((chunk) => {
            const kept = savedAs.get(chunk);
            if (kept) return kept;
            const bytes = chunk instanceof Uint8Array ? chunk : chunk.load();
            return segmentInput(name, bytes, chunk instanceof Uint8Array ? undefined : chunk.rows);
          }),
        );
        if (!replaced.ok) throw new Error(replaced.problem.message);
        replaced.value.forEach((segment, i) => savedAs.set(chunks[i]!, segment));
        // Body rows are read from the files just written from now on, rather than held (hundreds of MB).
        if (BODY_TABLES.includes(name)) store.backBySaved(name, replaced.value.map((segment) => savedChunkOf(segment)));
        replacedSegments[name] = chunks.length;
        if (WHOLE_TABLES.includes(name)) savedChanges.set(name, store.changes(name));
      };
      if (full) {
        staged.length = 0;
        replacedSegments = {};
        await ensureAggregates(); // before the clear that deletes the saved ones
        await ensureExtras();
        if (!spilled) {
          const cleared = await persist.clear();
          if (!cleared.ok) throw new Error(cleared.problem.message);
          savedAs = new WeakMap();
        }
        for (const name of TABLES.map((t) => t.name)) {
          const written = spilled?.get(name);
          if (written === undefined) await replaceTable(name);
          else replacedSegments[name] = written;
        }
      } else {
        for (const w of writes) {
          const appended = await persist.appendSegment(w.table, w.bytes, w.rows, rowidRangeOf(w.table, w.bytes));
          if (!appended.ok) throw new Error(appended.problem.message);
        }
        // Nothing in the store moved since the last write (only the extras did): its saved tables stand.
        if (store.version !== persistedVersion) {
          for (const name of [...WHOLE_TABLES, ...BODY_TABLES.filter((n) => store.compact(n))]) await replaceTable(name);
        }
      }
      await saveAggregates(full);
      if (full || extrasChanged) {
        await ensureExtras();
        const extrasSaved = await persist.replaceTable(INGEST_EXTRAS_SEGMENT, [
          { bytes: extrasToIpc({ sessionAggregates: state.sessionAggregates, delegations: state.delegations, sessionDb: Object.fromEntries(sessionDb) }), rows: 1 },
        ]);
        if (!extrasSaved.ok) throw new Error(extrasSaved.problem.message);
        extrasChanged = false;
      }
      persistedVersion = store.version;
      const committed = await persist.commit(extras());
      if (!committed.ok) throw new Error(committed.problem.message);
    };
    await serially(write).catch((error: Error) => logger.warn(`state not saved (it is rebuilt on the next start): ${error.message}`));
  };

  /**
   * Live recounts touch a few messages: those are appended as a small segment; the whole set is rewritten on a
   * full write or once the appended segments pile up.
   */
  const saveAggregates = async (full: boolean) => {
    if (!persist) return;
    const saved = persist.manifest()?.tables;
    const segments = saved && Object.hasOwn(saved, MESSAGE_AGGREGATES_SEGMENT) ? saved[MESSAGE_AGGREGATES_SEGMENT]!.segments.length : 0;
    const whole = full || aggregatesToSave === 'all' || segments + 1 > MAX_AGGREGATE_SEGMENTS;
    if (whole) {
      await ensureAggregates();
      const replaced = await persist.replaceTable(MESSAGE_AGGREGATES_SEGMENT, aggregatesToIpc(state.messageAggregates));
      if (!replaced.ok) throw new Error(replaced.problem.message);
    } else if (aggregatesToSave !== 'all' && aggregatesToSave.size > 0) {
      const changed: Record<string, MessageAggregate> = {};
      for (const id of aggregatesToSave) if (state.messageAggregates[id]) changed[id] = state.messageAggregates[id];
      for (const segment of aggregatesToIpc(changed)) {
        const appended = await persist.appendSegment(MESSAGE_AGGREGATES_SEGMENT, segment.bytes, segment.rows);
        if (!appended.ok) throw new Error(appended.problem.message);
      }
    }
    aggregatesToSave = new Set();
  };

  const schedulePersist = () => {
    dirty = true;
    if (!persist || persistTimer) return;
    persistTimer = setTimeout(() => {
      persistTimer = undefined;
      void persistNow(false);
    }, PERSIST_DELAY_MS);
  };

  /** Clears the state dir for a cold index that writes its body chunks as they arrive; none when it cannot. */
  const startSpill = async (): Promise<BodySpill | undefined> => {
    if (!persist) return undefined;
    const cleared = await persist.clear();
    savedAs = new WeakMap();
    if (cleared.ok) return createBodySpill(persist, SPILLED_TABLES, (name, bytes) => segmentInput(name, bytes));
    logger.warn(`state not saved (it is rebuilt on the next start): ${cleared.problem.message}`);
    stateDamaged = true;
    return undefined;
  };

  const coldStart = async (): Promise<void> => {
    sources.collectEarly();
    const spill = await startSpill();
    state = await backfill({
      dataDir: options.dataDir,
      env: options.env,
      pool,
      logger,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(spill ? { bodies: spill } : {}),
    });
    options.onProgress?.({ phase: 'derive', done: 0, total: 1 });
    const spilled = await spill?.finish();
    if (spilled?.problem) logger.warn(`state: ${spilled.problem}; the rest of the index is held in memory and written at the end`);
    // Written chunks are read back from their files when something needs them (the derive's tool calls, a snapshot).
    for (const [name, segments] of spilled?.saved ?? []) for (const segment of segments) store.append(name, savedChunkOf(segment));
    for (const [name, chunks] of spilled?.unsaved ?? []) for (const chunk of chunks) store.append(name, chunk);
    for (const [name, table] of state.tables) if (name !== 'messages') for (const chunk of table.chunks) store.append(name, chunk);
    // Tables written whole as they arrived are not written again at the end.
    const whole = new Map<TableName, number>();
    for (const [name, segments] of spilled?.saved ?? []) if (!spilled!.unsaved.has(name) && !state.tables.has(name)) whole.set(name, segments.length);
    const messages = state.tables.get('messages')?.chunks ?? [];
    for (const f of readMessageFacts(messages)) facts.set(f.id, f);
    const { forkCopyIds } = (await rederive()).derived;
    for (const chunk of flagForkCopies(messages, forkCopyIds)) store.append('messages', chunk);
    state.tables.clear(); // the store holds the chunks now
    bodyTally = tallyBodyTables({ parts: store.eachChunk('parts'), toolCalls: store.eachChunk('tool_calls') }, forkCopyIds);
    for (const [id, db] of state.sessionSources) sessionDb.set(id, db);
    metaSignatures = { ...state.metaSignatures };
    smallTables = { ...state.smallTables };
    metaRecords = { ...state.metaRecords };
    aggregatesToSave = 'all';
    await persistNow(true, spill ? whole : undefined);
  };

  const warmStart = async (): Promise<string | undefined> => {
    if (!persist) return 'no state directory';
    const loaded = await persist.load({ deferTables: [MESSAGE_AGGREGATES_SEGMENT, INGEST_EXTRAS_SEGMENT], lazyTables: [...BODY_TABLES, ...LAZY_DERIVED_TABLES, ...LAZY_SMALL_TABLES] });
    if (!loaded.ok) return `${loaded.problem.code}: ${loaded.problem.message}`;
    if (!loaded.value.state) return loaded.value.discardedVersions.length ? `schema changed (was v${loaded.value.discardedVersions.join(', v')})` : 'no saved state';
    const { tables, lazy, watermarks, manifest, verifyLater } = loaded.value.state;
    checkSavedBodies(verifyLater);
    const saved = watermarks as PersistedExtras;
    replacedSegments = { ...(saved.replacedSegments ?? {}) };
    for (const [name, chunks] of tables) {
      if (!TABLES.some((t) => t.name === name)) continue;
      // A table's leading segments written whole hold no superseded rows: appended as they are. Replaying the
      // segments appended after them in order re-applies every upsert, so superseded rows stay superseded.
      const whole = replacedSegments[name] ?? 0;
      const segments = manifest.tables[name]?.segments ?? [];
      chunks.forEach((bytes, i) => {
        if (segments[i]) savedAs.set(bytes, segments[i]);
        if (i < whole) store.append(name as TableName, bytes, segments[i] && knownChunk(segments[i]));
        else store.upsert(name as TableName, bytes);
      });
    }
    // Body tables and the big recomputed ones stay in their segment files, read when something needs their rows
    // (the upserts replayed here read the few they supersede, found by rowid range).
    for (const [name, segments] of lazy) {
      if (!TABLES.some((t) => t.name === name)) continue;
      const whole = replacedSegments[name] ?? 0;
      segments.forEach((s, i) => {
        if (i < whole) return store.append(name as TableName, savedChunkOf(s.segment, s.read));
        const bytes = s.read();
        savedAs.set(bytes, s.segment);
        store.upsert(name as TableName, bytes);
      });
    }
    // States saved before the aggregates had their own segment carry them in the manifest.
    if (saved.messageAggregates) {
      Object.assign(state.messageAggregates, saved.messageAggregates);
      aggregatesToSave = 'all';
    } else aggregatesLoaded = !Object.hasOwn(manifest.tables, MESSAGE_AGGREGATES_SEGMENT);
    bodyTally = saved.bodyTally;
    // The saved security tables were computed from the saved tool calls: with the same rules and placement, the
    // first derive reuses them (recomputing them reads and scores every tool call: seconds at 1M parts).
    const events = lazy.get('security_events');
    const findings = lazy.get('security_findings');
    if (saved.security?.rules === rulesSignature && events?.length === 1 && findings?.length === 1) {
      Object.assign(securityCache, { key: `${toolCallsGeneration}|${saved.security.placement}`, events: events[0]!.read, findings: findings[0]!.read });
    }
    const savedChunks = (name: TableName) => () => tables.get(name) ?? lazy.get(name)?.map((s) => s.read()) ?? [];
    restoreState(state, { sessions: savedChunks('sessions'), projects: savedChunks('projects'), todos: savedChunks('todos') }, saved);
    digest = saved.smallTablesDigest ? { ...saved.smallTablesDigest, sessionsAt: store.changes('sessions'), todosAt: store.changes('todos') } : undefined;
    if (saved.sessionDb) {
      // Saved before the bookkeeping had its own segment: it came with the manifest; the next save moves it.
      for (const [id, db] of Object.entries(saved.sessionDb)) sessionDb.set(id, db);
      extrasChanged = true;
    } else extrasLoaded = !Object.hasOwn(manifest.tables, INGEST_EXTRAS_SEGMENT);
    for (const id of saved.deletedSessionIds) deleted.add(id);
    // Message facts are read from the store on the first rederive, if one is ever needed.
    factsLoaded = false;
    metaSignatures = { ...(saved.metaSignatures ?? {}) };
    smallTables = { ...(saved.smallTables ?? {}) };
    metaRecords = { ...(saved.metaRecords ?? {}) };
    for (const name of WHOLE_TABLES) if (tables.has(name) || lazy.has(name)) savedChanges.set(name, store.changes(name));
    persistedVersion = store.version;
    sources.warmStarted();
    return undefined;
  };

  /** A database's sessions, projects and todos, read whole. */
  const applyMeta = (source: string, meta: NonNullable<TaskResult['meta']>) => {
    smallTablesGeneration++;
    // Sessions of this database that are gone were deleted in OpenCode: keep them, marked.
    const present = new Set(meta.sessions.map((s) => s.id));
    for (const [id, db] of sessionDb) if (db === source && !present.has(id)) deleted.add(id);
    for (const s of meta.sessions) {
      state.sessions.set(s.id, s);
      sessionDb.set(s.id, source);
      deleted.delete(s.id);
    }
    for (const p of meta.projects) state.projects.set(p.id, p);
    for (const [id, t] of state.todos) if (t.source === 'sqlite' && sessionDb.get(t.session_id) === source) state.todos.delete(id);
    for (const t of meta.todos) state.todos.set(t.id, t);
  };

  /**
   * The body segments of a warm start were loaded with their length and framing checked; their checksums are
   * checked here, behind the engine's work. A mismatch means the saved index is damaged: it is dropped, so the
   * next start rebuilds it, and nothing more is saved from this run's (possibly damaged) tables.
   */
  let stateDamaged = false;
  let bodyCheck: LaterCheck | undefined;
  const checkSavedBodies = (verify: () => LaterCheck) => {
    bodyCheck = verify();
    void bodyCheck.done.then(async (checked) => {
      if (checked.ok) return;
      stateDamaged = true;
      logger.warn(`the saved index is damaged (${checked.problem.message}: ${checked.problem.source ?? ''}); it is rebuilt on the next start`);
      // Not `clear`: the store still reads body rows from the segment files.
      await serially(async () => persist?.invalidate());
    });
  };

  /** Applies one database's refresh; returns the body rows changed and whether its small tables changed. */
  const applyRefresh = (result: TaskResult): { changed: number; metaChanged: boolean } => {
    const meta = result.meta;
    const known = state.issuesOf(result.source);
    // A cause seen for the first time is logged once, as the backfill does; repeats only count.
    for (const [reason, { count, example }] of Object.entries(result.issues)) {
      if (!known[reason]) logger.warn(issueLine(reason, count, result.source, example));
    }
    mergeIssues(known, result.issues);
    let metaChanged = false;
    // Unchanged small tables were not read: the sessions, projects and todos held stand as they are.
    if (!result.metaUnchanged) {
      const signature = metaSignature(meta);
      metaChanged = metaSignatures[result.source] !== signature;
      metaSignatures[result.source] = signature;
      if (!meta) {
        delete smallTables[result.source];
        return { changed: 0, metaChanged };
      }
      applyMeta(result.source, meta);
      extrasChanged = true;
      const records = metaRecordCount(meta);
      // Unknown in a state saved before it was kept: then the records stay as saved (short by what was added since).
      const before = metaRecords[result.source];
      if (before !== undefined) state.source('sqlite', result.source).records += records - before;
      metaRecords[result.source] = records;
    }
    if (result.smallTables !== smallTables[result.source]) {
      if (result.smallTables !== undefined) smallTables[result.source] = result.smallTables;
      else delete smallTables[result.source];
      // Saved with the state, so the next start's first refresh need not read the small tables either.
      dirty = true;
    }
    let changed = 0;
    /** Rows the database gained (read minus superseded), for its `sources` row. */
    const added = { messages: 0, parts: 0 };
    for (const name of BODY_TABLES) {
      const bytes = result.ipc[name];
      if (!bytes) continue;
      const superseded = store.upsert(name, bytes);
      if (name === 'messages' || name === 'parts') added[name] += (result.rows[name] ?? 0) - superseded;
      if (name === 'tool_calls') toolCallsGeneration++;
      staged.push({ table: name, bytes, rows: result.rows[name] ?? 0 });
      changed += result.rows[name] ?? 0;
    }
    if (changed > 0) bodyTally = undefined;
    if (added.messages !== 0 || added.parts !== 0 || meta) sources.countInto(result.source, added, meta?.sessions.length);
    // The summary's records read from this database, as a cold index of it now would count its messages and parts.
    state.source('sqlite', result.source).records += added.messages + added.parts;
    if (result.ipc.messages) {
      for (const f of readMessageFacts([result.ipc.messages])) {
        const before = facts.get(f.id);
        if (factsLoaded) facts.set(f.id, f);
        if (changedMessages !== 'all') changedMessages.add(f.id);
        if (changedSessions !== 'all') {
          changedSessions.add(f.sessionId);
          if (before) changedSessions.add(before.sessionId);
        }
      }
    }
    const recount = result.recounted;
    if (recount && recount.sessionIds.length > 0) {
      extrasChanged = true;
      const sessions = new Set(recount.sessionIds);
      if (changedSessions !== 'all') for (const id of sessions) changedSessions.add(id);
      for (const id of recount.sessionIds) delete state.sessionAggregates[id];
      Object.assign(state.sessionAggregates, recount.sessionAggregates);
      Object.assign(state.messageAggregates, recount.messageAggregates);
      if (aggregatesToSave !== 'all') for (const id of Object.keys(recount.messageAggregates)) aggregatesToSave.add(id);
      const kept = state.delegations.filter((d) => !sessions.has(d.parent_session_id));
      state.delegations.length = 0;
      state.delegations.push(...kept, ...recount.delegations);
    }
    // A refresh that failed part way read rows in rowid order, not time order: moving a watermark would skip the rest.
    if (readFailed(result)) return { changed, metaChanged: true };
    const marks = (state.watermarks[result.source] ??= {});
    if (result.eventRowid !== undefined && marks.event !== result.eventRowid) {
      marks.event = result.eventRowid;
      // Saved even when no row changed: an event log cut back (rows deleted) would otherwise send every later
      // start's first refresh to the slow scan by time again.
      dirty = true;
    }
    // Each table keeps its own watermark: a message stamped before the newest part must still be found.
    for (const table of ['message', 'part'] as const) {
      const newest = result.maxTimeUpdatedByTable?.[table] ?? 0;
      if (newest > 0) marks[table] = Math.max(marks[table] ?? 0, newest);
    }
    return { changed, metaChanged };
  };

  const refreshOnce = async (fullScan: boolean, derive: 'now' | 'soon'): Promise<RefreshReport> => {
    const started = performance.now();
    // A database that appeared since the last look (a new channel, or one missing at the first index) joins here;
    // with no watermarks yet, its first refresh reads it whole.
    for (const location of await discoverSources(options.dataDir, options.env)) {
      if (location.kind === 'sqlite') state.source('sqlite', location.path);
    }
    const dbs = state.sources.filter((s) => s.kind === 'sqlite').map((s) => s.path);
    const childRoots = childRootsNow();
    let changed = 0;
    let metaChanged = false;
    const results = await Promise.all(
      dbs.map((dbPath) => {
        const marks = state.watermarks[dbPath] ?? {};
        return pool.run({
          kind: 'sqlite-refresh',
          dbPath,
          afterEventRowid: marks.event ?? -1,
          sinceUpdated: { message: marks.message ?? 0, part: marks.part ?? 0 },
          fullScan,
          childRoots,
          ...(smallTables[dbPath] !== undefined ? { smallTables: smallTables[dbPath] } : {}),
        });
      }),
    );
    // Applying a change touches the bookkeeping a warm start left on disk: read it first.
    const touchesBookkeeping = (r: TaskResult) => !r.metaUnchanged || (r.recounted?.sessionIds.length ?? 0) > 0 || Object.values(r.ipc).some((bytes) => bytes !== undefined);
    if (results.some(touchesBookkeeping)) await ensureExtras();
    for (const result of results) {
      const applied = applyRefresh(result);
      changed += applied.changed;
      metaChanged ||= applied.metaChanged;
    }
    if (changed > 0) emit(BODY_TABLES);
    // The saved counts are as of the last save: rows deleted since (or while the last run closed) show only in a
    // recount, and a client compares them with what it sees arriving.
    await sources.afterRefresh();
    // Derived tables depend only on bodies and the small tables: when neither moved, the saved ones stand.
    if (changed > 0 || metaChanged) derivePending = true;
    if (fullScan) await sources.rebuild(true);
    if (derivePending && derive === 'now') await rederive();
    else if (derivePending) scheduleRederive();
    if (changed > 0 || fullScan) schedulePersist();
    return { changedRows: changed, elapsedMs: performance.now() - started };
  };

  /**
   * Live refreshes upsert the body tables at once and leave the derived tables (a pass over every message, seconds
   * on a large history) to this: one rederive shortly after a burst of changes, on the same serial chain.
   */
  let rederiveTimer: NodeJS.Timeout | undefined;
  const scheduleRederive = () => {
    if (rederiveTimer) return;
    rederiveTimer = setTimeout(() => {
      rederiveTimer = undefined;
      void serially(async () => {
        if (!derivePending) return;
        await rederive({ security: 'later' });
      }).catch((error: Error) => logger.warn(`derive: ${error.message}`));
    }, REDERIVE_DELAY_MS);
  };

  return {
    store,
    async start() {
      const started = performance.now();
      const reason = await warmStart();
      if (reason === undefined) {
        // The derived tables were saved with the bodies: they are current until a refresh finds a change.
        emit([...WHOLE_TABLES, ...BODY_TABLES]);
        return { mode: 'warm', elapsedMs: performance.now() - started };
      }
      if (persist && reason !== 'no saved state') logger.info(`rebuilding the index: ${reason}`);
      await coldStart();
      emit([...WHOLE_TABLES, ...BODY_TABLES]);
      return { mode: 'cold', elapsedMs: performance.now() - started, rebuildReason: reason };
    },
    refresh(opts = {}) {
      // One refresh at a time; a change during a refresh is picked up by the next one.
      return serially(() => refreshOnce(opts.fullScan ?? false, opts.derive ?? 'now'));
    },
    summary(elapsedMs) {
      if (!bodyTally) {
        const copies = lastDerived?.forkCopyIds ?? forkCopiesFromMessages(store.snapshot('messages'));
        bodyTally = tallyBodyTables({ parts: store.eachChunk('parts'), toolCalls: store.eachChunk('tool_calls') }, copies);
        // Saved with the state on close, so the next start need not count again.
        if (persist) dirty = true;
      }
      return summarize(state, sessionSums(), bodyTally, todoStatuses(), elapsedMs);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async flush() {
      clearTimeout(persistTimer);
      persistTimer = undefined;
      if (dirty || staged.length > 0) await persistNow(false);
      else await serially(async () => undefined);
    },
    async close() {
      bodyCheck?.stop();
      clearTimeout(rederiveTimer);
      rederiveTimer = undefined;
      await serially(async () => {
        // Derived tables are saved with the rest: bring them up to date first.
        if (derivePending) await rederive();
      });
      await security.idle();
      await this.flush();
    },
  };
}
