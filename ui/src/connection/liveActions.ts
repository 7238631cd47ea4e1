/**
 * The page's side of the reply routes (docs/api.md, "Replies"): answer a pending permission or question through
 * the engine, which forwards it to the OpenCode instance that asked. Same-origin `fetch`, so the engine's
 * HttpOnly cookie carries the token and the Origin check passes; nothing here ever sees the token.
 *
 * Every outcome is a `Result`: the engine's `{success:false, error:{code,message}}` becomes that problem, and a
 * request that never got an answer becomes `protocol.disconnected`, so the panel can show each one inline.
 */
import { fail, isProblemCode, ok, type Result } from '../../../shared/src/index.js';

export type PermissionReply = 'once' | 'always' | 'reject';

export interface LiveActions {
  replyPermission(id: string, reply: PermissionReply, message?: string): Promise<Result<true>>;
  replyQuestion(id: string, answers: readonly (readonly string[])[]): Promise<Result<true>>;
  rejectQuestion(id: string): Promise<Result<true>>;
}

export type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; credentials: 'same-origin' }) => Promise<{ status: number; text(): Promise<string> }>;

/** `fetch` by default; `baseUrl` is the engine origin (empty: the page's own). */
export function createLiveActions(fetchLike: FetchLike = (url, init) => fetch(url, init), baseUrl = ''): LiveActions {
  const post = async (path: string, body: unknown): Promise<Result<true>> => {
    let status: number;
    let text: string;
    try {
      const res = await fetchLike(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      return fail({ code: 'protocol.disconnected', message: `the engine did not answer: ${(error as Error).message}`, source: path });
    }
    return readEnvelope(status, text, path);
  };
  const at = (kind: 'permissions' | 'questions', id: string, verb: 'reply' | 'reject') => `/api/${kind}/${encodeURIComponent(id)}/${verb}`;
  return {
    replyPermission: (id, reply, message) => post(at('permissions', id, 'reply'), message ? { reply, message } : { reply }),
    replyQuestion: (id, answers) => post(at('questions', id, 'reply'), { answers }),
    rejectQuestion: (id) => post(at('questions', id, 'reject'), {}),
  };
}

/** Reads the engine's envelope; anything else (a proxy's HTML page, an empty body) is a bad response. */
export function readEnvelope(status: number, text: string, source: string): Result<true> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail({ code: 'protocol.bad-message', message: `the engine answered HTTP ${status} with something that is not JSON`, source });
  }
  const envelope = body as { success?: unknown; error?: { code?: unknown; message?: unknown } };
  if (envelope.success === true && status >= 200 && status < 300) return ok(true);
  const error = envelope.error;
  if (envelope.success === false && error && typeof error.message === 'string') {
    return fail({ code: isProblemCode(error.code) ? error.code : 'internal.bug', message: error.message, source, detail: { status } });
  }
  return fail({ code: 'protocol.bad-message', message: `the engine answered HTTP ${status} without the {success, data|error} envelope`, source });
}
