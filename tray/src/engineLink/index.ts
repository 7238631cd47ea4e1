export { connectEngineLink, type EngineLink, type EngineLinkOptions } from './engineLink.js';
export { replyPermission, type PermissionReplyKind } from './replies.js';
