/**
 * The pure live-state reducer: one OpenCode event in, the next state plus the diffs and notifications it
 * caused out. Instance lifecycle (add, connection changes, removal) goes through the same diff path.
 */
import { livePath } from '../../../../shared/src/index.js';
import type { LiveConnection, LiveInstance, LiveState } from '../../../../shared/src/index.js';
import { Changes, commit } from './changes.js';
import type { LiveUpdate, ReducerOptions } from './changes.js';
import type { OpenCodeEvent } from './openCodeEvent.js';
import { onPermissionAsked, onPermissionReplied, onQuestionAsked, onQuestionSettled } from './requestEvents.js';
import { onMessageUpdated, onSessionInfo, onSessionStatus, onTodoUpdated } from './sessionEvents.js';
import { onPartUpdated } from './toolEvents.js';

type Handler = (inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions) => void;

const HANDLERS: Readonly<Record<string, Handler>> = {
  'session.status': onSessionStatus,
  'session.idle': onSessionStatus,
  'session.created': onSessionInfo,
  'session.updated': onSessionInfo,
  'session.deleted': onSessionInfo,
  'message.updated': onMessageUpdated,
  'message.part.updated': onPartUpdated,
  'permission.asked': onPermissionAsked,
  'permission.updated': onPermissionAsked,
  'permission.replied': onPermissionReplied,
  'question.asked': onQuestionAsked,
  'question.replied': onQuestionSettled,
  'question.rejected': onQuestionSettled,
  'todo.updated': onTodoUpdated,
};

/**
 * Events OpenCode sends that carry nothing the live state shows (streaming deltas, diffs, LSP, PTY, the
 * durable `sync` copies…). They are dropped silently; only types outside this list count as unknown.
 */
const IRRELEVANT = /^(server\.(connected|heartbeat|instance\.disposed)|sync|message\.part\.(delta|removed)|message\.removed|session\.(diff|compacted|error)|session\.next\.|project\.|vcs\.|file\.|lsp\.|mcp\.|pty\.|command\.|installation\.|global\.|plugin\.|catalog\.|integration\.|reference\.|workspace\.|worktree\.|tui\.|permission\.v2\.|question\.v2\.)/;

export function applyEvent(state: LiveState, instanceId: string, event: OpenCodeEvent, opts: ReducerOptions): LiveUpdate {
  const inst = state.instances[instanceId];
  if (!inst) return { state, diffs: [], notifications: [] };
  const changes = new Changes();
  const handler = HANDLERS[event.type];
  if (handler) handler(inst, event, changes, opts);
  else if (!IRRELEVANT.test(event.type)) changes.set([...livePath.instance(instanceId), 'ignoredEvents'], inst.ignoredEvents + 1);
  return commit(state, changes);
}

/** Starts tracking an instance (connecting, empty) unless it is already tracked. */
export function addInstance(state: LiveState, target: { id: string; url: string }): LiveUpdate {
  if (state.instances[target.id]) return { state, diffs: [], notifications: [] };
  const inst: LiveInstance = {
    id: target.id,
    url: target.url,
    connection: 'connecting',
    permissionApi: true,
    sessions: {},
    permissions: {},
    questions: {},
    ignoredEvents: 0,
  };
  const changes = new Changes();
  changes.set(livePath.instance(target.id), inst);
  return commit(state, changes);
}

/**
 * Records the follower's view of the connection. Disconnecting drops pending requests and marks busy sessions
 * idle without announcing them finished: nobody can answer a request of an instance that is gone, and its
 * sessions stopped because the process did, not because their turns completed.
 */
export function setConnection(state: LiveState, instanceId: string, connection: LiveConnection, error?: string): LiveUpdate {
  const inst = state.instances[instanceId];
  if (!inst) return { state, diffs: [], notifications: [] };
  const changes = new Changes();
  const path = livePath.instance(instanceId);
  if (inst.connection !== connection) changes.set([...path, 'connection'], connection);
  if (error !== undefined && error !== inst.lastError) changes.set([...path, 'lastError'], error);
  if (error === undefined && inst.lastError !== undefined && connection === 'connected') changes.delete([...path, 'lastError']);
  if (connection === 'disconnected') {
    if (Object.keys(inst.permissions).length > 0) changes.set([...path, 'permissions'], {});
    if (Object.keys(inst.questions).length > 0) changes.set([...path, 'questions'], {});
    for (const s of Object.values(inst.sessions)) {
      if (s.status.type === 'idle') continue;
      changes.set([...livePath.session(instanceId, s.id), 'status'], { type: 'idle' });
      changes.set([...livePath.session(instanceId, s.id), 'tools'], {});
    }
  }
  return commit(state, changes);
}

export function removeInstance(state: LiveState, instanceId: string): LiveUpdate {
  if (!state.instances[instanceId]) return { state, diffs: [], notifications: [] };
  const changes = new Changes();
  changes.delete(livePath.instance(instanceId));
  return commit(state, changes);
}
