export { initialClientState, type ClientPhase, type EngineClientState, type TableProgress } from './clientState.js';
export { createEngineClient, type EngineClient, type EngineClientOptions } from './engineClient.js';
export { engineSocketUrl, httpSnapshotBody, openBrowserSocket, type EngineSocket, type OpenSocket, type SocketHandlers } from './engineConnection.js';
export { createStreamApplier, type ApplierEvents, type StreamApplier } from './streamApplier.js';
export { createLiveActions, readEnvelope, type FetchLike, type LiveActions, type PermissionReply } from './liveActions.js';
export { loadSnapshotBody, READ_AHEAD_BYTES, type FetchSnapshotBody, type SnapshotLoadProgress } from './snapshotLoader.js';
