/**
 * Seeding: the instance's state as its API reports it, used on first contact and after every reconnect
 * (events missed while disconnected are gone). It replaces sessions and requests wholesale and announces only
 * what changed since the previous view: requests not seen before, and sessions whose turn ended meanwhile.
 */
import { NO_TODOS, livePath } from '../../../../shared/src/index.js';
import type { LiveInstance, LivePermission, LiveQuestion, LiveSession, LiveState, LiveTool } from '../../../../shared/src/index.js';
import { Changes, DEFAULT_MAX_SESSIONS, commit } from './changes.js';
import type { LiveUpdate, ReducerOptions } from './changes.js';
import { list, loose, num, str } from './openCodeEvent.js';
import { summarizeTodos, toPermission, toQuestion, toSessionFields, toSessionStatus } from './records.js';
import { announcePermission, announceQuestion } from './requestEvents.js';
import { chooseToolArgument } from './toolArgument.js';

/** A pending request as listed by the API, with the directory whose instance serves it. */
export interface SeedRequest {
  readonly directory?: string;
  readonly request: unknown;
}

/** What the follower fetched; every field holds raw API JSON. */
export interface LiveSeed {
  /** `GET /session/status` of every directory asked, merged: non-idle sessions only. */
  readonly statuses: Readonly<Record<string, unknown>>;
  /** `GET /session` and `/experimental/session` records (duplicates allowed). */
  readonly sessions: readonly unknown[];
  /** `GET /permission`; undefined when the server has no permission API (404): heuristics take over. */
  readonly permissions: readonly SeedRequest[] | undefined;
  readonly questions: readonly SeedRequest[];
  /** `GET /session/:id/todo` by session id. */
  readonly todos: Readonly<Record<string, unknown>>;
  /** `GET /session/:id/message?limit=…` by session id, for the tools running right now. */
  readonly messages?: Readonly<Record<string, unknown>>;
  readonly version?: string;
}

export interface SeedOptions extends ReducerOptions {
  /** Idle sessions changed longer ago than this are left out. @default 30 min */
  readonly recentMs?: number;
}

export const DEFAULT_RECENT_MS = 30 * 60_000;

export function seedInstance(state: LiveState, instanceId: string, seed: LiveSeed, opts: SeedOptions): LiveUpdate {
  const inst = state.instances[instanceId];
  if (!inst) return { state, diffs: [], notifications: [] };
  const changes = new Changes();
  const permissions = byId(
    (seed.permissions ?? []).map((r) => toPermission(r.request, { ...opts, ...(r.directory !== undefined ? { directory: r.directory } : {}) })),
  );
  const questions = byId(seed.questions.map((r) => toQuestion(r.request, { nowMs: opts.nowMs, ...(r.directory !== undefined ? { directory: r.directory } : {}) })));
  const sessions = seedSessions(inst, seed, new Set([...Object.values(permissions), ...Object.values(questions)].map((r) => r.sessionId)), opts);

  const path = livePath.instance(instanceId);
  changes.set([...path, 'sessions'], sessions);
  changes.set([...path, 'permissions'], permissions);
  changes.set([...path, 'questions'], questions);
  if (inst.permissionApi !== (seed.permissions !== undefined)) changes.set([...path, 'permissionApi'], seed.permissions !== undefined);
  if (seed.version !== undefined && seed.version !== inst.version) changes.set([...path, 'version'], seed.version);

  for (const p of Object.values(permissions)) if (!inst.permissions[p.id]) announcePermission(instanceId, p, changes, opts.nowMs);
  for (const q of Object.values(questions)) if (!inst.questions[q.id]) announceQuestion(instanceId, q, changes, opts.nowMs);
  for (const before of Object.values(inst.sessions)) {
    const after = sessions[before.id];
    if (before.status.type !== 'idle' && after?.status.type === 'idle') {
      changes.notify({ type: 'session.finished', instanceId, sessionId: after.id, title: after.title, ...(after.parentId !== undefined ? { parentId: after.parentId } : {}), todos: after.todos, timeMs: opts.nowMs });
    }
  }
  return commit(state, changes);
}

/**
 * Sessions worth showing: every non-idle one, every one with a pending request, the parents of those (so
 * sub-agents nest), and recently changed ones — newest first, within `maxSessions`.
 */
function seedSessions(inst: LiveInstance, seed: LiveSeed, withRequests: ReadonlySet<string>, opts: SeedOptions): Record<string, LiveSession> {
  const infos = new Map<string, ReturnType<typeof toSessionFields> & object>();
  for (const raw of seed.sessions) {
    const id = str(loose(raw).id);
    const fields = toSessionFields(raw);
    if (id !== undefined && fields !== undefined) infos.set(id, fields);
  }
  const active = new Set([...Object.keys(seed.statuses), ...withRequests]);
  const wanted = new Set(active);
  for (const id of active) {
    let parent = infos.get(id)?.parentId;
    while (parent !== undefined && !wanted.has(parent)) {
      wanted.add(parent);
      parent = infos.get(parent)?.parentId;
    }
  }
  const recentFrom = opts.nowMs - (opts.recentMs ?? DEFAULT_RECENT_MS);
  const recent = [...infos.entries()].filter(([id, f]) => !wanted.has(id) && (f.updatedMs ?? 0) >= recentFrom).sort((a, b) => (b[1].updatedMs ?? 0) - (a[1].updatedMs ?? 0));
  const room = Math.max(0, (opts.maxSessions ?? DEFAULT_MAX_SESSIONS) - wanted.size);
  for (const [id] of recent.slice(0, room)) wanted.add(id);

  const out: Record<string, LiveSession> = {};
  for (const id of wanted) {
    const f = infos.get(id);
    const previous = inst.sessions[id];
    const status = id in seed.statuses ? toSessionStatus(seed.statuses[id]) : ({ type: 'idle' } as const);
    const todos = id in seed.todos ? summarizeTodos(seed.todos[id]) : (previous?.todos ?? NO_TODOS);
    out[id] = {
      id,
      title: f?.title ?? previous?.title ?? '',
      directory: f?.directory ?? previous?.directory ?? '',
      status,
      tools: status.type === 'idle' ? {} : runningTools(seed.messages?.[id], opts),
      todos,
      updatedMs: f?.updatedMs ?? previous?.updatedMs ?? opts.nowMs,
      ...optional('parentId', f?.parentId ?? previous?.parentId),
      ...optional('agent', previous?.agent ?? f?.agent),
      ...optional('model', previous?.model ?? f?.model),
      ...optional('askUser', previous?.askUser),
    };
  }
  return out;
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));

/** Running and pending tool parts of `GET /session/:id/message` (`[{info, parts}]`). */
function runningTools(messages: unknown, opts: SeedOptions): Record<string, LiveTool> {
  const tools: Record<string, LiveTool> = {};
  for (const m of list(messages)) {
    for (const raw of list(loose(m).parts)) {
      const part = loose(raw);
      const state = loose(part.state);
      const callId = str(part.callID);
      const tool = str(part.tool);
      if (part.type !== 'tool' || callId === undefined || tool === undefined) continue;
      if (state.status !== 'running' && state.status !== 'pending') continue;
      const argument = chooseToolArgument(tool, state.input);
      tools[callId] = {
        callId,
        messageId: str(part.messageID) ?? '',
        tool,
        status: state.status,
        argument: opts.redact ? opts.redact(argument) : argument,
        startedMs: num(loose(state.time).start) ?? opts.nowMs,
      };
    }
  }
  return tools;
}

function byId<T extends LivePermission | LiveQuestion>(items: readonly (T | undefined)[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) if (item) out[item.id] = item;
  return out;
}
