export { DIR_MODE, ensurePrivateDir, FILE_MODE, writeFileAtomic } from './atomicWrite.js';
export { compactIfNeeded, type CompactionOutcome, type CompactionPolicy } from './compaction.js';
export { MANIFEST_FORMAT_VERSION, needsCompaction, parseManifest, type Manifest, type SegmentInfo, type TableInfo } from './manifest.js';
export { mergeIpcStreams } from './merge.js';
export type { LaterCheck, SavedSegment } from './segmentIo.js';
export {
  createStateStore,
  type LoadOptions,
  type LoadOutcome,
  type LoadedState,
  type SegmentInput,
  type StateStore,
  type StateStoreOptions,
  type TableSnapshot,
} from './stateStore.js';
