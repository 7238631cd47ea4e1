/**
 * Live state inferred from OpenCode's database, for processes that open no port (plain TUIs, `opencode run`):
 * busy/idle/stale sessions, running tools and todos, a follower that re-infers on every database change, and a
 * process-liveness predicate built from discovery's process list.
 */
export { inferLiveFromDb } from './inferLive.js';
export { followDatabase, type DatabaseFollower, type FollowDatabaseOptions } from './follower.js';
export { processAliveForDirectory, type ProcessWithCwd } from './liveness.js';
export { diffInferred, toLiveSession, EMPTY_INFERRED } from './inferredDiff.js';
export { openReadOnlyDb, INFER_BUSY_TIMEOUT_MS } from './readOnlyDb.js';
export {
  DEFAULT_MAX_INFERRED_SESSIONS,
  DEFAULT_SINCE_WINDOW_MS,
  DEFAULT_STALE_AFTER_MS,
  DEFAULT_START_GRACE_MS,
  type BusyEvidence,
  type InferOptions,
  type InferredActivity,
  type InferredDiff,
  type InferredLive,
  type InferredSession,
  type InferredTool,
  type StaleReason,
} from './inferredTypes.js';
