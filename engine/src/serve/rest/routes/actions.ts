/**
 * The mutating routes: answer a pending permission or question. The request must still be pending in the live
 * state (404 otherwise, so a stale page cannot answer a request that was already handled elsewhere), the body is
 * validated strictly, and the injected action does the work and writes the audit log.
 */
import { fail, ok, type LiveState, type Result } from '../../../../../shared/src/index.js';
import type { PermissionReplyKind } from '../context.js';
import { idValue } from '../params.js';
import type { Route, RouteInput, RouteOutput } from '../router.js';

const MAX_MESSAGE = 4_000;
const MAX_LABEL = 1_000;

function badBody(message: string): Result<never> {
  return fail({ code: 'serve.bad-request', message });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parsePermissionReply(body: unknown): Result<{ reply: PermissionReplyKind; message?: string }> {
  if (!isObject(body)) return badBody('body must be a JSON object {"reply": "once" | "always" | "reject", "message"?: string}');
  const extra = Object.keys(body).filter((k) => k !== 'reply' && k !== 'message');
  if (extra.length > 0) return badBody(`unknown field(s): ${extra.join(', ')}`);
  const reply = body['reply'];
  if (reply !== 'once' && reply !== 'always' && reply !== 'reject') return badBody('"reply" must be "once", "always" or "reject"');
  const message = body['message'];
  if (message !== undefined && (typeof message !== 'string' || message.length > MAX_MESSAGE)) return badBody(`"message" must be a string of at most ${MAX_MESSAGE} characters`);
  return ok(message === undefined ? { reply } : { reply, message });
}

export function parseQuestionAnswers(body: unknown, questionCount: number): Result<string[][]> {
  if (!isObject(body) || !Array.isArray(body['answers'])) return badBody('body must be a JSON object {"answers": [["label", …], …]} with one array per question');
  const extra = Object.keys(body).filter((k) => k !== 'answers');
  if (extra.length > 0) return badBody(`unknown field(s): ${extra.join(', ')}`);
  const answers = body['answers'] as unknown[];
  if (answers.length !== questionCount) return badBody(`"answers" must have one entry per question (${questionCount}), got ${answers.length}`);
  for (const [i, a] of answers.entries()) {
    if (!Array.isArray(a) || a.some((label) => typeof label !== 'string' || label.length > MAX_LABEL)) {
      return badBody(`"answers[${i}]" must be an array of strings of at most ${MAX_LABEL} characters`);
    }
  }
  return ok(answers as string[][]);
}

function findPending<K extends 'permissions' | 'questions'>(state: LiveState, kind: K, id: string) {
  for (const instance of Object.values(state.instances)) {
    const found = instance[kind][id];
    if (found) return { instanceId: instance.id, item: found as NonNullable<LiveState['instances'][string][K][string]> };
  }
  return undefined;
}

function logged(input: RouteInput, what: string, result: Result<true>): Result<RouteOutput> {
  const outcome = result.ok ? 'ok' : `${result.problem.code}: ${result.problem.message}`;
  input.ctx.logger.info(`rest: ${what} from ${input.client} → ${outcome}`);
  return result.ok ? ok({ data: { accepted: true } }) : result;
}

export const actionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/permissions/:id/reply',
    async handle(input) {
      const id = idValue(input.params['id'] ?? '', 'permission id');
      if (!id.ok) return id;
      const body = parsePermissionReply(input.body);
      if (!body.ok) return body;
      const pending = findPending(input.ctx.live(), 'permissions', id.value);
      if (!pending) return fail({ code: 'serve.not-found', message: `no pending permission "${id.value}" (already answered, or not from a followed instance)` });
      const result = await input.ctx.actions.replyPermission({ instanceId: pending.instanceId, permission: pending.item, ...body.value });
      return logged(input, `permission.reply ${id.value} ${body.value.reply}`, result);
    },
  },
  {
    method: 'POST',
    path: '/api/questions/:id/reply',
    async handle(input) {
      const id = idValue(input.params['id'] ?? '', 'question id');
      if (!id.ok) return id;
      const pending = findPending(input.ctx.live(), 'questions', id.value);
      if (!pending) return fail({ code: 'serve.not-found', message: `no pending question "${id.value}"` });
      const answers = parseQuestionAnswers(input.body, pending.item.questions.length);
      if (!answers.ok) return answers;
      const result = await input.ctx.actions.replyQuestion({ instanceId: pending.instanceId, question: pending.item, answers: answers.value });
      return logged(input, `question.reply ${id.value}`, result);
    },
  },
  {
    method: 'POST',
    path: '/api/questions/:id/reject',
    async handle(input) {
      const id = idValue(input.params['id'] ?? '', 'question id');
      if (!id.ok) return id;
      const pending = findPending(input.ctx.live(), 'questions', id.value);
      if (!pending) return fail({ code: 'serve.not-found', message: `no pending question "${id.value}"` });
      const result = await input.ctx.actions.rejectQuestion({ instanceId: pending.instanceId, question: pending.item });
      return logged(input, `question.reject ${id.value}`, result);
    },
  },
];
