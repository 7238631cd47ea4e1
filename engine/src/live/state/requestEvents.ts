/** Permission and question requests: asked → pending until replied (or rejected). */
import { livePath } from '../../../../shared/src/index.js';
import type { LiveInstance, LivePermission, LiveQuestion } from '../../../../shared/src/index.js';
import { ensureSession } from './changes.js';
import type { Changes, ReducerOptions } from './changes.js';
import { str } from './openCodeEvent.js';
import type { OpenCodeEvent } from './openCodeEvent.js';
import { toPermission, toQuestion } from './records.js';

export function onPermissionAsked(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const permission = toPermission(event.properties, { ...opts, ...(event.directory !== undefined ? { directory: event.directory } : {}) });
  if (permission === undefined || inst.permissions[permission.id]) return;
  ensureSession(inst, permission.sessionId, event.directory, changes, opts);
  changes.set(livePath.permission(inst.id, permission.id), permission);
  announcePermission(inst.id, permission, changes, opts.nowMs);
}

export function announcePermission(instanceId: string, p: LivePermission, changes: Changes, nowMs: number): void {
  changes.notify({
    type: 'permission.asked',
    instanceId,
    sessionId: p.sessionId,
    permissionId: p.id,
    permission: p.permission,
    summary: p.summary,
    ...(p.risk !== undefined ? { risk: p.risk } : {}),
    timeMs: nowMs,
  });
  if (p.risk?.level === 'critical') {
    changes.notify({ type: 'security.critical', instanceId, sessionId: p.sessionId, summary: p.summary, risk: p.risk, timeMs: nowMs });
  }
}

/** `permission.replied` names the request `requestID` (1.x) or `permissionID` (older servers). */
export function onPermissionReplied(inst: LiveInstance, event: OpenCodeEvent, changes: Changes): void {
  const id = str(event.properties.requestID) ?? str(event.properties.permissionID) ?? str(event.properties.id);
  if (id !== undefined && inst.permissions[id]) changes.delete(livePath.permission(inst.id, id));
}

export function onQuestionAsked(inst: LiveInstance, event: OpenCodeEvent, changes: Changes, opts: ReducerOptions): void {
  const question = toQuestion(event.properties, { nowMs: opts.nowMs, ...(event.directory !== undefined ? { directory: event.directory } : {}) });
  if (question === undefined || inst.questions[question.id]) return;
  ensureSession(inst, question.sessionId, event.directory, changes, opts);
  changes.set(livePath.question(inst.id, question.id), question);
  announceQuestion(inst.id, question, changes, opts.nowMs);
}

export function announceQuestion(instanceId: string, q: LiveQuestion, changes: Changes, nowMs: number): void {
  changes.notify({ type: 'question.asked', instanceId, sessionId: q.sessionId, questionId: q.id, question: q.questions[0]?.question ?? '', timeMs: nowMs });
}

export function onQuestionSettled(inst: LiveInstance, event: OpenCodeEvent, changes: Changes): void {
  const id = str(event.properties.requestID) ?? str(event.properties.id);
  if (id !== undefined && inst.questions[id]) changes.delete(livePath.question(inst.id, id));
}
