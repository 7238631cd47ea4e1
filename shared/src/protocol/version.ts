/**
 * Bumped on any incompatible change to the messages in `messages.ts` or the frame layout in `codec.ts`.
 * 2: seq'd deltas (table-upsert/-replace/-delete, live-diff, notification), resume, request/response.
 * 3: the snapshot's tables travel as an HTTP body (`hello.snapshotPath`), each table one Arrow IPC stream cut
 *    into `arrow-chunk` pieces (`end` closes it), instead of one complete IPC stream per WebSocket frame.
 */
export const PROTOCOL_VERSION = 3;
