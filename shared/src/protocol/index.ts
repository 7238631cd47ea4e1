export { PROTOCOL_VERSION } from './version.js';
export type {
  ArrowChunkHeader,
  ClientMessage,
  ErrorMessage,
  HelloMessage,
  PingMessage,
  PongMessage,
  ProblemMessage,
  ServerMessage,
  ServerMessageType,
  SnapshotDoneMessage,
} from './messages.js';
export {
  decodeArrowChunk,
  decodeClientMessage,
  decodeServerMessage,
  encodeArrowChunk,
  encodeMessage,
  type DecodedArrowChunk,
} from './codec.js';
