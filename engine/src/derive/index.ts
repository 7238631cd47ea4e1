export { bucketOf, DERIVE_BUCKETS, mergeDailyStats, splitByBucket, type BucketPlan, type SplitShortcuts } from './buckets.js';
export { delegationRows, deriveTables, findForkCopies, localDay, type DeriveInput, type DeriveOutput, type MessageAggregateInput, type SessionAggregateInput } from './derive.js';
export { ForkCopyIndex, type ForkCopyUpdate } from './forkCopies.js';
export { MessageIndex, type MessageChange } from './messageIndex.js';
export { readMessageFacts, type MessageFacts } from './messageColumns.js';
export { buildSessionTree, childRootMap, type TreePosition } from './tree.js';
