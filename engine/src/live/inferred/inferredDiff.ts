/**
 * Comparing two inferences, and mapping an inferred session onto the shared live-state record so the engine
 * can place it under the instance of the process that owns it.
 */
import type { LiveSession, LiveTool } from '../../../../shared/src/index.js';
import type { InferredDiff, InferredLive, InferredSession } from './inferredTypes.js';

export const EMPTY_INFERRED: InferredLive = { sessions: {} };

/** Sessions added or changed (whole records) and ids that went away; empty arrays when nothing changed. */
export function diffInferred(previous: InferredLive, next: InferredLive): InferredDiff {
  const changed: InferredSession[] = [];
  for (const [id, session] of Object.entries(next.sessions)) {
    const before = previous.sessions[id];
    if (before === undefined || !sameRecord(before, session)) changed.push(session);
  }
  const removed = Object.keys(previous.sessions).filter((id) => !(id in next.sessions));
  return { changed, removed };
}

export function isEmptyDiff(diff: InferredDiff): boolean {
  return diff.changed.length === 0 && diff.removed.length === 0;
}

/** Records are plain JSON built by one constructor, so their key order is fixed and serialisation compares them. */
function sameRecord(a: InferredSession, b: InferredSession): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The shared `LiveSession` view: busy stays busy; idle and stale are both idle (a stale turn is not running,
 * whatever its rows say). The DB has no retry status, so a retrying turn shows as busy.
 */
export function toLiveSession(session: InferredSession): LiveSession {
  const tools: Record<string, LiveTool> = {};
  for (const t of session.tools) {
    tools[t.callId] = { callId: t.callId, messageId: t.messageId, tool: t.tool, status: t.status, argument: t.argument, startedMs: t.startedMs };
  }
  return {
    id: session.id,
    title: session.title,
    ...(session.parentId !== undefined ? { parentId: session.parentId } : {}),
    directory: session.directory,
    status: session.activity === 'busy' ? { type: 'busy' } : { type: 'idle' },
    ...(session.agent !== undefined ? { agent: session.agent } : {}),
    ...(session.model !== undefined ? { model: session.model } : {}),
    tools,
    todos: session.todos,
    updatedMs: session.lastActivityMs,
  };
}
