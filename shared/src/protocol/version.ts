/** Bumped on any incompatible change to the messages in `messages.ts` or the frame layout in `codec.ts`. */
export const PROTOCOL_VERSION = 1;
