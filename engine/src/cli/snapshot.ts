/** What the server streams: every table of the indexer's store, as it is at connection time. */
import { TABLES } from '../../../shared/src/index.js';
import { ENGINE_VERSION } from '../config/index.js';
import type { EngineSnapshot } from '../serve/index.js';
import type { TableStore } from '../store/index.js';

export function storeSnapshot(store: TableStore, dataDir: string, demo: boolean): EngineSnapshot {
  return {
    engineVersion: ENGINE_VERSION,
    demo,
    dataDir,
    tables: TABLES.map((spec) => ({ name: spec.name, rows: store.rowCount(spec.name), chunks: store.snapshot(spec.name) })),
    tag: storeTag(store),
  };
}

/**
 * The store's content within this run: how many times any table's rows changed (`TableStore.changes`), except
 * `sources`, which describes the files (size, mtime) and changes whenever they are read; a kept DuckDB file's copy
 * of it is replaced when the file is taken over (startCommand).
 */
export function storeTag(store: TableStore): string {
  return String(TABLES.reduce((sum, spec) => sum + (spec.name === 'sources' ? 0 : store.changes(spec.name)), 0));
}
