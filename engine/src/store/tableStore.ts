/**
 * The engine's current tables, held as Arrow IPC chunks. Backfill appends chunks; a live refresh upserts:
 * rows that come from the same stored record (same SQLite rowid and key) are marked dead in older chunks, and
 * the new rows appended. Snapshots leave dead rows out; `compact` folds small chunks together.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { tableSpec, type KeyTuple, type KeyValue, type TableName } from '../../../shared/src/index.js';
import { buildIpc, concatIpc } from '../arrow/index.js';

interface Chunk {
  readonly ipc: Uint8Array;
  readonly rows: number;
  /** source_rowid per row, for tables that have it. */
  readonly rowids: Float64Array | null;
  readonly minRowid: number;
  readonly maxRowid: number;
  readonly sorted: boolean;
  dead: Uint8Array | null;
  deadCount: number;
  table?: Table;
  /** Snapshot bytes with dead rows removed, rebuilt after a change. */
  served?: Uint8Array;
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

function makeChunk(ipc: Uint8Array, withRowids: boolean): Chunk {
  const table = tableFromIPC(ipc);
  let rowids: Float64Array | null = null;
  let min = Infinity;
  let max = -Infinity;
  let sorted = true;
  if (withRowids) {
    const vector = table.getChild('source_rowid');
    rowids = new Float64Array(table.numRows);
    if (vector) {
      // One typed array per column chunk, not a per-row iterator: this runs for every chunk on a warm start.
      let i = 0;
      for (const data of vector.data) {
        const values = data.values as BigInt64Array;
        for (let k = 0; k < data.length; k++, i++) {
          const r = Number(values[k]!); // a sliced Data has its values buffer sliced already
          rowids[i] = r;
          if (i > 0 && r < rowids[i - 1]!) sorted = false;
          if (r < min) min = r;
          if (r > max) max = r;
        }
      }
    }
  }
  return { ipc, rows: table.numRows, rowids, minRowid: min, maxRowid: max, sorted, dead: null, deadCount: 0, table };
}

function lowerBound(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What one call changed, told synchronously to subscribers (the WebSocket stream turns these into seq'd deltas):
 * the bytes added, and for an upsert the primary keys of the rows it superseded.
 */
export type StoreChange =
  | { readonly kind: 'replace'; readonly table: TableName; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'append'; readonly table: TableName; readonly ipc: Uint8Array; readonly rows: number }
  | { readonly kind: 'upsert'; readonly table: TableName; readonly ipc: Uint8Array; readonly rows: number; readonly superseded: readonly KeyTuple[] };

export interface TableStore {
  /** Replaces a whole table (derived tables are recomputed whole). */
  replace(name: TableName, ipc: readonly Uint8Array[]): void;
  /** Adds rows that supersede nothing (backfill). */
  append(name: TableName, ipc: Uint8Array): void;
  /** Adds rows, marking rows of the same stored records dead. Returns how many rows it superseded. */
  upsert(name: TableName, ipc: Uint8Array): number;
  /** Live rows of a table, as IPC chunks (at least one, so an empty table still has its schema). */
  snapshot(name: TableName): Uint8Array[];
  rowCount(name: TableName): number;
  /** Folds a table's small chunks (live refreshes) and chunks with dead rows into one, when there are many of them. */
  compact(name: TableName, maxSmallChunks?: number): boolean;
  readonly version: number;
  tables(): TableName[];
  /** Calls `listener` after every replace, append and upsert (not compactions: they change no row). */
  subscribe(listener: (change: StoreChange) => void): () => void;
}

/** Arrow gives int64 as bigint; keys travel as JSON, and our ids and counts fit in 2^53. */
function keyValue(value: unknown): KeyValue {
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value as KeyValue;
}

export function createTableStore(): TableStore {
  const chunks = new Map<TableName, Chunk[]>();
  let version = 0;
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
    if (!keyColumn || !fresh.rowids) return 0;
    const freshKeys = fresh.table!.getChild(keyColumn)!;
    let killed = 0;
    const older = list(name);
    for (let i = 0; i < fresh.rows; i++) {
      const rowid = fresh.rowids[i]!;
      if (rowid < 0) continue;
      const key = freshKeys.get(i) as string;
      for (const chunk of older) {
        if (!chunk.rowids || rowid < chunk.minRowid || rowid > chunk.maxRowid) continue;
        const keys = (chunk.table ??= tableFromIPC(chunk.ipc)).getChild(keyColumn)!;
        const start = chunk.sorted ? lowerBound(chunk.rowids, rowid) : 0;
        for (let j = start; j < chunk.rows; j++) {
          if (chunk.rowids[j] !== rowid) {
            if (chunk.sorted) break;
            continue;
          }
          if (chunk.dead?.[j] || keys.get(j) !== key) continue;
          chunk.dead ??= new Uint8Array(chunk.rows);
          chunk.dead[j] = 1;
          chunk.deadCount++;
          chunk.served = undefined;
          killed++;
          if (superseded) {
            const table = chunk.table!;
            superseded.push(tableSpec(name).primaryKey.map((column) => keyValue(table.getChild(column)?.get(j))));
          }
        }
      }
    }
    return killed;
  };

  const served = (name: TableName, chunk: Chunk): Uint8Array => {
    if (chunk.deadCount === 0) return chunk.ipc;
    if (chunk.served) return chunk.served;
    const table = (chunk.table ??= tableFromIPC(chunk.ipc));
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < chunk.rows; i++) if (!chunk.dead![i]) rows.push(table.get(i)!.toJSON() as Record<string, unknown>);
    chunk.served = buildIpc(tableSpec(name), rows as never);
    return chunk.served;
  };

  return {
    replace(name, ipc) {
      chunks.set(name, ipc.map((bytes) => makeChunk(bytes, hasRowids(name))));
      version++;
      if (listeners.size > 0) tell({ kind: 'replace', table: name, chunks: [...ipc] });
    },
    append(name, ipc) {
      const fresh = makeChunk(ipc, hasRowids(name));
      list(name).push(fresh);
      version++;
      if (listeners.size > 0) tell({ kind: 'append', table: name, ipc, rows: fresh.rows });
    },
    upsert(name, ipc) {
      const fresh = makeChunk(ipc, hasRowids(name));
      const superseded: KeyTuple[] | undefined = listeners.size > 0 ? [] : undefined;
      const killed = killMatches(name, fresh, superseded);
      list(name).push(fresh);
      version++;
      if (superseded) tell({ kind: 'upsert', table: name, ipc, rows: fresh.rows, superseded });
      return killed;
    },
    snapshot(name) {
      const live = list(name).filter((c) => c.rows - c.deadCount > 0).map((c) => served(name, c));
      return live.length > 0 ? live : [buildIpc(tableSpec(name), [])];
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
    tables: () => [...chunks.keys()],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
