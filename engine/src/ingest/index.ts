export { backfill, type BackfillOptions, type Progress } from './backfill.js';
export { finalizeTables, type FinalTables } from './finalize.js';
export { IngestState, type SourceRecord, type TableChunks } from './ingestState.js';
export { planJsonGroups, planSqliteRanges, ROWS_PER_TASK } from './plan.js';
export { summarize, type IndexSummary } from './summary.js';
