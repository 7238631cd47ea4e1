export { backfill, type BackfillOptions, type Progress } from './backfill.js';
export { deriveAll, flagForkCopies, type Derived } from './finalize.js';
export { createIndexer, indexDirFor, type Indexer, type IndexerOptions, type RefreshReport, type StartReport } from './indexer.js';
export { IngestState, type SourceRecord, type TableChunks } from './ingestState.js';
export { planJsonGroups, planSqliteRanges, ROWS_PER_TASK } from './plan.js';
export { rowsOf } from './restore.js';
export { summarize, type IndexSummary } from './summary.js';
export { watchStorage, type StorageWatcher, type WatchOptions } from './watcher.js';
