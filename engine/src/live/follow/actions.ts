/**
 * Answers an instance's permission requests and questions through its own API (opencode.md §7.2), and records
 * every attempt in the audit log. Replies are routed to the directory that owns the request, because each
 * project directory of an OpenCode process keeps its own queue.
 */
import { ok } from '../../../../shared/src/index.js';
import type { Problem, Result } from '../../../../shared/src/index.js';
import type { ActionKind, ActionLog } from './actionLog.js';
import { httpStatusOf, requestJson } from './instanceHttp.js';
import type { FollowTarget } from './instanceHttp.js';

export type PermissionReplyKind = 'once' | 'always' | 'reject';

export interface PermissionReply {
  readonly requestId: string;
  readonly sessionId: string;
  readonly reply: PermissionReplyKind;
  /** Feedback for the model; with `reject` OpenCode hands it over and the turn continues. */
  readonly message?: string;
  /** The request's directory (`LivePermission.directory`). */
  readonly directory?: string;
}

export interface QuestionReply {
  readonly requestId: string;
  readonly sessionId: string;
  /** One array of chosen labels per question, in order. */
  readonly answers: readonly (readonly string[])[];
  readonly directory?: string;
}

export interface QuestionReject {
  readonly requestId: string;
  readonly sessionId: string;
  readonly directory?: string;
}

export interface ActionOptions {
  /** Where the attempt is recorded. */
  readonly log?: ActionLog;
  /** Told when the audit log cannot be written; the reply itself stands. */
  readonly onProblem?: (problem: Problem) => void;
  /** @default 5000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export async function replyPermission(target: FollowTarget, r: PermissionReply, opts: ActionOptions = {}): Promise<Result<true>> {
  const common = { method: 'POST' as const, timeoutMs: opts.timeoutMs ?? 5_000, ...(r.directory !== undefined ? { directory: r.directory } : {}) };
  let result = await requestJson(target, `/permission/${encodeURIComponent(r.requestId)}/reply`, {
    ...common,
    body: { reply: r.reply, ...(r.message !== undefined ? { message: r.message } : {}) },
  });
  // Servers from before `/permission/:id/reply` only know the per-session route.
  if (httpStatusOf(result) === 404) {
    result = await requestJson(target, `/session/${encodeURIComponent(r.sessionId)}/permissions/${encodeURIComponent(r.requestId)}`, { ...common, body: { response: r.reply } });
  }
  return record(target, 'permission.reply', r, r.reply, result, opts, r.message);
}

export async function replyQuestion(target: FollowTarget, r: QuestionReply, opts: ActionOptions = {}): Promise<Result<true>> {
  const result = await requestJson(target, `/question/${encodeURIComponent(r.requestId)}/reply`, {
    method: 'POST',
    body: { answers: r.answers },
    timeoutMs: opts.timeoutMs ?? 5_000,
    ...(r.directory !== undefined ? { directory: r.directory } : {}),
  });
  return record(target, 'question.reply', r, JSON.stringify(r.answers), result, opts);
}

export async function rejectQuestion(target: FollowTarget, r: QuestionReject, opts: ActionOptions = {}): Promise<Result<true>> {
  const result = await requestJson(target, `/question/${encodeURIComponent(r.requestId)}/reject`, {
    method: 'POST',
    body: {},
    timeoutMs: opts.timeoutMs ?? 5_000,
    ...(r.directory !== undefined ? { directory: r.directory } : {}),
  });
  return record(target, 'question.reject', r, 'reject', result, opts);
}

async function record(
  target: FollowTarget,
  action: ActionKind,
  r: { requestId: string; sessionId: string },
  reply: string,
  result: Result<unknown>,
  opts: ActionOptions,
  message?: string,
): Promise<Result<true>> {
  if (opts.log) {
    const logged = await opts.log.append({
      timeMs: (opts.now ?? Date.now)(),
      instanceId: target.id,
      sessionId: r.sessionId,
      action,
      requestId: r.requestId,
      reply,
      ...(message !== undefined ? { message } : {}),
      ok: result.ok,
      ...(!result.ok ? { problem: result.problem.code } : {}),
    });
    if (!logged.ok) opts.onProblem?.(logged.problem);
  }
  return result.ok ? ok(true) : result;
}
