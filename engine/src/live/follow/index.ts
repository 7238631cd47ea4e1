/** Following live OpenCode instances over HTTP/SSE, answering their requests, and the audit log of answers. */
export { followInstance, reconnectDelay, type FollowOptions, type InstanceFollower } from './follower.js';
export { fetchSeed, type FetchSeedOptions } from './fetchSeed.js';
export { replyPermission, replyQuestion, rejectQuestion } from './actions.js';
export type { ActionOptions, PermissionReply, PermissionReplyKind, QuestionReply, QuestionReject } from './actions.js';
export { createJsonlActionLog, type ActionLog, type ActionLogEntry, type ActionKind } from './actionLog.js';
export { requestJson, instanceUrl, type FollowTarget, type RequestOptions } from './instanceHttp.js';
export { createSseParser, type SseParser } from './sseParser.js';
export { liveProblem, type LiveProblemCode } from './liveProblem.js';
