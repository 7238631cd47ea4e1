/**
 * Pure encode/decode for the wire protocol. Decoding never throws: malformed input comes back as a
 * `protocol.bad-message` problem so servers can drop it and keep going.
 *
 * Binary frame layout: [u32 little-endian header length][header: UTF-8 JSON ArrowChunkHeader][Arrow IPC stream].
 */
import { fail, ok, type Result } from '../errors/index.js';
import { isTableName } from '../schema/index.js';
import type { ArrowChunkHeader, ClientMessage, ServerMessage } from './messages.js';

const MAX_HEADER_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}

function badMessage<T>(message: string): Result<T> {
  return fail({ code: 'protocol.bad-message', message });
}

function parseObject(text: string): Result<Record<string, unknown>> {
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

const SERVER_TYPES: ReadonlySet<string> = new Set(['hello', 'snapshot-done', 'problem', 'error', 'pong']);

/** Decodes a text frame sent by the engine. Checks the tag; fields are trusted to the protocol version. */
export function decodeServerMessage(text: string): Result<ServerMessage> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const type = parsed.value.type as string;
  if (!SERVER_TYPES.has(type)) return badMessage(`unknown server message type "${type}"`);
  return ok(parsed.value as unknown as ServerMessage);
}

/** Decodes a text frame sent by a client. Clients are untrusted: every field is checked. */
export function decodeClientMessage(text: string): Result<ClientMessage> {
  if (text.length > MAX_HEADER_BYTES) return badMessage(`message of ${text.length} characters is too long`);
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const { type, requestId } = parsed.value;
  if (type === 'ping') {
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 128) {
      return badMessage('ping needs a requestId string of 1 to 128 characters');
    }
    return ok({ type: 'ping', requestId });
  }
  return badMessage(`unknown client message type "${String(type)}"`);
}

export function encodeArrowChunk(header: ArrowChunkHeader, ipc: Uint8Array): Uint8Array {
  const headerBytes = encoder.encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + headerBytes.length + ipc.length);
  new DataView(frame.buffer).setUint32(0, headerBytes.length, true);
  frame.set(headerBytes, 4);
  frame.set(ipc, 4 + headerBytes.length);
  return frame;
}

export interface DecodedArrowChunk {
  readonly header: ArrowChunkHeader;
  /** A view into the frame; copy it if the frame's buffer will be reused. */
  readonly ipc: Uint8Array;
}

export function decodeArrowChunk(frame: Uint8Array): Result<DecodedArrowChunk> {
  if (frame.length < 4) return badMessage(`binary frame of ${frame.length} bytes is shorter than its length prefix`);
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (headerLength > MAX_HEADER_BYTES || 4 + headerLength > frame.length) {
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
  const { type, table, chunk, rows } = parsed.value;
  if (type !== 'arrow-chunk') return badMessage(`binary frame header has type "${String(type)}"`);
  if (!isTableName(table)) return badMessage(`binary frame for unknown table "${String(table)}"`);
  if (!Number.isSafeInteger(chunk) || (chunk as number) < 0 || !Number.isSafeInteger(rows) || (rows as number) < 0) {
    return badMessage('binary frame header needs non-negative integer "chunk" and "rows"');
  }
  return ok({
    header: { type, table, chunk: chunk as number, rows: rows as number },
    ipc: frame.subarray(4 + headerLength),
  });
}
