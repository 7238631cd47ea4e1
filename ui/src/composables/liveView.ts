/**
 * Pure shaping of the engine's live state for the Monitoring panel: which instances come first, how sub-agents
 * nest under their parent, and the short texts (elapsed time, retry countdown, todo line) the rows show.
 * No Vue and no DOM here, so every rule can be unit-tested; components only render what this returns.
 */
import type {
  LiveInstance,
  LivePermission,
  LiveQuestion,
  LiveSession,
  LiveSessionStatus,
  LiveState,
  LiveTodos,
} from '../../../shared/src/index.js';

export interface SessionNode {
  readonly session: LiveSession;
  readonly children: readonly SessionNode[];
}

export interface PendingPermissionView {
  readonly permission: LivePermission;
  readonly sessionTitle: string;
}

export interface PendingQuestionView {
  readonly question: LiveQuestion;
  readonly sessionTitle: string;
}

export interface InstanceView {
  readonly instance: LiveInstance;
  readonly sessions: readonly SessionNode[];
  readonly permissions: readonly PendingPermissionView[];
  readonly questions: readonly PendingQuestionView[];
}

export interface LiveSummary {
  readonly instances: number;
  readonly connected: number;
  readonly sessions: number;
  readonly busy: number;
  readonly waiting: number;
  readonly openTodos: number;
}

const CONNECTION_ORDER = { connected: 0, connecting: 1, disconnected: 2 } as const;

/** Connected instances first (they are the ones that can be answered), then by URL for a stable order. */
export function buildInstanceViews(state: LiveState): InstanceView[] {
  return Object.values(state.instances)
    .sort((a, b) => CONNECTION_ORDER[a.connection] - CONNECTION_ORDER[b.connection] || a.url.localeCompare(b.url))
    .map((instance) => ({
      instance,
      sessions: sessionForest(instance),
      permissions: byAskedTime(Object.values(instance.permissions)).map((permission) => ({ permission, sessionTitle: sessionTitle(instance, permission.sessionId) })),
      questions: byAskedTime(Object.values(instance.questions)).map((question) => ({ question, sessionTitle: sessionTitle(instance, question.sessionId) })),
    }));
}

/**
 * Root sessions with their sub-agents nested. A sub-agent whose parent the instance does not report (it
 * was never seen, or was deleted) is shown as a root rather than hidden: a running agent must stay visible.
 * Busy sessions come before idle ones, then the most recently changed first.
 */
export function sessionForest(instance: LiveInstance): SessionNode[] {
  const sessions = Object.values(instance.sessions);
  const childrenOf = new Map<string, LiveSession[]>();
  const roots: LiveSession[] = [];
  for (const s of sessions) {
    if (s.parentId !== undefined && s.parentId !== s.id && instance.sessions[s.parentId]) {
      const list = childrenOf.get(s.parentId) ?? [];
      list.push(s);
      childrenOf.set(s.parentId, list);
    } else roots.push(s);
  }
  // `seen` guards against a parent cycle in bad data, which would otherwise recurse forever.
  const seen = new Set<string>();
  const build = (s: LiveSession): SessionNode => {
    seen.add(s.id);
    const kids = sortSessions((childrenOf.get(s.id) ?? []).filter((c) => !seen.has(c.id)));
    for (const k of kids) seen.add(k.id);
    return { session: s, children: kids.map(build) };
  };
  const forest = sortSessions(roots).map(build);
  // Sessions only reachable through a cycle have no root; they still get a row of their own.
  for (const s of sortSessions(sessions)) if (!seen.has(s.id)) forest.push(build(s));
  return forest;
}

function sortSessions(list: LiveSession[]): LiveSession[] {
  const active = (s: LiveSession) => (s.status.type === 'idle' ? 1 : 0);
  return [...list].sort((a, b) => active(a) - active(b) || b.updatedMs - a.updatedMs || a.id.localeCompare(b.id));
}

function byAskedTime<T extends { askedMs: number; id: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.askedMs - b.askedMs || a.id.localeCompare(b.id));
}

function sessionTitle(instance: LiveInstance, sessionId: string): string {
  return instance.sessions[sessionId]?.title || sessionId;
}

export function summarizeLive(state: LiveState): LiveSummary {
  let connected = 0;
  let sessions = 0;
  let busy = 0;
  let waiting = 0;
  let openTodos = 0;
  for (const instance of Object.values(state.instances)) {
    if (instance.connection === 'connected') connected++;
    waiting += Object.keys(instance.permissions).length + Object.keys(instance.questions).length;
    for (const s of Object.values(instance.sessions)) {
      sessions++;
      if (s.status.type !== 'idle') busy++;
      if (s.askUser) waiting++;
      openTodos += s.todos.pending + s.todos.inProgress;
    }
  }
  return { instances: Object.keys(state.instances).length, connected, sessions, busy, waiting, openTodos };
}

/** `42s`, `3m 05s`, `2h 07m`: short enough for a row, precise where it matters (the first minutes). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** The status badge text; a retry says which attempt comes and when. */
export function statusLabel(status: LiveSessionStatus, nowMs: number): string {
  if (status.type !== 'retry') return status.type;
  const left = status.nextMs - nowMs;
  return left > 0 ? `retry #${status.attempt} in ${formatElapsed(left)}` : `retry #${status.attempt} now`;
}

export interface TodoLine {
  readonly done: number;
  readonly total: number;
  readonly current?: string;
  readonly next?: string;
}

/** Undefined when the session has no todo list, so the row shows nothing rather than `0/0`. */
export function todoLine(todos: LiveTodos): TodoLine | undefined {
  const total = todos.pending + todos.inProgress + todos.completed;
  if (total === 0) return undefined;
  return {
    done: todos.completed,
    total,
    ...(todos.currentLabel ? { current: todos.currentLabel } : {}),
    ...(todos.nextLabel ? { next: todos.nextLabel } : {}),
  };
}

/** `(@build subagent)` is OpenCode's suffix on sub-agent titles; the tree already says it is a sub-agent. */
export function displayTitle(session: LiveSession): string {
  const cut = session.title.indexOf(' (@');
  const title = (cut > 0 ? session.title.slice(0, cut) : session.title).trim();
  return title || session.id;
}

/**
 * Plugin (`plugin:<pid>`) and database (`db:<path>`) instances are plain terminals followed without an API:
 * their requests can only be answered in the terminal (the engine refuses a reply for them).
 */
export function isAnswerable(instance: LiveInstance): boolean {
  return !instance.id.startsWith('plugin:') && !instance.id.startsWith('db:');
}

/** What to call an instance: its URL, or what kind of terminal it is when it has none worth showing. */
export function instanceLabel(instance: LiveInstance): string {
  if (instance.id.startsWith('db:')) return `terminal sessions (from ${instance.url.replace(/^file:\/\//, '')})`;
  if (instance.id.startsWith('plugin:')) return `terminal with the monitor plugin (pid ${instance.id.slice('plugin:'.length)})`;
  return instance.url;
}
