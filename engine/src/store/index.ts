export { createTableStore, rowidRangeOf, type KnownChunk, type SavedChunk, type StoreChange, type TableStore } from './tableStore.js';
export { sameBytes } from './tableDiff.js';
