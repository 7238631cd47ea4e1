/** Live state of running OpenCode instances: the versioned state type, its diffs and notifications. */
export {
  LIVE_STATE_VERSION,
  NO_TODOS,
  childSessions,
  emptyLiveState,
  type LiveAskUser,
  type LiveConnection,
  type LiveInstance,
  type LivePermission,
  type LiveQuestion,
  type LiveQuestionItem,
  type LiveRisk,
  type LiveRiskLevel,
  type LiveSession,
  type LiveSessionStatus,
  type LiveState,
  type LiveTodos,
  type LiveTool,
} from './liveState.js';
export { applyLiveDiff, livePath, type LiveDiff, type LivePath } from './liveDiff.js';
export type { LiveNotification, LiveNotificationType } from './liveNotification.js';
