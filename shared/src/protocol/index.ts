export { PROTOCOL_VERSION } from './version.js';
export type {
  ArrowChunkHeader,
  ArrowFrameHeader,
  ClientMessage,
  ErrorMessage,
  HelloMessage,
  KeyTuple,
  KeyValue,
  LiveDiffMessage,
  LiveStateMessage,
  NotificationMessage,
  PingMessage,
  PongMessage,
  ProblemMessage,
  RequestMessage,
  ResponseMessage,
  ResumedMessage,
  ResumeMessage,
  SeqHeader,
  SeqMessage,
  ServerMessage,
  ServerMessageType,
  SnapshotDoneMessage,
  TableDeleteMessage,
  TableReplaceHeader,
  TableUpsertHeader,
} from './messages.js';
export {
  CONTENT_KINDS,
  isContentKind,
  type ContentData,
  type ContentKind,
  type PartTextContent,
  type ToolOutputContent,
  type TranscriptContent,
  type TranscriptEntry,
} from './content.js';
export {
  decodeArrowChunk,
  decodeArrowFrame,
  decodeServerMessage,
  encodeArrowChunk,
  encodeArrowFrame,
  encodeArrowFrameHead,
  encodeMessage,
  type DecodedArrowChunk,
  type DecodedArrowFrame,
} from './codec.js';
export { decodeClientMessage, MAX_CLIENT_MESSAGE_CHARS } from './clientMessages.js';
export { nextSeqCheck, type SeqCheck } from './seqCheck.js';
export {
  createSnapshotBodyReader,
  MAX_SNAPSHOT_RECORD_BYTES,
  SNAPSHOT_BODY_CONTENT_TYPE,
  snapshotRecordHead,
  type SnapshotBodyReader,
} from './snapshotBody.js';
