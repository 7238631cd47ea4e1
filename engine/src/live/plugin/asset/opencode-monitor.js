// opencode-monitor-plugin: bridge v1 — installed by `opencode-monitor plugin install`, removed by `plugin uninstall`.
/**
 * OpenCode Monitor bridge. A plain `opencode` TUI (or `opencode run`) opens no port, so the monitor cannot
 * subscribe to its events; this plugin forwards the bus events the monitor's live state needs to the monitor
 * engine on 127.0.0.1, authenticated by the token in the engine's bridge file.
 *
 * Rules this file lives by, because it runs inside the user's agent:
 * - it never throws into OpenCode: OpenCode calls `event` without awaiting it, so a rejection would surface as
 *   an unhandled rejection in the agent; every failure is swallowed and counted instead;
 * - it never blocks the agent: `event` only enqueues; a short timer sends batches in the background;
 * - memory is bounded: the queue keeps the newest MAX_QUEUE events and counts what it drops;
 * - it only talks to loopback: a bridge file naming any other host is ignored.
 *
 * OpenCode calls every export of a plugin module as a plugin, so this module has exactly one export; its pure
 * parts hang off it as `internals` for the monitor's tests.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const WIRE_VERSION = 1;
const FLUSH_DELAY_MS = 50;
const MAX_QUEUE = 1000;
const MAX_BATCH = 200;
const POST_TIMEOUT_MS = 3000;
/** A refused connection or a 401 means the engine restarted (new port/token); re-read the file at most this often. */
const REREAD_INTERVAL_MS = 3000;
/** How long OpenCode's shutdown may wait for the last batch (e.g. the final `session.idle` of `opencode run`). */
const DISPOSE_FLUSH_MS = 1500;
const MAX_STRING = 2000;
const MAX_OUTPUT = 1000;
const MAX_ARRAY = 100;
const MAX_KEYS = 100;
const MAX_DEPTH = 8;

/** The bus events the monitor's live-state reducer consumes; everything else (text deltas, LSP, PTY…) stays home. */
const FORWARDED = new Set([
  'session.status',
  'session.idle',
  'session.created',
  'session.updated',
  'session.deleted',
  'session.error',
  'message.updated',
  'message.part.updated',
  'permission.asked',
  'permission.updated',
  'permission.replied',
  'question.asked',
  'question.replied',
  'question.rejected',
  'todo.updated',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where the engine publishes its endpoint: `$OPENCODE_MONITOR_BRIDGE`, else `$XDG_STATE_HOME/opencode-monitor/bridge.json`. */
function bridgeFilePath(env) {
  const explicit = env.OPENCODE_MONITOR_BRIDGE;
  if (typeof explicit === 'string' && isAbsolute(explicit)) return explicit;
  // The XDG spec says relative values are invalid and must be ignored.
  const state = typeof env.XDG_STATE_HOME === 'string' && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'opencode-monitor', 'bridge.json');
}

/** The bridge file's JSON → `{ url, token }`, or undefined when it is malformed or names a non-loopback host. */
function parseEndpoint(raw) {
  if (!isObject(raw)) return undefined;
  const host = raw.host === undefined ? '127.0.0.1' : raw.host;
  if (typeof host !== 'string' || !LOOPBACK_HOSTS.has(host)) return undefined;
  const port = raw.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const token = raw.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 512 || /\s/.test(token)) return undefined;
  const authority = host === '::1' ? '[::1]' : host;
  return { url: `http://${authority}:${port}/bridge/events`, token };
}

/** Caps strings, arrays, key counts and depth so one huge tool output cannot bloat a batch. */
function trimValue(value, depth = 0, maxString = MAX_STRING) {
  if (typeof value === 'string') return value.length > maxString ? `${value.slice(0, maxString)}…[+${value.length - maxString} chars]` : value;
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' ? undefined : value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((item) => trimValue(item, depth + 1, maxString));
  const out = {};
  let keys = 0;
  for (const key of Object.keys(value)) {
    if (keys++ >= MAX_KEYS) break;
    const trimmed = trimValue(value[key], depth + 1, maxString);
    if (trimmed !== undefined) out[key] = trimmed;
  }
  return out;
}

/** A tool part keeps what the monitor shows (tool, status, input, times, title) and a short head of its output. */
function slimToolPart(part) {
  const state = isObject(part.state) ? part.state : {};
  const slimState = {};
  for (const key of ['status', 'input', 'title', 'time', 'error']) if (state[key] !== undefined) slimState[key] = trimValue(state[key], 2);
  if (typeof state.output === 'string') slimState.output = trimValue(state.output, 2, MAX_OUTPUT);
  const slim = { state: slimState };
  for (const key of ['id', 'sessionID', 'messageID', 'type', 'callID', 'tool']) if (part[key] !== undefined) slim[key] = part[key];
  return slim;
}

/** Message infos can carry whole file diffs in `summary`; the monitor needs the identity, agent, model and times. */
function slimMessageInfo(info) {
  const slim = {};
  for (const key of ['id', 'sessionID', 'role', 'agent', 'mode', 'model', 'modelID', 'providerID', 'parentID', 'time', 'finish', 'error']) {
    if (info[key] !== undefined) slim[key] = trimValue(info[key], 1);
  }
  return slim;
}

/** Session infos are small, except a `summary.diffs` list that may hold whole files before and after. */
function slimSessionInfo(info) {
  if (!isObject(info.summary) || info.summary.diffs === undefined) return trimValue(info, 1);
  const { diffs, ...summary } = info.summary;
  return trimValue({ ...info, summary }, 1);
}

/** The wire form of one bus event (`{type, properties}`, as on OpenCode's `/event`), or undefined to skip it. */
function toWireEvent(event) {
  if (!isObject(event) || typeof event.type !== 'string' || !FORWARDED.has(event.type)) return undefined;
  const properties = isObject(event.properties) ? event.properties : {};
  if (event.type === 'message.part.updated') {
    // Only tool parts change the live state; text and reasoning parts are the bulk of the traffic.
    if (!isObject(properties.part) || properties.part.type !== 'tool') return undefined;
    const { part, ...rest } = properties;
    return { type: event.type, properties: { ...trimValue(rest, 1), part: slimToolPart(part) } };
  }
  if (event.type === 'message.updated' && isObject(properties.info)) {
    const { info, ...rest } = properties;
    return { type: event.type, properties: { ...trimValue(rest, 1), info: slimMessageInfo(info) } };
  }
  if (event.type.startsWith('session.') && isObject(properties.info)) {
    const { info, ...rest } = properties;
    return { type: event.type, properties: { ...trimValue(rest, 1), info: slimSessionInfo(info) } };
  }
  return { type: event.type, properties: trimValue(properties, 1) };
}

/** True when `next` is a newer copy of the same tool part in the same status as `previous`. */
function supersedes(next, previous) {
  if (previous === undefined || next.type !== 'message.part.updated' || previous.type !== 'message.part.updated') return false;
  const a = next.properties.part;
  const b = previous.properties.part;
  return a.id !== undefined && a.id === b.id && a.state.status === b.state.status;
}

/** Fetch failures that mean "nobody listens there any more" rather than "the engine rejected this body". */
function isUnreachable(error) {
  return !(error && (error.name === 'AbortError' || error.name === 'TimeoutError'));
}

/**
 * The sending half, with its clock, timers, fetch and file reader injected so tests drive it without a network
 * or real time.
 */
function createBridge(deps) {
  const { env, pid, directory, fetch, now, setTimer, clearTimer, readText } = deps;
  const queue = [];
  const stats = { queued: 0, coalesced: 0, sent: 0, dropped: 0, filtered: 0, errors: 0, unauthorized: 0, refreshes: 0 };
  let droppedUnreported = 0;
  let endpoint;
  let lastRead = -Infinity;
  let timer;
  let inFlight;
  let retryAt = 0;
  let closing = false;
  let disposed = false;

  /** Re-reads the bridge file, at most once per REREAD_INTERVAL_MS so a dead engine costs no busy loop. */
  async function refreshEndpoint() {
    if (now() - lastRead < REREAD_INTERVAL_MS) return;
    lastRead = now();
    stats.refreshes++;
    try {
      endpoint = parseEndpoint(JSON.parse(await readText(bridgeFilePath(env))));
    } catch {
      endpoint = undefined;
    }
  }

  function schedule(delay) {
    if (timer !== undefined || closing) return;
    timer = setTimer(() => {
      timer = undefined;
      void flush().catch(() => stats.errors++);
    }, delay);
  }

  /** Puts an unsent batch back in front, still within the bound; the newest events win. */
  function requeue(batch) {
    queue.unshift(...batch);
    const excess = queue.length - MAX_QUEUE;
    if (excess > 0) {
      queue.splice(0, excess);
      stats.dropped += excess;
      droppedUnreported += excess;
    }
  }

  async function postOnce(batch) {
    if (endpoint === undefined) await refreshEndpoint();
    if (endpoint === undefined) return 'unreachable';
    const body = JSON.stringify({ v: WIRE_VERSION, pid, directory, dropped: droppedUnreported, events: batch });
    let response;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.token}` },
        body,
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
    } catch (error) {
      stats.errors++;
      return isUnreachable(error) ? 'unreachable' : 'failed';
    }
    if (response.status === 401 || response.status === 403) {
      stats.unauthorized++;
      return 'unauthorized';
    }
    if (!response.ok) {
      stats.errors++;
      return 'failed';
    }
    stats.sent += batch.length;
    droppedUnreported = 0;
    return 'sent';
  }

  async function sendNext() {
    const batch = queue.splice(0, MAX_BATCH);
    let outcome = await postOnce(batch);
    if (outcome === 'unreachable' || outcome === 'unauthorized') {
      // The engine may have restarted on a new port or with a new token: look again, then try once more.
      const before = endpoint;
      await refreshEndpoint();
      if (endpoint !== undefined && (before === undefined || endpoint.url !== before.url || endpoint.token !== before.token)) outcome = await postOnce(batch);
    }
    if (outcome === 'unreachable' || outcome === 'unauthorized') {
      requeue(batch);
      retryAt = now() + REREAD_INTERVAL_MS;
      return false;
    }
    if (outcome === 'failed') {
      // The engine rejected the body or did not answer in time: resending the same events would fail the same
      // way, so they are dropped and reported with the next batch.
      stats.dropped += batch.length;
      droppedUnreported += batch.length;
    }
    return true;
  }

  /** Sends what is queued, one batch at a time; resolves when the queue is empty or the engine is unreachable. */
  function flush() {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        while (queue.length > 0) if (!(await sendNext())) break;
      } finally {
        inFlight = undefined;
      }
      if (queue.length > 0) schedule(Math.max(FLUSH_DELAY_MS, retryAt - now()));
    })();
    return inFlight;
  }

  function push(event) {
    if (disposed) return;
    const wire = toWireEvent(event);
    if (wire === undefined) {
      stats.filtered++;
      return;
    }
    if (supersedes(wire, queue[queue.length - 1])) {
      // A running shell streams its output as a flood of updates of one part; only the newest one matters.
      queue[queue.length - 1] = wire;
      stats.coalesced++;
    } else {
      queue.push(wire);
      stats.queued++;
    }
    if (queue.length > MAX_QUEUE) {
      queue.shift();
      stats.dropped++;
      droppedUnreported++;
    }
    if (inFlight === undefined) schedule(Math.max(FLUSH_DELAY_MS, retryAt - now()));
  }

  /** Flushes what is left, waiting at most `waitMs`; events that still arrive meanwhile ride along. */
  async function dispose(waitMs = DISPOSE_FLUSH_MS) {
    closing = true;
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    retryAt = 0;
    let expire;
    const deadline = new Promise((resolve) => (expire = setTimer(resolve, waitMs)));
    try {
      await Promise.race([(async () => {
        await inFlight;
        await flush();
      })(), deadline]);
    } finally {
      clearTimer(expire);
      disposed = true;
    }
  }

  /** Resolves once the send in progress (if any) is done; starts nothing. */
  const whenIdle = () => inFlight ?? Promise.resolve();

  return { push, flush, dispose, whenIdle, stats, pending: () => queue.length };
}

/** OpenCode's plugin entry: `({ directory, … }) => hooks`. */
export const OpencodeMonitorBridge = async (ctx) => {
  let bridge;
  try {
    bridge = createBridge({
      env: process.env,
      pid: process.pid,
      directory: isObject(ctx) && typeof ctx.directory === 'string' ? ctx.directory : process.cwd(),
      fetch: (url, init) => globalThis.fetch(url, init),
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const handle = setTimeout(fn, ms);
        // A pending batch must not keep `opencode run` alive; `dispose` flushes on the way out.
        if (typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') handle.unref();
        return handle;
      },
      clearTimer: (handle) => clearTimeout(handle),
      readText: (path) => readFile(path, 'utf8'),
    });
  } catch {
    return {};
  }
  return {
    event: async (input) => {
      try {
        bridge.push(isObject(input) ? input.event : undefined);
      } catch {
        bridge.stats.errors++;
      }
    },
    dispose: async () => {
      try {
        await bridge.dispose();
      } catch {
        bridge.stats.errors++;
      }
    },
  };
};

OpencodeMonitorBridge.internals = {
  WIRE_VERSION,
  MAX_QUEUE,
  MAX_BATCH,
  FLUSH_DELAY_MS,
  REREAD_INTERVAL_MS,
  FORWARDED,
  bridgeFilePath,
  parseEndpoint,
  trimValue,
  toWireEvent,
  createBridge,
};
