/**
 * Gathers an instance's current state from its API (opencode.md §7.2) for the reducer's `seedInstance`.
 * One OpenCode process serves several project directories, each with its own status map and request queues,
 * so status, permissions and questions are asked of the default directory and of every directory with a
 * recently active session (found through `/experimental/session`).
 */
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import type { LiveSeed, SeedRequest } from '../state/index.js';
import { httpStatusOf, requestJson } from './instanceHttp.js';
import type { FollowTarget } from './instanceHttp.js';

export interface FetchSeedOptions {
  readonly timeoutMs: number;
  readonly nowMs: number;
  /** Directories whose sessions changed within this window are asked too. */
  readonly recentMs: number;
  readonly signal?: AbortSignal;
}

const SESSION_LIMIT = 100;
const MAX_DIRECTORIES = 8;
const MAX_BUSY_DETAILS = 20;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export async function fetchSeed(target: FollowTarget, opts: FetchSeedOptions): Promise<Result<LiveSeed>> {
  const get = (path: string, directory?: string) =>
    requestJson(target, path, { timeoutMs: opts.timeoutMs, ...(directory !== undefined ? { directory } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });

  // The status map decides the connection: if it cannot be read, nothing else is worth asking.
  const [status, health, path, sessions, crossProject] = await Promise.all([
    get('/session/status'),
    get('/global/health'),
    get('/path'),
    get(`/session?limit=${SESSION_LIMIT}`),
    get(`/experimental/session?limit=${SESSION_LIMIT}`),
  ]);
  if (!status.ok) return fail(status.problem);
  const defaultDir = path.ok ? (rec(path.value).directory as string | undefined) : undefined;
  const allSessions = [...(sessions.ok ? arr(sessions.value) : []), ...(crossProject.ok ? arr(crossProject.value) : [])];

  const otherDirs = [...new Set(allSessions.filter((s) => (Number(rec(rec(s).time).updated) || 0) >= opts.nowMs - opts.recentMs).map((s) => rec(s).directory))]
    .filter((d): d is string => typeof d === 'string' && d !== '' && d !== defaultDir)
    .slice(0, MAX_DIRECTORIES);
  const dirs: (string | undefined)[] = [undefined, ...otherDirs];
  const perDir = await Promise.all(dirs.map(async (dir) => ({ dir: dir ?? defaultDir, status: dir === undefined ? status : await get('/session/status', dir), permissions: await get('/permission', dir), questions: await get('/question', dir) })));

  const statuses: Rec = {};
  for (const d of perDir) if (d.status.ok) Object.assign(statuses, rec(d.status.value));
  // Servers from before the permission API answer 404 there; the heuristics then stand in (seed study §1.4).
  const permissionApi = httpStatusOf(perDir[0]?.permissions ?? status) !== 404;
  const requests = (key: 'permissions' | 'questions'): SeedRequest[] =>
    perDir.flatMap((d) => (d[key].ok ? arr(d[key].value).map((request) => ({ request, ...(d.dir !== undefined ? { directory: d.dir } : {}) })) : []));

  const dirOf = new Map(allSessions.map((s) => [rec(s).id, rec(s).directory as string | undefined]));
  const busy = Object.keys(statuses).slice(0, MAX_BUSY_DETAILS);
  const todos: Rec = {};
  const messages: Rec = {};
  await Promise.all(
    busy.map(async (id) => {
      const dir = dirOf.get(id);
      const [t, m] = await Promise.all([get(`/session/${encodeURIComponent(id)}/todo`, dir), get(`/session/${encodeURIComponent(id)}/message?limit=2`, dir)]);
      if (t.ok) todos[id] = t.value;
      if (m.ok) messages[id] = m.value;
    }),
  );
  const version = health.ok ? rec(health.value).version : undefined;
  return ok({
    statuses,
    sessions: allSessions,
    permissions: permissionApi ? requests('permissions') : undefined,
    questions: requests('questions'),
    todos,
    messages,
    ...(typeof version === 'string' ? { version } : {}),
  });
}
