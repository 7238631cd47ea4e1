export { mergeIssues, noteIssue, type IssueLog } from './issues.js';
export { createIngestPool, type IngestPool, type IngestPoolOptions } from './pool.js';
export type { ChildRoots, IngestTask, IssueCount, MessageAggregate, MetaResult, SessionAggregate, TaskResult } from './tasks.js';
