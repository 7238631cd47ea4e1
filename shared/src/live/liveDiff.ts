/**
 * Changes to the live state as small JSON-patch-like operations addressed by a path of record keys, e.g.
 * `['instances', 'i1', 'sessions', 'ses_1', 'status']`. The engine sends these instead of the whole state; a
 * client that applies them in order to the same starting state ends with the engine's state.
 */
import type { LiveState } from './liveState.js';

export type LivePath = readonly string[];

export type LiveDiff =
  | { readonly op: 'set'; readonly path: LivePath; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: LivePath };

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies `diffs` in order and returns the new state; the input is never mutated and untouched branches are
 * shared. A `set` creates missing parent records; a `delete` of something absent is a no-op, so replaying a
 * diff is harmless. An empty path is ignored: the root can only be replaced by sending a whole snapshot.
 */
export function applyLiveDiff(state: LiveState, diffs: readonly LiveDiff[]): LiveState {
  let root: Json = state as unknown as Json;
  for (const diff of diffs) {
    if (diff.path.length === 0) continue;
    root = diff.op === 'set' ? setIn(root, diff.path, 0, diff.value) : deleteIn(root, diff.path, 0);
  }
  return root as unknown as LiveState;
}

function setIn(node: Json, path: LivePath, at: number, value: unknown): Json {
  const key = path[at] as string;
  if (at === path.length - 1) {
    if (Object.is(node[key], value)) return node;
    return { ...node, [key]: value };
  }
  const child = isRecord(node[key]) ? (node[key] as Json) : {};
  const next = setIn(child, path, at + 1, value);
  return next === node[key] ? node : { ...node, [key]: next };
}

function deleteIn(node: Json, path: LivePath, at: number): Json {
  const key = path[at] as string;
  if (!Object.prototype.hasOwnProperty.call(node, key)) return node;
  if (at === path.length - 1) {
    const copy = { ...node };
    delete copy[key];
    return copy;
  }
  const child = node[key];
  if (!isRecord(child)) return node;
  const next = deleteIn(child, path, at + 1);
  return next === child ? node : { ...node, [key]: next };
}

/** Path helpers, so producers and consumers spell paths the same way. */
export const livePath = {
  instance: (instanceId: string): LivePath => ['instances', instanceId],
  session: (instanceId: string, sessionId: string): LivePath => ['instances', instanceId, 'sessions', sessionId],
  tool: (instanceId: string, sessionId: string, callId: string): LivePath => ['instances', instanceId, 'sessions', sessionId, 'tools', callId],
  permission: (instanceId: string, permissionId: string): LivePath => ['instances', instanceId, 'permissions', permissionId],
  question: (instanceId: string, questionId: string): LivePath => ['instances', instanceId, 'questions', questionId],
};
