/** Session-level events: status (busy / idle / retry), session records, messages (agent, model) and todos. */
import { livePath } from '../../../../shared/src/index.js';
import type { LiveInstance, LiveSession, LiveSessionStatus } from '../../../../shared/src/index.js';
import { ensureSession, setSessionField } from './changes.js';
import type { Changes, ReducerOptions } from './changes.js';
import { loose, num, str } from './openCodeEvent.js';
import type { OpenCodeEvent } from './openCodeEvent.js';
import { modelName, sameStatus, sameTodos, summarizeTodos, toSessionFields, toSessionStatus } from './records.js';

export function onSessionStatus(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const sessionId = str(event.properties.sessionID);
  if (sessionId === undefined) return;
  const status = event.type === 'session.idle' ? ({ type: 'idle' } as const) : toSessionStatus(event.properties.status);
  const session = ensureSession(inst, sessionId, event.directory, changes, opts);
  applyStatus(inst, session, status, changes, opts);
}

/** Moves a session to `status`; leaving busy/retry for idle ends its turn: tools are cleared and it is announced. */
export function applyStatus(inst: LiveInstance, session: LiveSession, status: LiveSessionStatus, changes: Changes, opts: ReducerOptions): void {
  if (sameStatus(session.status, status)) return;
  const path = livePath.session(inst.id, session.id);
  changes.set([...path, 'status'], status);
  changes.set([...path, 'updatedMs'], opts.nowMs);
  if (status.type !== 'idle' || session.status.type === 'idle') return;
  // A finished or aborted turn leaves no tool running, whatever part updates were missed.
  if (Object.keys(session.tools).length > 0) changes.set([...path, 'tools'], {});
  changes.notify({
    type: 'session.finished',
    instanceId: inst.id,
    sessionId: session.id,
    title: session.title,
    ...(session.parentId !== undefined ? { parentId: session.parentId } : {}),
    todos: session.todos,
    timeMs: opts.nowMs,
  });
}

export function onSessionInfo(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const info = event.properties.info;
  const sessionId = str(event.properties.sessionID) ?? str(loose(info).id);
  const fields = toSessionFields(info);
  if (sessionId === undefined || fields === undefined) return;
  if (event.type === 'session.deleted') {
    removeSession(inst, sessionId, changes);
    return;
  }
  const session = ensureSession(inst, sessionId, fields.directory || event.directory, changes, opts);
  setSessionField(inst, session, 'title', fields.title, changes);
  if (fields.directory) setSessionField(inst, session, 'directory', fields.directory, changes);
  if (fields.parentId !== undefined) setSessionField(inst, session, 'parentId', fields.parentId, changes);
  if (fields.agent !== undefined && session.agent === undefined) setSessionField(inst, session, 'agent', fields.agent, changes);
  if (fields.model !== undefined && session.model === undefined) setSessionField(inst, session, 'model', fields.model, changes);
  setSessionField(inst, session, 'updatedMs', Math.max(session.updatedMs, fields.updatedMs ?? opts.nowMs), changes);
}

export function removeSession(inst: LiveInstance, sessionId: string, changes: Changes): void {
  if (inst.sessions[sessionId]) changes.delete(livePath.session(inst.id, sessionId));
  for (const p of Object.values(inst.permissions)) if (p.sessionId === sessionId) changes.delete(livePath.permission(inst.id, p.id));
  for (const q of Object.values(inst.questions)) if (q.sessionId === sessionId) changes.delete(livePath.question(inst.id, q.id));
}

/** The latest message says which agent and model the session uses now; a new user message answers an ask_user. */
export function onMessageUpdated(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const info = loose(event.properties.info);
  const sessionId = str(event.properties.sessionID) ?? str(info.sessionID);
  if (sessionId === undefined) return;
  const session = ensureSession(inst, sessionId, event.directory, changes, opts);
  const agent = str(info.agent) ?? str(info.mode);
  const model = info.role === 'user' ? modelName(info.model) : modelName(info);
  if (agent !== undefined) setSessionField(inst, session, 'agent', agent, changes);
  if (model !== undefined) setSessionField(inst, session, 'model', model, changes);
  const created = num(loose(info.time).created) ?? 0;
  if (info.role === 'user' && session.askUser !== undefined && created > session.askUser.askedMs) {
    changes.delete([...livePath.session(inst.id, sessionId), 'askUser']);
  }
}

export function onTodoUpdated(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const sessionId = str(event.properties.sessionID);
  if (sessionId === undefined) return;
  const session = ensureSession(inst, sessionId, event.directory, changes, opts);
  const todos = summarizeTodos(event.properties.todos);
  if (!sameTodos(session.todos, todos)) changes.set([...livePath.session(inst.id, sessionId), 'todos'], todos);
}
