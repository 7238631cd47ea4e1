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
  };
}
