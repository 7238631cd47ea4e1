export { bucketOf, DERIVE_BUCKETS, mergeDailyStats, splitByBucket, type BucketPlan } from './buckets.js';
export { delegationRows, deriveTables, findForkCopies, localDay, type DeriveInput, type DeriveOutput, type MessageAggregateInput, type SessionAggregateInput } from './derive.js';
export { readMessageFacts, type MessageFacts } from './messageColumns.js';
export { buildSessionTree, childRootMap, type TreePosition } from './tree.js';
