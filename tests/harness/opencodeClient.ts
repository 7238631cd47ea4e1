/**
 * Typed helpers over a running OpenCode server's HTTP API: auth, project routing and a timeout on every call.
 */
import type {
  MessageWithParts,
  PermissionRequest,
  PermissionRule,
  QuestionRequest,
  SessionInfo,
  SessionStatus,
} from './opencodeTypes.js';

export interface OpencodeClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:4096 (no trailing slash needed). */
  url: string;
  /** Project directory every call is routed to (x-opencode-directory). */
  directory?: string;
  /** Basic-auth password (OPENCODE_SERVER_PASSWORD). */
  password?: string;
  /** @default 'opencode' */
  username?: string;
  /** Per-call timeout. @default 30000 */
  timeoutMs?: number;
}

export type HarnessRequestInit = RequestInit & { timeoutMs?: number };

export interface PromptOptions {
  /** Pick a model other than the configured default, e.g. the Anthropic-format fake. */
  model?: { providerID: string; modelID: string };
  agent?: string;
  /** For the synchronous prompt. @default 90000 */
  timeoutMs?: number;
}

export interface OpencodeClient {
  readonly url: string;
  /** Raw fetch with auth, directory routing and a timeout; never throws on HTTP status. */
  fetch(path: string, init?: HarnessRequestInit): Promise<Response>;
  /** fetch + JSON decode; throws with the body text on a non-2xx status. */
  json<T>(path: string, init?: HarnessRequestInit): Promise<T>;
  health(): Promise<{ healthy: boolean; version: string }>;
  createSession(opts?: { title?: string; permission?: PermissionRule[]; parentID?: string }): Promise<SessionInfo>;
  getSession(sessionId: string): Promise<SessionInfo>;
  children(sessionId: string): Promise<SessionInfo[]>;
  /** Runs a whole turn synchronously; resolves with the final assistant message. */
  prompt(sessionId: string, text: string, opts?: PromptOptions): Promise<MessageWithParts>;
  /** Starts a turn and returns at once (204). */
  promptAsync(sessionId: string, text: string, opts?: PromptOptions): Promise<void>;
  messages(sessionId: string): Promise<MessageWithParts[]>;
  todos(sessionId: string): Promise<Array<{ content: string; status: string; priority: string }>>;
  /** Non-idle sessions only. */
  status(): Promise<Record<string, SessionStatus>>;
  listPermissions(): Promise<PermissionRequest[]>;
  replyPermission(id: string, reply: 'once' | 'always' | 'reject', message?: string): Promise<boolean>;
  listQuestions(): Promise<QuestionRequest[]>;
  /** One array of selected labels per question. */
  replyQuestion(id: string, answers: string[][]): Promise<boolean>;
  rejectQuestion(id: string): Promise<boolean>;
  abort(sessionId: string): Promise<boolean>;
}

export function createOpencodeClient(opts: OpencodeClientOptions): OpencodeClient {
  const base = opts.url.replace(/\/+$/, '');
  const auth = opts.password
    ? `Basic ${Buffer.from(`${opts.username ?? 'opencode'}:${opts.password}`).toString('base64')}`
    : undefined;

  async function rawFetch(path: string, init: HarnessRequestInit = {}): Promise<Response> {
    const { timeoutMs, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth && !headers.has('authorization')) headers.set('authorization', auth);
    if (opts.directory && !headers.has('x-opencode-directory')) headers.set('x-opencode-directory', opts.directory);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const timeout = AbortSignal.timeout(timeoutMs ?? opts.timeoutMs ?? 30_000);
    const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
    return fetch(`${base}${path.startsWith('/') ? path : `/${path}`}`, { ...rest, headers, signal });
  }

  async function json<T>(path: string, init?: HarnessRequestInit): Promise<T> {
    const res = await rawFetch(path, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`OpenCode ${init?.method ?? 'GET'} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  const post = <T>(path: string, body: unknown, timeoutMs?: number): Promise<T> =>
    json<T>(path, { method: 'POST', body: JSON.stringify(body), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

  const promptBody = (text: string, o: PromptOptions = {}): Record<string, unknown> => ({
    parts: [{ type: 'text', text }],
    ...(o.model ? { model: o.model } : {}),
    ...(o.agent ? { agent: o.agent } : {}),
  });
  const sid = (id: string): string => encodeURIComponent(id);

  return {
    url: base,
    fetch: rawFetch,
    json,
    health: () => json('/global/health', { timeoutMs: 2_000 }),
    createSession: (o = {}) => post('/session', o),
    getSession: (id) => json(`/session/${sid(id)}`),
    children: (id) => json(`/session/${sid(id)}/children`),
    prompt: (id, text, o) => post(`/session/${sid(id)}/message`, promptBody(text, o), o?.timeoutMs ?? 90_000),
    promptAsync: async (id, text, o) => {
      const res = await rawFetch(`/session/${sid(id)}/prompt_async`, { method: 'POST', body: JSON.stringify(promptBody(text, o)) });
      if (!res.ok) throw new Error(`OpenCode prompt_async → ${res.status}: ${(await res.text()).slice(0, 500)}`);
    },
    messages: (id) => json(`/session/${sid(id)}/message`),
    todos: (id) => json(`/session/${sid(id)}/todo`),
    status: () => json('/session/status'),
    listPermissions: () => json('/permission'),
    replyPermission: (id, reply, message) =>
      post(`/permission/${encodeURIComponent(id)}/reply`, { reply, ...(message !== undefined ? { message } : {}) }),
    listQuestions: () => json('/question'),
    replyQuestion: (id, answers) => post(`/question/${encodeURIComponent(id)}/reply`, { answers }),
    rejectQuestion: (id) => post(`/question/${encodeURIComponent(id)}/reject`, {}),
    abort: (id) => post(`/session/${sid(id)}/abort`, {}),
  };
}
