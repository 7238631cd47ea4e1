/**
 * Pairs what a raw `/global/event` reader sees with what the live follower reports, so the time between the
 * two can be measured without touching the engine. Both sides are reduced to the same change keys:
 * - `status|<session>|busy|idle|retry` when a session's status type changes;
 * - `tool|<callID>|pending|running` when a tool call enters that state, `tool|<callID>|gone` when it ends;
 * - `todos|<session>|<summary>` when a session's todo summary changes.
 * The raw side keeps its own view of each session and call, so only events that must change the follower's
 * state produce a key; events the reducer ignores (deltas, heartbeats, repeats) produce none.
 */
import type { LiveDiff, LiveState } from '../../shared/src/index.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The reducer's todo summary (records.ts `summarizeTodos`), spelt as a key. */
export function todoSummaryKey(todos: unknown): string {
  let pending = 0;
  let inProgress = 0;
  let completed = 0;
  let current: string | undefined;
  let next: string | undefined;
  for (const t of Array.isArray(todos) ? todos : []) {
    const todo = rec(t);
    const content = str(todo.content) ?? '';
    if (todo.status === 'pending') (pending += 1), (next ??= content);
    else if (todo.status === 'in_progress') (inProgress += 1), (current ??= content);
    else if (todo.status === 'completed') completed += 1;
  }
  return `${pending}/${inProgress}/${completed}/${current ?? ''}/${next ?? ''}`;
}

/** A stateful keyer for raw SSE payloads of one instance, in arrival order. */
export function createRawKeyer(): (raw: unknown) => string[] {
  const statusOf = new Map<string, string>();
  const toolOf = new Map<string, string>();
  const todosOf = new Map<string, string>();
  const setStatus = (sessionId: string, type: string): string[] => {
    const before = statusOf.get(sessionId) ?? 'idle';
    statusOf.set(sessionId, type);
    return type === before ? [] : [`status|${sessionId}|${type}`];
  };
  return (raw) => {
    const wrapper = rec(raw);
    const event = rec(wrapper.payload ?? wrapper);
    const props = rec(event.properties);
    const sessionId = str(props.sessionID);
    switch (event.type) {
      case 'session.status': {
        const type = str(rec(props.status).type);
        return sessionId !== undefined && type !== undefined ? setStatus(sessionId, type) : [];
      }
      case 'session.idle':
        return sessionId !== undefined ? setStatus(sessionId, 'idle') : [];
      case 'message.part.updated': {
        const part = rec(props.part);
        const callId = str(part.callID) ?? str(part.id);
        const status = str(rec(part.state).status);
        if (part.type !== 'tool' || callId === undefined || status === undefined || str(part.tool) === undefined) return [];
        const before = toolOf.get(callId);
        toolOf.set(callId, status);
        if (status === 'pending' || status === 'running') return status === before ? [] : [`tool|${callId}|${status}`];
        return before === 'pending' || before === 'running' ? [`tool|${callId}|gone`] : [];
      }
      case 'todo.updated': {
        if (sessionId === undefined) return [];
        const summary = todoSummaryKey(props.todos);
        const before = todosOf.get(sessionId) ?? todoSummaryKey([]);
        todosOf.set(sessionId, summary);
        return summary === before ? [] : [`todos|${sessionId}|${summary}`];
      }
      default:
        return [];
    }
  };
}

/** The change keys of one follower update; `previous` is the follower's state before it (for cleared tool maps). */
export function diffKeys(previous: LiveState, instanceId: string, diffs: readonly LiveDiff[]): string[] {
  const keys: string[] = [];
  for (const d of diffs) {
    const [root, inst, sessions, sessionId, field, callId] = d.path;
    if (root !== 'instances' || inst !== instanceId || sessions !== 'sessions' || sessionId === undefined) continue;
    if (field === 'status' && d.path.length === 5 && d.op === 'set') {
      const type = str(rec(d.value).type);
      if (type !== undefined) keys.push(`status|${sessionId}|${type}`);
    } else if (field === 'tools' && d.path.length === 6 && callId !== undefined) {
      keys.push(d.op === 'delete' ? `tool|${callId}|gone` : `tool|${callId}|${str(rec(d.value).status) ?? '?'}`);
    } else if (field === 'tools' && d.path.length === 5 && d.op === 'set') {
      const before = previous.instances[instanceId]?.sessions[sessionId]?.tools ?? {};
      const after = rec(d.value);
      for (const id of Object.keys(before)) if (!(id in after)) keys.push(`tool|${id}|gone`);
    } else if (field === 'todos' && d.path.length === 5 && d.op === 'set') {
      const t = rec(d.value);
      keys.push(`todos|${sessionId}|${t.pending}/${t.inProgress}/${t.completed}/${str(t.currentLabel) ?? ''}/${str(t.nextLabel) ?? ''}`);
    }
  }
  return keys;
}

export interface Matcher {
  /** The raw reader saw a change at `atMs`. */
  raw(key: string, atMs: number): void;
  /** The follower reported a change at `atMs`. */
  follower(key: string, atMs: number): void;
  /** follower time − raw time per matched change (negative when the follower's socket was read first). */
  readonly samples: number[];
  /** Changes one side saw and the other did not (yet): call it once both sides have gone quiet. */
  unmatched(): { raw: number; follower: number };
}

/**
 * Pairs keys seen on both sides, oldest first. An entry waits at most `expiryMs` for its partner: far above
 * any plausible lag, and short enough that a change one side never reports cannot pair with a later one.
 */
export function createMatcher(expiryMs: number): Matcher {
  const rawWaiting = new Map<string, number[]>();
  const followerWaiting = new Map<string, number[]>();
  const samples: number[] = [];
  let expiredRaw = 0;
  let expiredFollower = 0;
  const take = (waiting: Map<string, number[]>, key: string, atMs: number, onExpired: (n: number) => void): number | undefined => {
    const queue = waiting.get(key);
    if (!queue) return undefined;
    while (queue.length > 0 && atMs - (queue[0] as number) > expiryMs) (queue.shift(), onExpired(1));
    const first = queue.shift();
    if (queue.length === 0) waiting.delete(key);
    return first;
  };
  const wait = (waiting: Map<string, number[]>, key: string, atMs: number): void => {
    const queue = waiting.get(key);
    if (queue) queue.push(atMs);
    else waiting.set(key, [atMs]);
  };
  const count = (waiting: Map<string, number[]>): number => [...waiting.values()].reduce((n, q) => n + q.length, 0);
  return {
    samples,
    raw(key, atMs) {
      const f = take(followerWaiting, key, atMs, (n) => (expiredFollower += n));
      if (f === undefined) wait(rawWaiting, key, atMs);
      else samples.push(f - atMs);
    },
    follower(key, atMs) {
      const r = take(rawWaiting, key, atMs, (n) => (expiredRaw += n));
      if (r === undefined) wait(followerWaiting, key, atMs);
      else samples.push(atMs - r);
    },
    unmatched: () => ({ raw: expiredRaw + count(rawWaiting), follower: expiredFollower + count(followerWaiting) }),
  };
}
