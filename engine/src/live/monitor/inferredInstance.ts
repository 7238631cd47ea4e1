/**
 * Plain TUIs open no port: their busy sessions come from the database (engine/src/live/inferred). Each database
 * becomes one pseudo-instance `db:<path>` holding the sessions it shows busy that no followed instance already
 * reports exactly. When a session leaves it (turn over), the hub hears `session.finished`. Pure.
 */
import { livePath, type LiveInstance, type LiveNotification, type LiveSession, type LiveState } from '../../../../shared/src/index.js';
import { toLiveSession, type InferredLive } from '../inferred/index.js';
import type { LiveChange } from './liveHub.js';

export const inferredInstanceId = (dbPath: string): string => `db:${dbPath}`;

/** Session ids some other (exactly followed) instance already holds. */
function followedElsewhere(state: LiveState, exceptId: string): Set<string> {
  const ids = new Set<string>();
  for (const inst of Object.values(state.instances)) if (inst.id !== exceptId) for (const id of Object.keys(inst.sessions)) ids.add(id);
  return ids;
}

export function inferredInstanceChange(state: LiveState, dbPath: string, inferred: InferredLive, nowMs: number): LiveChange {
  const id = inferredInstanceId(dbPath);
  const elsewhere = followedElsewhere(state, id);
  const sessions: Record<string, LiveSession> = {};
  for (const s of Object.values(inferred.sessions)) {
    if (s.activity !== 'busy' || elsewhere.has(s.id)) continue;
    sessions[s.id] = toLiveSession(s);
  }
  const previous = state.instances[id];
  const notifications: LiveNotification[] = [];
  for (const old of Object.values(previous?.sessions ?? {})) {
    if (!sessions[old.id] && !elsewhere.has(old.id)) {
      notifications.push({
        type: 'session.finished',
        instanceId: id,
        sessionId: old.id,
        title: old.title,
        ...(old.parentId !== undefined ? { parentId: old.parentId } : {}),
        todos: old.todos,
        timeMs: nowMs,
      });
    }
  }
  if (!previous && Object.keys(sessions).length === 0) return { diffs: [], notifications: [] };
  const instance: LiveInstance = {
    id,
    url: `file://${dbPath}`,
    connection: 'connected',
    permissionApi: false,
    sessions,
    permissions: {},
    questions: {},
    ignoredEvents: 0,
  };
  return { diffs: [{ op: 'set', path: livePath.instance(id), value: instance }], notifications };
}
