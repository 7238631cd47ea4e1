/**
 * The engine's current tables, held as Arrow IPC chunks. Backfill appends chunks; a live refresh upserts:
 * rows that come from the same stored record (same SQLite rowid and key) are marked dead in older chunks, and
 * the new rows appended. Snapshots leave dead rows out; `compact` folds small chunks together.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { tableSpec, type KeyTuple, type TableName } from '../../../shared/src/index.js';
import { buildIpc, concatIpc } from '../arrow/index.js';
import { buildRowIndex, lowerBound, type RowidRange, type RowIndex } from './rowIndex.js';
import { diffRows, plainKeyValue, sameBytes, sideOf } from './tableDiff.js';

interface Chunk {
  /** The chunk's IPC bytes, when held; else `load` reads them from a saved segment each time they are needed. */
  readonly bytes?: Uint8Array;
  readonly load?: () => Uint8Array;
  /** The saved segment the chunk was appended as, to hand back while its rows are all live (`persistable`). */
  readonly saved?: SavedChunk;
  readonly rows: number;
  /** Whether the table's rows carry a source_rowid (record-keyed tables). */
  readonly keyed: boolean;
  /** source_rowid range: known from the saved segment, else found with the index. */
  range?: RowidRange;
  index?: RowIndex;
  dead: Uint8Array | null;
  deadCount: number;
  table?: Table;
  /** Snapshot bytes with dead rows removed, rebuilt after a change. */
  served?: Uint8Array;
  /**
   * The bytes last read from the saved segment, while anything still holds them: several clients loading at
   * once share one read instead of each holding its own copy of the table.
   */
  lastRead?: WeakRef<Uint8Array>;
}

/** The column that names the stored record a row came from, checked before a row is superseded. */
const RECORD_KEY: Partial<Record<TableName, string>> = {
  messages: 'id',
  parts: 'id',
  tool_calls: 'id',
  step_events: 'id',
  skills: 'id',
  file_operations: 'part_id',
};

/** A chunk below this many rows came from a live refresh rather than a backfill range. */
const SMALL_CHUNK_ROWS = 1_000;

/** What a saved segment already says about its chunk, so appending it decodes nothing. */
export interface KnownChunk {
  readonly rows: number;
  readonly rowidRange?: readonly [number, number];
}

/** A chunk kept in a saved segment rather than in memory: read (and decoded) only when something needs it. */
export interface SavedChunk extends KnownChunk {
  readonly load: () => Uint8Array;
}

function makeChunk(ipc: Uint8Array | SavedChunk, keyed: boolean, known?: KnownChunk): Chunk {
  const source = ipc instanceof Uint8Array ? { bytes: ipc } : { load: ipc.load, saved: ipc };
  const info = ipc instanceof Uint8Array ? known : ipc;
  if (info) {
    const range = info.rowidRange ? { min: info.rowidRange[0], max: info.rowidRange[1] } : undefined;
    return { ...source, rows: info.rows, keyed, ...(range ? { range } : {}), dead: null, deadCount: 0 };
  }
  const table = tableFromIPC(ipc as Uint8Array);
  return { ...source, rows: table.numRows, keyed, dead: null, deadCount: 0, table };
}

function ipcOf(chunk: Chunk): Uint8Array {
  if (chunk.bytes) return chunk.bytes;
  const held = chunk.lastRead?.deref();
  if (held) return held;
  const read = chunk.load!();
  chunk.lastRead = new WeakRef(read);
  return read;
}

const decoded = (chunk: Chunk): Table => (chunk.table ??= tableFromIPC(ipcOf(chunk)));

function indexOf(chunk: Chunk): RowIndex {
  if (!chunk.index) {
    const held = chunk.table !== undefined;
    const built = buildRowIndex(decoded(chunk));
    chunk.index = built.index;
    chunk.range ??= built.range;
    // A chunk kept on disk goes back there: its rowids are what an upsert looks at, its rows rarely.
    if (!held && chunk.load) chunk.table = undefined;
  }
  return chunk.index;
}

function rangeOf(chunk: Chunk): RowidRange {
  if (!chunk.range) indexOf(chunk);
  return chunk.range!;
}

/** The source_rowid range of IPC bytes, or of their decoded table (for saving it beside a segment); undefined for a table without one. */
export function rowidRangeOf(name: TableName, ipc: Uint8Array | Table): [number, number] | undefined {
  if (RECORD_KEY[name] === undefined) return undefined;
  const { range } = buildRowIndex(ipc instanceof Uint8Array ? tableFromIPC(ipc) : ipc);
  return Number.isFinite(range.min) ? [range.min, range.max] : undefined;
}

/**
 * What one call changed, told synchronously to subscribers (the WebSocket stream turns these into seq'd deltas):
 * the bytes added, and for an upsert the primary keys of the rows it superseded (a recomputed table lists
 * only the keys that vanished: its fresh rows carry their own keys). A recompute that only dropped rows is a
 * `delete`; `replace` is left for a table's first content and for rows whose keys are not unique.
 */
export type StoreChange =
  | { readonly kind: 'replace'; readonly table: TableName; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'append'; readonly table: TableName; readonly ipc: Uint8Array; readonly rows: number }
  | { readonly kind: 'upsert'; readonly table: TableName; readonly ipc: Uint8Array; readonly rows: number; readonly superseded: readonly KeyTuple[] }
  | { readonly kind: 'delete'; readonly table: TableName; readonly keys: readonly KeyTuple[] };

export interface TableStore {
  /**
   * Replaces a whole table (derived tables are recomputed whole, or by bucket). Subscribers are told only the
   * rows that changed or vanished; chunks equal to ones held already are kept as they are.
   */
  replace(name: TableName, ipc: readonly Uint8Array[]): void;
  /**
   * Adds rows that supersede nothing: a backfill chunk, or a saved segment (`known`, or a `SavedChunk` whose
   * bytes stay on disk until read), which is then not decoded now.
   */
  append(name: TableName, ipc: Uint8Array | SavedChunk, known?: KnownChunk): void;
  /**
   * After a table was saved as `saved` (one segment per chunk of `snapshot(name)`, in order), reads its rows
   * from there from now on instead of holding them. False, and nothing changed, when they do not line up.
   */
  backBySaved(name: TableName, saved: readonly SavedChunk[]): boolean;
  /** Adds rows, marking rows of the same stored records dead. Returns how many rows it superseded. */
  upsert(name: TableName, ipc: Uint8Array): number;
  /** Live rows of a table, as IPC chunks (at least one, so an empty table still has its schema). */
  snapshot(name: TableName): Uint8Array[];
  /**
   * The live rows of a table as `snapshot` gives them, except that a saved chunk whose rows are all live is
   * handed back as the `SavedChunk` it was appended as, unread: a save can keep its segment instead of writing
   * the same rows again.
   */
  persistable(name: TableName): (Uint8Array | SavedChunk)[];
  /**
   * The live rows of a table chunk by chunk, each read from its saved segment only when reached: a pass over a big
   * table need not hold all of it at once. No chunk at all for an empty table.
   */
  eachChunk(name: TableName): Generator<Uint8Array, void, undefined>;
  /** The live rows of the newest chunk holding any (where a refresh's upsert lands), without reading the others. */
  newestChunk(name: TableName): Uint8Array | undefined;
  rowCount(name: TableName): number;
  /** Folds a table's small chunks (live refreshes) and chunks with dead rows into one, when there are many of them. */
  compact(name: TableName, maxSmallChunks?: number): boolean;
  readonly version: number;
  /**
   * How many times a table's rows changed: a `replace` with the rows it already held (a recompute that came out
   * the same) does not count, so a caller can tell whether a saved copy is still current without reading it.
   */
  changes(name: TableName): number;
  tables(): TableName[];
  /** Calls `listener` after every replace, append and upsert (not compactions: they change no row). */
  subscribe(listener: (change: StoreChange) => void): () => void;
}

/** New chunks paired with equal held ones (kept, decoded state and all); the rest are what a diff looks at. */
function pairChunks(held: readonly Chunk[], fresh: readonly Uint8Array[]): { kept: (Chunk | undefined)[]; gone: Chunk[] } {
  const byLength = new Map<number, Chunk[]>();
  for (const chunk of held) {
    if (chunk.deadCount > 0) continue;
    const same = byLength.get(ipcOf(chunk).byteLength);
    if (same) same.push(chunk);
    else byLength.set(ipcOf(chunk).byteLength, [chunk]);
  }
  const used = new Set<Chunk>();
  const kept = fresh.map((bytes) => {
    const candidates = byLength.get(bytes.byteLength) ?? [];
    const match = candidates.find((c) => c.bytes === bytes && !used.has(c)) ?? candidates.find((c) => !used.has(c) && sameBytes(ipcOf(c), bytes));
    if (match) used.add(match);
    return match;
  });
  return { kept, gone: held.filter((c) => !used.has(c)) };
}

export function createTableStore(): TableStore {
  const chunks = new Map<TableName, Chunk[]>();
  let version = 0;
  const changeCounts = new Map<TableName, number>();
  const changed = (name: TableName) => {
    version++;
    changeCounts.set(name, (changeCounts.get(name) ?? 0) + 1);
  };
  const list = (name: TableName): Chunk[] => {
    let l = chunks.get(name);
    if (!l) chunks.set(name, (l = []));
    return l;
  };
  const hasRowids = (name: TableName) => RECORD_KEY[name] !== undefined;
  const listeners = new Set<(change: StoreChange) => void>();
  const tell = (change: StoreChange) => {
    for (const listener of listeners) listener(change);
  };

  /** @param superseded receives the primary key of each row marked dead, when someone listens. */
  const killMatches = (name: TableName, fresh: Chunk, superseded?: KeyTuple[]): number => {
    const keyColumn = RECORD_KEY[name];
    if (!keyColumn || !fresh.keyed) return 0;
    const freshRowids = indexOf(fresh).rowids;
    const freshKeys = decoded(fresh).getChild(keyColumn)!;
    let killed = 0;
    const older = list(name);
    for (let i = 0; i < fresh.rows; i++) {
      const rowid = freshRowids[i]!;
      if (rowid < 0) continue;
      const key = freshKeys.get(i) as string;
      for (const chunk of older) {
        if (!chunk.keyed) continue;
        // The range alone (saved with the segment) rules out most chunks without decoding them.
        const range = rangeOf(chunk);
        if (rowid < range.min || rowid > range.max) continue;
        const { rowids, sorted } = indexOf(chunk);
        const keys = decoded(chunk).getChild(keyColumn)!;
        const start = sorted ? lowerBound(rowids, rowid) : 0;
        for (let j = start; j < chunk.rows; j++) {
          if (rowids[j] !== rowid) {
            if (sorted) break;
            continue;
          }
          if (chunk.dead?.[j] || keys.get(j) !== key) continue;
          chunk.dead ??= new Uint8Array(chunk.rows);
          chunk.dead[j] = 1;
          chunk.deadCount++;
          chunk.served = undefined;
          killed++;
          if (superseded) {
            const table = decoded(chunk);
            superseded.push(tableSpec(name).primaryKey.map((column) => plainKeyValue(table.getChild(column)?.get(j))));
          }
        }
      }
    }
    return killed;
  };

  const served = (name: TableName, chunk: Chunk): Uint8Array => {
    if (chunk.deadCount === 0) return ipcOf(chunk);
    if (chunk.served) return chunk.served;
    const table = decoded(chunk);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < chunk.rows; i++) if (!chunk.dead![i]) rows.push(table.get(i)!.toJSON() as Record<string, unknown>);
    chunk.served = buildIpc(tableSpec(name), rows as never);
    return chunk.served;
  };

  return {
    replace(name, ipc) {
      const held = chunks.get(name);
      const { kept, gone } = pairChunks(held ?? [], ipc);
      // An equal held chunk keeps its place, but on the caller's bytes: the caller (the derive's bucket cache)
      // holds those anyway, and keeping both would hold a derived table twice.
      const next = ipc.map((bytes, i) => {
        const same = kept[i];
        if (!same) return makeChunk(bytes, hasRowids(name));
        return same.bytes === bytes ? same : { ...same, bytes, table: undefined, served: undefined };
      });
      chunks.set(name, next);
      const added = next.filter((_c, i) => kept[i] === undefined);
      if (!held || added.length > 0 || gone.length > 0) changed(name);
      else version++;
      if (listeners.size === 0) return;
      if (!held) return tell({ kind: 'replace', table: name, chunks: [...ipc] });
      if (added.length === 0 && gone.length === 0) return;
      const spec = tableSpec(name);
      const diff = diffRows(
        spec,
        gone.map((c) => sideOf(decoded(c), c.dead)),
        added.map((c) => sideOf(decoded(c))),
      );
      if (!diff) return tell({ kind: 'replace', table: name, chunks: [...ipc] });
      if (diff.changed.length > 0) {
        tell({ kind: 'upsert', table: name, ipc: buildIpc(spec, diff.changed as never), rows: diff.changed.length, superseded: diff.vanished });
      } else if (diff.vanished.length > 0) tell({ kind: 'delete', table: name, keys: diff.vanished });
    },
    append(name, ipc, known) {
      const fresh = makeChunk(ipc, hasRowids(name), known);
      list(name).push(fresh);
      changed(name);
      if (listeners.size > 0) tell({ kind: 'append', table: name, ipc: ipcOf(fresh), rows: fresh.rows });
    },
    backBySaved(name, saved) {
      const live = list(name).filter((c) => c.rows - c.deadCount > 0);
      if (live.length !== saved.length || live.some((c, i) => c.rows - c.deadCount !== saved[i]!.rows)) return false;
      // The saved segments hold exactly the live rows: chunks with dead rows become whole chunks of those.
      chunks.set(name, saved.map((segment) => makeChunk(segment, hasRowids(name))));
      return true;
    },
    upsert(name, ipc) {
      const fresh = makeChunk(ipc, hasRowids(name));
      const superseded: KeyTuple[] | undefined = listeners.size > 0 ? [] : undefined;
      const killed = killMatches(name, fresh, superseded);
      list(name).push(fresh);
      changed(name);
      if (superseded) tell({ kind: 'upsert', table: name, ipc, rows: fresh.rows, superseded });
      return killed;
    },
    snapshot(name) {
      const live = list(name).filter((c) => c.rows - c.deadCount > 0).map((c) => served(name, c));
      return live.length > 0 ? live : [buildIpc(tableSpec(name), [])];
    },
    persistable(name) {
      const live = list(name).filter((c) => c.rows - c.deadCount > 0);
      if (live.length === 0) return [buildIpc(tableSpec(name), [])];
      return live.map((c) => (c.saved && c.deadCount === 0 ? c.saved : served(name, c)));
    },
    *eachChunk(name) {
      for (const chunk of [...list(name)]) if (chunk.rows - chunk.deadCount > 0) yield served(name, chunk);
    },
    newestChunk(name) {
      const l = list(name);
      for (let i = l.length - 1; i >= 0; i--) if (l[i]!.rows - l[i]!.deadCount > 0) return served(name, l[i]!);
      return undefined;
    },
    rowCount(name) {
      return list(name).reduce((sum, c) => sum + c.rows - c.deadCount, 0);
    },
    compact(name, maxSmallChunks = 64) {
      const l = list(name);
      const dead = l.reduce((sum, c) => sum + c.deadCount, 0);
      const total = l.reduce((sum, c) => sum + c.rows, 0);
      // Backfill chunks (thousands of rows each) are left alone; live refreshes add many small ones, and
      // upserts leave dead rows: those are what compaction folds away.
      const small = l.filter((c) => c.rows < SMALL_CHUNK_ROWS);
      const dirty = l.filter((c) => c.deadCount > 0);
      if (small.length <= maxSmallChunks && dead <= total / 4) return false;
      const fold = new Set([...small, ...dirty]);
      const kept = l.filter((c) => !fold.has(c));
      const live = [...fold].filter((c) => c.rows - c.deadCount > 0).map((c) => served(name, c));
      chunks.set(name, live.length > 0 ? [...kept, makeChunk(concatIpc(live), hasRowids(name))] : kept);
      version++;
      return true;
    },
    get version() {
      return version;
    },
    changes: (name) => changeCounts.get(name) ?? 0,
    tables: () => [...chunks.keys()],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
