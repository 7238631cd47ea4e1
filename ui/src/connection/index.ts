export { initialClientState, type ClientPhase, type EngineClientState, type TableProgress } from './clientState.js';
export { createEngineClient, type EngineClient, type EngineClientOptions } from './engineClient.js';
export { engineSocketUrl, openBrowserSocket, type EngineSocket, type OpenSocket, type SocketHandlers } from './engineConnection.js';
export { createStreamApplier, type ApplierEvents, type StreamApplier } from './streamApplier.js';
export { createLiveActions, readEnvelope, type FetchLike, type LiveActions, type PermissionReply } from './liveActions.js';
