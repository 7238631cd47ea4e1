/**
 * The engine's side of the plugin bridge wire: validates what the OpenCode plugin POSTs to `/bridge/events`
 * and checks its bearer token. Pure apart from a constant-time compare; the HTTP route that calls it lives in
 * serve/. Bodies come from any local process, so every field is checked and every list is capped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';

export const BRIDGE_WIRE_VERSION = 1;
/** The route the plugin posts to. */
export const BRIDGE_EVENTS_PATH = '/bridge/events';
/** A route should refuse larger bodies before parsing them (the plugin sends ≤ 200 trimmed events). */
export const MAX_BRIDGE_BODY_BYTES = 4 * 1024 * 1024;
/** Events accepted from one body; the rest are counted as `overCap` and dropped. */
export const MAX_BRIDGE_EVENTS = 1000;
const MAX_DIRECTORY_LENGTH = 4096;
const MAX_TYPE_LENGTH = 100;

/** The bus events the plugin forwards: exactly those the live-state reducer reads (plus `session.error`). */
export const BRIDGE_EVENT_TYPES = [
  'session.status',
  'session.idle',
  'session.created',
  'session.updated',
  'session.deleted',
  'session.error',
  'message.updated',
  'message.part.updated',
  'permission.asked',
  'permission.updated',
  'permission.replied',
  'question.asked',
  'question.replied',
  'question.rejected',
  'todo.updated',
] as const;

export type BridgeEventType = (typeof BRIDGE_EVENT_TYPES)[number];

const KNOWN_TYPES: ReadonlySet<string> = new Set(BRIDGE_EVENT_TYPES);

/**
 * One forwarded bus event, in the shape of OpenCode's SSE `/event` payload (`{type, properties}`), with the
 * instance's project directory attached as the `/global/event` envelope would: it can be passed as is to the
 * live-state reducer's `applyEvent`.
 */
export interface BridgeEvent {
  readonly type: BridgeEventType;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly directory: string;
}

/** Events of one body that were not accepted, by reason. */
export interface BridgeRejections {
  readonly unknownType: number;
  readonly malformed: number;
  readonly overCap: number;
}

/** One validated POST from the plugin running inside OpenCode process `pid`, working in `directory`. */
export interface BridgeBatch {
  readonly v: typeof BRIDGE_WIRE_VERSION;
  readonly pid: number;
  readonly directory: string;
  readonly events: readonly BridgeEvent[];
  /** Events the plugin itself dropped (queue overflow, rejected sends) since its last delivered batch. */
  readonly droppedByPlugin: number;
  readonly rejected: BridgeRejections;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function badMessage(message: string): Result<never> {
  return fail({ code: 'protocol.bad-message', message: `${message}; batch dropped`, source: BRIDGE_EVENTS_PATH });
}

/** Validates a plugin POST body (already JSON-parsed, or the raw JSON text). */
export function parseBridgePayload(body: unknown): Result<BridgeBatch> {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return badMessage('bridge body is not JSON');
    }
  }
  if (!isRecord(body)) return badMessage('bridge body is not an object');
  if (typeof body.v !== 'number') return badMessage('bridge body has no version `v`');
  if (body.v !== BRIDGE_WIRE_VERSION) {
    return fail({
      code: 'protocol.version-mismatch',
      message: `bridge plugin speaks version ${body.v}, the engine ${BRIDGE_WIRE_VERSION}; reinstall it with \`opencode-monitor plugin install\``,
      source: BRIDGE_EVENTS_PATH,
    });
  }
  const { pid, directory, dropped, events } = body;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return badMessage('bridge body has no valid `pid`');
  if (typeof directory !== 'string' || directory.length === 0 || directory.length > MAX_DIRECTORY_LENGTH) {
    return badMessage('bridge body has no valid `directory`');
  }
  if (!Array.isArray(events)) return badMessage('bridge body has no `events` list');
  const droppedByPlugin = typeof dropped === 'number' && Number.isSafeInteger(dropped) && dropped > 0 ? dropped : 0;

  const accepted: BridgeEvent[] = [];
  let unknownType = 0;
  let malformed = 0;
  const considered = events.length > MAX_BRIDGE_EVENTS ? events.slice(0, MAX_BRIDGE_EVENTS) : events;
  for (const raw of considered) {
    if (!isRecord(raw) || typeof raw.type !== 'string' || raw.type.length > MAX_TYPE_LENGTH || !isRecord(raw.properties)) {
      malformed++;
      continue;
    }
    if (!KNOWN_TYPES.has(raw.type)) {
      unknownType++;
      continue;
    }
    accepted.push({ type: raw.type as BridgeEventType, properties: raw.properties, directory });
  }
  return ok({
    v: BRIDGE_WIRE_VERSION,
    pid,
    directory,
    events: accepted,
    droppedByPlugin,
    rejected: { unknownType, malformed, overCap: events.length - considered.length },
  });
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * True when an `Authorization` header carries `Bearer <token>`. Compares digests in constant time so the
 * answer's timing says nothing about how much of the token matched.
 */
export function isBridgeAuthorized(authorization: string | undefined, token: string): boolean {
  if (token.length === 0 || authorization === undefined) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}
