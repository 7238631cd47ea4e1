/**
 * The engine's REST API (issue 6): the original monitor's routes and envelope, served from the engine's tables,
 * plus the rate-limited reply routes. Mount `handleApiRequest` after the access checks; see docs/api.md.
 */
export { closeRestContext, handleApiRequest, ROUTES } from './handler.js';
export type { PermissionReplyKind, RestActions, RestContext, RestEngineInfo } from './context.js';
export { MAX_BODY_BYTES } from './body.js';
