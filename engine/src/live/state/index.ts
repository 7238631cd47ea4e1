/** The pure live-state reducer: OpenCode events and API seeds in; state, diffs and notifications out. */
export { applyEvent, addInstance, setConnection, removeInstance } from './reducer.js';
export { seedInstance, DEFAULT_RECENT_MS, type LiveSeed, type SeedRequest, type SeedOptions } from './seed.js';
export { markSlowTools, PERMISSION_THRESHOLD_MS } from './heuristics.js';
export { DEFAULT_MAX_SESSIONS, type LiveUpdate, type ReducerOptions } from './changes.js';
export type { PermissionToScore, RecordOptions } from './records.js';
export { unwrapEvent, type OpenCodeEvent } from './openCodeEvent.js';
export { chooseToolArgument } from './toolArgument.js';
export { isAskUserTool } from './toolEvents.js';
