/**
 * The reducer's output, and the small accumulator every event handler writes to. Handlers only describe
 * changes as diffs; `applyLiveDiff` then produces the next state, so the diffs sent to clients and the
 * engine's own state can never disagree.
 */
import { NO_TODOS, applyLiveDiff, livePath } from '../../../../shared/src/index.js';
import type { LiveDiff, LiveInstance, LiveNotification, LivePath, LiveSession, LiveState } from '../../../../shared/src/index.js';
import type { RecordOptions } from './records.js';

export interface ReducerOptions extends RecordOptions {
  /** The current time; the reducer never reads the clock itself. */
  readonly nowMs: number;
  /** Idle sessions beyond this many per instance are dropped, least recently changed first. @default 200 */
  readonly maxSessions?: number;
}

export interface LiveUpdate {
  readonly state: LiveState;
  readonly diffs: readonly LiveDiff[];
  readonly notifications: readonly LiveNotification[];
}

export const DEFAULT_MAX_SESSIONS = 200;

export class Changes {
  readonly diffs: LiveDiff[] = [];
  readonly notifications: LiveNotification[] = [];

  set(path: LivePath, value: unknown): void {
    this.diffs.push({ op: 'set', path, value });
  }

  delete(path: LivePath): void {
    this.diffs.push({ op: 'delete', path });
  }

  notify(n: LiveNotification): void {
    this.notifications.push(n);
  }
}

/**
 * The session `sessionId` of `inst`, created (title unknown until its `session.updated`) when an event names a
 * session the monitor has not seen, e.g. one started after the seed. Keeps the instance within `maxSessions`.
 */
export function ensureSession(inst: LiveInstance, sessionId: string, directory: string | undefined, changes: Changes, opts: ReducerOptions): LiveSession {
  const existing = inst.sessions[sessionId];
  if (existing) return existing;
  const created: LiveSession = { id: sessionId, title: '', directory: directory ?? '', status: { type: 'idle' }, tools: {}, todos: NO_TODOS, updatedMs: opts.nowMs };
  for (const id of sessionsToEvict(inst, opts.maxSessions ?? DEFAULT_MAX_SESSIONS)) changes.delete(livePath.session(inst.id, id));
  changes.set(livePath.session(inst.id, sessionId), created);
  return created;
}

/** Idle sessions with nothing pending, oldest first, so that one more session fits under `max`. */
function sessionsToEvict(inst: LiveInstance, max: number): string[] {
  const sessions = Object.values(inst.sessions);
  const excess = sessions.length + 1 - max;
  if (excess <= 0) return [];
  const pendingSessions = new Set([...Object.values(inst.permissions), ...Object.values(inst.questions)].map((r) => r.sessionId));
  return sessions
    .filter((s) => s.status.type === 'idle' && !pendingSessions.has(s.id) && s.askUser === undefined)
    .sort((a, b) => a.updatedMs - b.updatedMs)
    .slice(0, excess)
    .map((s) => s.id);
}

/** Sets `field` of a session only when its value changed (compared as JSON: values are plain data). */
export function setSessionField<K extends keyof LiveSession>(inst: LiveInstance, session: LiveSession, field: K, value: LiveSession[K], changes: Changes): void {
  if (JSON.stringify(session[field]) === JSON.stringify(value)) return;
  changes.set([...livePath.session(inst.id, session.id), field], value);
}

/** Applies the accumulated diffs; the state object is unchanged when nothing changed. */
export function commit(state: LiveState, changes: Changes): LiveUpdate {
  if (changes.diffs.length === 0) return { state, diffs: [], notifications: changes.notifications };
  return { state: applyLiveDiff(state, changes.diffs), diffs: changes.diffs, notifications: changes.notifications };
}
