/**
 * Validation of what clients send. Clients are untrusted: every field is checked and anything else is a
 * `protocol.bad-message` problem, never an exception.
 */
import { ok, type Result } from '../errors/index.js';
import { isContentKind } from './content.js';
import { badMessage, isSeq, parseObject } from './codec.js';
import type { ClientMessage } from './messages.js';

/** Client messages are small; a longer one is refused before it is parsed. */
export const MAX_CLIENT_MESSAGE_CHARS = 64 * 1024;
const MAX_ID_CHARS = 256;

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS;

export function decodeClientMessage(text: string): Result<ClientMessage> {
  if (text.length > MAX_CLIENT_MESSAGE_CHARS) return badMessage(`message of ${text.length} characters is too long`);
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  switch (m.type) {
    case 'ping':
      if (!isId(m.requestId)) return badMessage(`ping needs a requestId string of 1 to ${MAX_ID_CHARS} characters`);
      return ok({ type: 'ping', requestId: m.requestId });
    case 'resume':
      if (!isId(m.epoch) || !isSeq(m.lastSeq)) return badMessage('resume needs an "epoch" string and a non-negative integer "lastSeq"');
      return ok({ type: 'resume', epoch: m.epoch, lastSeq: m.lastSeq });
    case 'request':
      if (!isId(m.requestId)) return badMessage(`request needs a requestId string of 1 to ${MAX_ID_CHARS} characters`);
      if (!isContentKind(m.kind)) return badMessage(`request kind "${String(m.kind)}" is not part-text, tool-output or transcript`);
      if (!isId(m.id)) return badMessage(`request needs an "id" string of 1 to ${MAX_ID_CHARS} characters`);
      return ok({ type: 'request', requestId: m.requestId, kind: m.kind, id: m.id });
    default:
      return badMessage(`unknown client message type "${String(m.type)}"`);
  }
}
