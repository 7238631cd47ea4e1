/**
 * Bumped on any incompatible change to the messages in `messages.ts` or the frame layout in `codec.ts`.
 * 2: seq'd deltas (table-upsert/-replace/-delete, live-diff, notification), resume, request/response.
 */
export const PROTOCOL_VERSION = 2;
