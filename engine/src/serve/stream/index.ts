export { createClientSession, type ClientSession, type ResumePoint, type SessionOptions, type SessionPhase, type SessionStats, type StreamSource } from './clientSession.js';
export { createContentResolver, type ContentResolver, type ContentResolverOptions } from './contentResolver.js';
export { createDeltaRing, DEFAULT_RING_BYTES, DEFAULT_RING_ENTRIES, type DeltaRing, type RingEntry, type RingLimits, type RingRead } from './deltaRing.js';
export { keysOf, storeChangeFrame } from './deltaFrames.js';
export { createPacedSender, DEFAULT_MAX_IN_FLIGHT_BYTES, type PacedSender, type SenderStats, type StreamSocket } from './pacedSender.js';
export { createStreamHub, streamLiveChanges, streamStoreChanges, type HubStats, type LiveChangeSource, type StreamHub, type StreamHubOptions, type StreamSnapshot } from './streamHub.js';
export type { EngineSnapshot, TableSnapshot } from './engineSnapshot.js';
export { createSnapshotTickets, snapshotBodyRecords, SNAPSHOT_BODY_PATH, type SnapshotTicket, type SnapshotTickets } from './snapshotBody.js';
