/**
 * Pure encode/decode for the wire protocol. Decoding never throws: malformed input comes back as a
 * `protocol.bad-message` problem so either side can drop it and keep going.
 *
 * Binary frame layout: [u32 little-endian header length][header: UTF-8 JSON ArrowFrameHeader][Arrow IPC stream].
 */
import { fail, ok, type Result } from '../errors/index.js';
import { isTableName } from '../schema/index.js';
import type { ArrowFrameHeader, ClientMessage, KeyTuple, ServerMessage } from './messages.js';

/**
 * Engine frames may carry a delete list in the header; the bound only keeps a corrupt length prefix from
 * making the reader allocate wildly.
 */
const MAX_FRAME_HEADER_BYTES = 8 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}

export function badMessage<T>(message: string): Result<T> {
  return fail({ code: 'protocol.bad-message', message });
}

export function parseObject(text: string): Result<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return badMessage(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return badMessage('not a JSON object');
  if (typeof (value as { type?: unknown }).type !== 'string') return badMessage('missing string field "type"');
  return ok(value as Record<string, unknown>);
}

export const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

const SERVER_TYPES: ReadonlySet<ServerMessage['type']> = new Set<ServerMessage['type']>([
  'hello', 'live-state', 'snapshot-done', 'resumed', 'table-delete', 'live-diff', 'notification', 'problem', 'error', 'pong', 'response',
]);
/** Messages that carry a `seq` and must carry a valid one: the client's gap check relies on it. */
const SEQ_TYPES: ReadonlySet<string> = new Set(['hello', 'live-state', 'snapshot-done', 'resumed', 'table-delete', 'live-diff', 'notification']);

/** Decodes a text frame sent by the engine. Checks the tag and the seq; other fields are trusted to the protocol version. */
export function decodeServerMessage(text: string): Result<ServerMessage> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const type = parsed.value.type as ServerMessage['type'];
  if (!SERVER_TYPES.has(type)) return badMessage(`unknown server message type "${type}"`);
  if (SEQ_TYPES.has(type) && !isSeq(parsed.value.seq)) return badMessage(`"${type}" needs a non-negative integer "seq"`);
  if (type === 'table-delete' && (!isTableName(parsed.value.table) || !isKeyList(parsed.value.keys))) {
    return badMessage('"table-delete" needs a known "table" and a "keys" list of key tuples');
  }
  return ok(parsed.value as unknown as ServerMessage);
}

function isKeyList(value: unknown): value is KeyTuple[] {
  return Array.isArray(value) && value.every((key) => Array.isArray(key) && key.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)));
}

export function encodeArrowFrame(header: ArrowFrameHeader, ipc: Uint8Array): Uint8Array {
  const head = encodeArrowFrameHead(header);
  const frame = new Uint8Array(head.length + ipc.length);
  frame.set(head, 0);
  frame.set(ipc, head.length);
  return frame;
}

/** A frame's bytes before its Arrow IPC: length prefix and header (so a writer can send the IPC without a copy). */
export function encodeArrowFrameHead(header: ArrowFrameHeader): Uint8Array {
  const headerBytes = encoder.encode(JSON.stringify(header));
  const head = new Uint8Array(4 + headerBytes.length);
  new DataView(head.buffer).setUint32(0, headerBytes.length, true);
  head.set(headerBytes, 4);
  return head;
}

export interface DecodedArrowFrame<H extends ArrowFrameHeader = ArrowFrameHeader> {
  readonly header: H;
  /** A view into the frame; copy it if the frame's buffer will be reused. */
  readonly ipc: Uint8Array;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function checkHeader(h: Record<string, unknown>): Result<ArrowFrameHeader> {
  const { type, table, rows } = h;
  if (!isTableName(table)) return badMessage(`binary frame for unknown table "${String(table)}"`);
  if (!isCount(rows)) return badMessage('binary frame header needs a non-negative integer "rows"');
  switch (type) {
    case 'arrow-chunk':
      if (!isCount(h.chunk)) return badMessage('"arrow-chunk" needs a non-negative integer "chunk"');
      if (typeof h.end !== 'boolean') return badMessage('"arrow-chunk" needs a boolean "end"');
      if (!isCount(h.streamBytes)) return badMessage('"arrow-chunk" needs a non-negative integer "streamBytes"');
      return ok({ type, table, rows, chunk: h.chunk, end: h.end, streamBytes: h.streamBytes });
    case 'table-upsert':
      if (!isSeq(h.seq)) return badMessage('"table-upsert" needs a non-negative integer "seq"');
      if (!isKeyList(h.deletes)) return badMessage('"table-upsert" needs a "deletes" list of key tuples');
      return ok({ type, table, rows, seq: h.seq, deletes: h.deletes });
    case 'table-replace':
      if (!isSeq(h.seq)) return badMessage('"table-replace" needs a non-negative integer "seq"');
      return ok({ type, table, rows, seq: h.seq });
    default:
      return badMessage(`binary frame header has type "${String(type)}"`);
  }
}

export function decodeArrowFrame(frame: Uint8Array): Result<DecodedArrowFrame> {
  if (frame.length < 4) return badMessage(`binary frame of ${frame.length} bytes is shorter than its length prefix`);
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (headerLength > MAX_FRAME_HEADER_BYTES || 4 + headerLength > frame.length) {
    return badMessage(`binary frame header length ${headerLength} does not fit in a ${frame.length}-byte frame`);
  }
  let headerText: string;
  try {
    headerText = decoder.decode(frame.subarray(4, 4 + headerLength));
  } catch {
    return badMessage('binary frame header is not valid UTF-8');
  }
  const parsed = parseObject(headerText);
  if (!parsed.ok) return parsed;
  const header = checkHeader(parsed.value);
  if (!header.ok) return header;
  return ok({ header: header.value, ipc: frame.subarray(4 + headerLength) });
}

/** Names of protocol 1, kept so older callers (benchmarks, tests) read snapshot frames unchanged. */
export const encodeArrowChunk = encodeArrowFrame;
export const decodeArrowChunk = decodeArrowFrame;
export type DecodedArrowChunk = DecodedArrowFrame;
