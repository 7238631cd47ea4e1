/**
 * The engine's persisted tables: Arrow IPC segment files plus one manifest per schema version.
 *
 * Invariants (see README.md beside this file):
 * - a segment is written whole (temp + fsync + rename) before any manifest names it;
 * - the manifest is the commit point, replaced atomically and fsynced with its directory;
 * - a file is deleted only after a committed manifest no longer names it; anything unnamed is garbage from a
 *   crash and is removed on the next load;
 * - calls run one at a time (a promise queue), so a background compaction never interleaves with a commit.
 *
 * Expected I/O trouble is a `Result` problem; misuse (bad table name, calling before `load`) throws.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type Result } from '../../../shared/src/index.js';
import { ensurePrivateDir, fsyncDir, writeFileAtomic } from './atomicWrite.js';
import { discardOlderVersions, maxSeq, removeFiles, removeGarbage } from './cleanup.js';
import { MANIFEST_FILE, SEGMENTS_DIR, isTableName, segmentFileName, versionDir } from './layout.js';
import { emptyManifest, parseManifest, tableInfo, type Manifest, type SegmentInfo, type TableInfo } from './manifest.js';
import { errno, ioProblem, readSegment, savedSegment, statSegment, verifyLater, type LaterCheck, type SavedSegment, type UncheckedSegment } from './segmentIo.js';

export interface StateStoreOptions {
  /** Recorded in the manifest for diagnosis. */
  readonly engineVersion?: string;
  /** Check each segment's SHA-256 on load (default true); the byte length is always checked. */
  readonly verifyChecksums?: boolean;
  readonly now?: () => Date;
}

/** One segment to write: Arrow IPC bytes and how many rows they hold. */
export interface SegmentInput {
  readonly bytes: Uint8Array;
  readonly rows: number;
  /** Recorded in the manifest for the reader (`SegmentInfo.rowidRange`). */
  readonly rowidRange?: readonly [number, number];
}

/** What `load` reads now; tables left out are read later, if ever, with `readTable`. */
export interface LoadOptions {
  /** Tables not to read on load (big, and needed only sometimes); they stay committed as they are. */
  readonly deferTables?: readonly string[];
  /**
   * Tables not read on load but handed out as `SavedSegment`s, read when the engine needs their rows: their
   * files' lengths are checked now, their SHA-256 by `LoadedState.verifyLater` (hundreds of MB of body segments:
   * reading and hashing them was most of a warm start).
   */
  readonly lazyTables?: readonly string[];
}

export interface LoadedState {
  /** Every committed table not deferred or lazy, its segments' bytes in row order (possibly none). */
  readonly tables: Map<string, Uint8Array[]>;
  /** The `lazyTables`' committed segments, in row order, to read when needed. */
  readonly lazy: Map<string, SavedSegment[]>;
  readonly watermarks: unknown;
  readonly manifest: Manifest;
  /** Checks the checksums of the lazy tables' segments in the background; a problem names the first bad one. */
  verifyLater(): LaterCheck;
}

export interface LoadOutcome {
  /** null: no state for this schema version (first run or schema change); the caller rebuilds. */
  readonly state: LoadedState | null;
  /** Older schema versions whose state directories were deleted by this load. */
  readonly discardedVersions: readonly number[];
  /** Unreferenced segment and temp files (left by a crash) removed by this load. */
  readonly garbageRemoved: number;
}

export interface TableSnapshot {
  readonly segments: readonly SegmentInfo[];
  readonly parts: Uint8Array[];
}

export interface StateStore {
  /** `<stateDir>/v<schemaVersion>`. */
  readonly dir: string;
  /** Opens the store: reads and verifies the committed state. On a problem, call `clear()` and rebuild. */
  load(options?: LoadOptions): Promise<Result<LoadOutcome>>;
  /** The last committed manifest; null before `load()`/`clear()`. */
  manifest(): Manifest | null;
  /** The committed segments of one table and their bytes, read and verified as on load. */
  readTable(table: string): Promise<Result<TableSnapshot>>;
  /** Writes a segment to add after the table's rows; it becomes visible with the next `commit`. */
  appendSegment(table: string, bytes: Uint8Array, rows: number, rowidRange?: readonly [number, number]): Promise<Result<SegmentInfo>>;
  /**
   * Appends several segments to a table at the next `commit`, written a few at a time. On a problem none of them
   * is staged (the files written are removed) and the table is as it was.
   */
  appendSegments(table: string, parts: readonly SegmentInput[]): Promise<Result<readonly SegmentInfo[]>>;
  /** A committed (or staged) segment as a `SavedSegment`, to read its rows later instead of holding them. */
  saved(segment: SegmentInfo): SavedSegment;
  /**
   * Writes segments that replace the whole table at the next `commit`; old files are deleted after it. A part
   * may be a segment the table has now (committed or staged), which is kept as it is instead of written again.
   */
  replaceTable(table: string, parts: readonly (SegmentInput | SegmentInfo)[]): Promise<Result<readonly SegmentInfo[]>>;
  /** Atomically commits every staged change together with the caller's watermarks (any JSON value). */
  commit(watermarks: unknown): Promise<Result<Manifest>>;
  /**
   * Replaces `replaces` (a contiguous run of the table's committed segment files, as read by `readTable`) with
   * one merged segment and commits that alone: staged changes and watermarks are untouched. If the table
   * changed meanwhile, a `source.vanished` problem says to try again later.
   */
  compact(table: string, replaces: readonly string[], merged: SegmentInput): Promise<Result<SegmentInfo>>;
  /**
   * Drops the committed state (its manifest) but leaves the segment files, which a reader may still be reading:
   * the next load finds no state and removes them as garbage.
   */
  invalidate(): Promise<Result<void>>;
  /** Deletes all state of this schema version (manifest first), for a forced rebuild; opens the store empty. */
  clear(): Promise<Result<void>>;
}

/** Segment files read at once on load. */
const READ_CONCURRENCY = 8;
/** Segment files written at once by `replaceTable`. */
const WRITE_CONCURRENCY = 8;

interface Staged {
  replace: boolean;
  segments: SegmentInfo[];
}

export function createStateStore(stateDir: string, schemaVersion: number, options: StateStoreOptions = {}): StateStore {
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 0) {
    throw new Error(`internal.bug: schema version must be a non-negative integer, got ${schemaVersion}`);
  }
  const dir = versionDir(stateDir, schemaVersion);
  const segmentsDir = path.join(dir, SEGMENTS_DIR);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const engineVersion = options.engineVersion ?? 'unknown';
  const verifyChecksums = options.verifyChecksums ?? true;
  const now = options.now ?? (() => new Date());

  let committed: Manifest | null = null;
  let staged = new Map<string, Staged>();
  /** Staged files superseded before any commit named them; deleted after the next successful commit. */
  let superseded: string[] = [];
  let nextSeq = 1;
  let queue: Promise<unknown> = Promise.resolve();

  function serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  function open(): Manifest {
    if (!committed) throw new Error('internal.bug: state store used before load() or clear()');
    return committed;
  }

  async function writeSegment(table: string, input: SegmentInput): Promise<Result<SegmentInfo>> {
    checkSegmentInput(table, input);
    const file = segmentFileName(table, nextSeq++);
    const target = path.join(segmentsDir, file);
    try {
      await ensurePrivateDir(dir);
      await ensurePrivateDir(segmentsDir);
      await writeFileAtomic(target, input.bytes);
    } catch (error) {
      return fail(ioProblem(error, 'write a segment', target));
    }
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    return ok({ file, rows: input.rows, bytes: input.bytes.byteLength, sha256, ...(input.rowidRange ? { rowidRange: input.rowidRange } : {}) });
  }

  /** A few at a time: each write waits on its own fsync, and a cold index writes hundreds of segments. */
  async function writeSegments(table: string, parts: readonly SegmentInput[]): Promise<Result<readonly SegmentInfo[]>> {
    const { values, problem } = await fewAtATime(parts, WRITE_CONCURRENCY, (part) => writeSegment(table, part));
    if (problem) {
      await removeFiles(segmentsDir, values.filter((s) => s !== undefined).map((s) => s.file)); // never named by any manifest
      return problem;
    }
    return ok(values as SegmentInfo[]);
  }

  /**
   * Reads a few segments at a time: a warm start reads hundreds of files, and one at a time it mostly waits on
   * the file system's round trips.
   */
  async function readSegments(segments: readonly SegmentInfo[]): Promise<Result<Uint8Array[]>> {
    const { values, problem } = await fewAtATime(segments, READ_CONCURRENCY, (segment) => readSegment(path.join(segmentsDir, segment.file), segment, verifyChecksums));
    return problem ?? ok(values as Uint8Array[]);
  }


  /** Writes the manifest as the commit point: segments' directory entries first, then manifest + its dir. */
  async function writeManifest(next: Manifest): Promise<Result<void>> {
    try {
      await ensurePrivateDir(dir);
      await ensurePrivateDir(segmentsDir);
      await fsyncDir(segmentsDir);
      await writeFileAtomic(manifestPath, JSON.stringify(next) + '\n');
      await fsyncDir(dir);
      return ok(undefined);
    } catch (error) {
      return fail(ioProblem(error, 'write the manifest', manifestPath));
    }
  }

  async function doLoad(options: LoadOptions): Promise<Result<LoadOutcome>> {
    const deferred = new Set(options.deferTables ?? []);
    committed = null;
    staged = new Map();
    superseded = [];
    const discardedVersions = await discardOlderVersions(stateDir, schemaVersion);
    let text: string;
    try {
      text = await fs.readFile(manifestPath, 'utf8');
    } catch (error) {
      if (errno(error) !== 'ENOENT') return fail(ioProblem(error, 'read the manifest', manifestPath));
      const garbage = await removeGarbage(dir, new Set());
      committed = emptyManifest(schemaVersion, engineVersion, now().toISOString());
      nextSeq = garbage.maxSeq + 1;
      return ok({ state: null, discardedVersions, garbageRemoved: garbage.removed });
    }
    const parsed = parseManifest(text, schemaVersion, manifestPath);
    if (!parsed.ok) return parsed;
    const manifest = parsed.value;
    const tables = new Map<string, Uint8Array[]>();
    const lazy = new Map<string, SavedSegment[]>();
    const lazyNames = new Set(options.lazyTables ?? []);
    for (const [table, info] of Object.entries(manifest.tables)) {
      if (deferred.has(table)) continue;
      if (lazyNames.has(table)) {
        const saved = info.segments.map((segment) => savedSegment(path.join(segmentsDir, segment.file), segment));
        const stats = await Promise.all(saved.map((s) => statSegment(s.file, s.segment)));
        const problem = stats.find((r) => !r.ok);
        if (problem && !problem.ok) return problem;
        lazy.set(table, saved);
        continue;
      }
      const parts = await readSegments(info.segments);
      if (!parts.ok) return parts;
      tables.set(table, parts.value);
    }
    const unchecked: UncheckedSegment[] = verifyChecksums ? [...lazy.values()].flat() : [];
    const referenced = new Set(Object.values(manifest.tables).flatMap((info) => info.segments.map((s) => s.file)));
    const garbage = await removeGarbage(dir, referenced);
    committed = manifest;
    nextSeq = Math.max(garbage.maxSeq, maxSeq(referenced)) + 1;
    const verify = () => verifyLater(unchecked);
    return ok({ state: { tables, lazy, watermarks: manifest.watermarks, manifest, verifyLater: verify }, discardedVersions, garbageRemoved: garbage.removed });
  }

  async function doCommit(watermarks: unknown): Promise<Result<Manifest>> {
    const base = open();
    const tables: Record<string, TableInfo> = { ...base.tables };
    const obsolete = [...superseded];
    for (const [table, change] of staged) {
      const before = tableInfo(base, table)?.segments ?? [];
      // A replacement may keep some of the segments it replaces.
      const kept = new Set(change.segments.map((s) => s.file));
      if (change.replace) obsolete.push(...before.map((s) => s.file).filter((file) => !kept.has(file)));
      tables[table] = { segments: change.replace ? [...change.segments] : [...before, ...change.segments] };
    }
    const next: Manifest = { ...base, engineVersion, writtenAt: now().toISOString(), tables, watermarks: checkedJson(watermarks) };
    const written = await writeManifest(next);
    if (!written.ok) return written; // staged changes stay staged: a later commit may succeed
    committed = next;
    staged = new Map();
    superseded = [];
    await removeFiles(segmentsDir, obsolete);
    return ok(next);
  }

  async function doCompact(table: string, replaces: readonly string[], merged: SegmentInput): Promise<Result<SegmentInfo>> {
    const base = open();
    if (replaces.length === 0) throw new Error('internal.bug: compact() needs at least one segment to replace');
    const before = tableInfo(base, table)?.segments ?? [];
    const start = before.findIndex((s) => s.file === replaces[0]);
    if (start < 0 || replaces.some((file, i) => before[start + i]?.file !== file)) {
      return fail({ code: 'source.vanished', message: `table ${table} changed since its segments were read; compaction skipped`, source: table });
    }
    const segment = await writeSegment(table, merged);
    if (!segment.ok) return segment;
    const segments = [...before.slice(0, start), segment.value, ...before.slice(start + replaces.length)];
    const next: Manifest = { ...base, engineVersion, writtenAt: now().toISOString(), tables: { ...base.tables, [table]: { segments } } };
    const written = await writeManifest(next);
    if (!written.ok) return written; // the merged file is unnamed garbage (or named by a manifest that still names `replaces`)
    committed = next;
    await removeFiles(segmentsDir, replaces);
    return ok(segment.value);
  }

  async function doInvalidate(): Promise<Result<void>> {
    try {
      await fs.rm(manifestPath, { force: true });
      await fsyncDir(dir).catch(() => undefined);
    } catch (error) {
      return fail(ioProblem(error, 'delete the manifest', manifestPath));
    }
    staged = new Map();
    superseded = [];
    committed = emptyManifest(schemaVersion, engineVersion, now().toISOString());
    return ok(undefined);
  }

  async function doClear(): Promise<Result<void>> {
    staged = new Map();
    superseded = [];
    try {
      // Manifest first: a crash mid-way leaves "no state", never a manifest naming deleted segments.
      await fs.rm(manifestPath, { force: true });
      await fsyncDir(dir).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    } catch (error) {
      committed = null;
      return fail(ioProblem(error, 'delete the state directory', dir));
    }
    committed = emptyManifest(schemaVersion, engineVersion, now().toISOString());
    nextSeq = 1;
    return ok(undefined);
  }

  return {
    dir,
    load: (options = {}) => serialised(() => doLoad(options)),
    manifest: () => committed,
    saved: (segment) => savedSegment(path.join(segmentsDir, segment.file), segment),
    readTable: (table) =>
      serialised(async () => {
        checkTableName(table);
        const segments = tableInfo(open(), table)?.segments ?? [];
        const parts = await readSegments(segments);
        return parts.ok ? ok({ segments, parts: parts.value }) : parts;
      }),
    appendSegment: (table, bytes, rows, rowidRange) =>
      serialised(async () => {
        open();
        const segment = await writeSegment(table, { bytes, rows, ...(rowidRange ? { rowidRange } : {}) });
        if (!segment.ok) return segment;
        const change = staged.get(table) ?? { replace: false, segments: [] };
        change.segments.push(segment.value);
        staged.set(table, change);
        return segment;
      }),
    appendSegments: (table, parts) =>
      serialised(async () => {
        open();
        checkTableName(table);
        const written = await writeSegments(table, parts);
        if (!written.ok) return written;
        const change = staged.get(table) ?? { replace: false, segments: [] };
        change.segments.push(...written.value);
        staged.set(table, change);
        return written;
      }),
    replaceTable: (table, parts) =>
      serialised(async () => {
        const base = open();
        checkTableName(table);
        const current = new Set([...(tableInfo(base, table)?.segments ?? []), ...(staged.get(table)?.segments ?? [])].map((s) => s.file));
        const kept = parts.filter((p): p is SegmentInfo => 'file' in p);
        for (const segment of kept) {
          if (!current.has(segment.file)) throw new Error(`internal.bug: segment ${segment.file} kept in ${table} is not one of its segments`);
        }
        const written = await writeSegments(table, parts.filter((p): p is SegmentInput => !('file' in p)));
        if (!written.ok) return written;
        let next = 0;
        const segments = parts.map((p) => ('file' in p ? p : written.value[next++]!));
        const keptFiles = new Set(kept.map((s) => s.file));
        superseded.push(...(staged.get(table)?.segments.map((s) => s.file).filter((file) => !keptFiles.has(file)) ?? []));
        staged.set(table, { replace: true, segments });
        return ok(segments);
      }),
    commit: (watermarks) => serialised(() => doCommit(watermarks)),
    compact: (table, replaces, merged) => serialised(() => doCompact(table, replaces, merged)),
    clear: () => serialised(doClear),
    invalidate: () => serialised(doInvalidate),
  };
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight, in item order, and starts no more after the first
 * problem; the values of the tasks that succeeded are kept (a caller may need to undo them).
 */
async function fewAtATime<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<Result<R>>): Promise<{ values: (R | undefined)[]; problem?: Result<never> }> {
  const values: (R | undefined)[] = new Array(items.length);
  let next = 0;
  let problem: Result<never> | undefined;
  const lane = async () => {
    while (problem === undefined && next < items.length) {
      const i = next++;
      const result = await task(items[i]!);
      if (result.ok) values[i] = result.value;
      else problem ??= result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return problem ? { values, problem } : { values };
}

function checkTableName(table: string): void {
  if (!isTableName(table)) throw new Error(`internal.bug: ${JSON.stringify(table)} is not a lower snake case table name`);
}

function checkSegmentInput(table: string, input: SegmentInput): void {
  checkTableName(table);
  if (!(input.bytes instanceof Uint8Array) || input.bytes.byteLength === 0) {
    throw new Error(`internal.bug: segment of ${table} must be non-empty IPC bytes`);
  }
  if (!Number.isSafeInteger(input.rows) || input.rows < 0) {
    throw new Error(`internal.bug: segment of ${table} has invalid row count ${input.rows}`);
  }
}

/**
 * Watermarks can be large (per-message aggregates on a big corpus), so they are neither deep-copied nor
 * pretty-printed: the manifest on disk is the copy that counts, written from the value as it is at commit time.
 */
function checkedJson(value: unknown): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') throw new Error('internal.bug: watermarks must be a JSON value');
  return value;
}
