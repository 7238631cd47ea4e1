export { mergeIssues, noteIssue, type IssueLog } from './issues.js';
export { createIngestPool, type IngestPool, type IngestPoolOptions } from './pool.js';
export { childRootsJson, childRootsRef } from './tasks.js';
export type { ChildRoots, ChildRootsRef, IngestTask, IssueCount, MessageAggregate, MetaResult, SessionAggregate, TaskResult } from './tasks.js';
