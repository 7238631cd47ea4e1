/**
 * The REST entry point the server mounts after its access checks: matches the route, enforces GET-only outside
 * the reply routes, rate-limits and reads the body of mutating calls, and answers in the original's envelope.
 * Per-context state (the DuckDB copy of the tables, the rate-limit buckets) lives in a WeakMap keyed by the
 * context object, so the handler keeps the signature the server calls it with.
 */
import type http from 'node:http';
import { fail, type Result } from '../../../../shared/src/index.js';
import { openQueryEngine } from '../../query/index.js';
import { readJsonBody } from './body.js';
import type { RestContext } from './context.js';
import { sendData, sendProblem } from './envelope.js';
import { createRateLimiter, type RateLimiter } from './rateLimit.js';
import { matchRoute, type Route, type RouteOutput } from './router.js';
import { actionRoutes } from './routes/actions.js';
import { healthRoutes, liveRoutes } from './routes/live.js';
import { securityRoutes } from './routes/security.js';
import { sessionContentRoutes } from './routes/sessionContent.js';
import { sessionTimelineRoutes } from './routes/sessionTimeline.js';
import { sessionRoutes } from './routes/sessions.js';
import { sessionUsageRoutes } from './routes/sessionUsage.js';
import { statsRoutes } from './routes/stats.js';
import { tracingRoutes } from './routes/tracing.js';
import { createTableDb, type TableDb } from './tableDb.js';

export const ROUTES: readonly Route[] = [
  ...healthRoutes,
  ...statsRoutes,
  ...sessionRoutes,
  ...sessionUsageRoutes,
  ...sessionContentRoutes,
  ...sessionTimelineRoutes,
  ...tracingRoutes,
  ...securityRoutes,
  ...liveRoutes,
  ...actionRoutes,
];

interface RestState {
  readonly db: TableDb;
  readonly limiter: RateLimiter;
}

const states = new WeakMap<RestContext, RestState>();

function stateOf(ctx: RestContext): RestState {
  let state = states.get(ctx);
  if (!state) {
    const rate = ctx.rateLimit ?? { perSecond: 10, burst: 20 };
    state = {
      db: createTableDb((name) => ctx.tableChunks(name), openQueryEngine),
      limiter: createRateLimiter(rate.perSecond, rate.burst, ctx.now ?? Date.now),
    };
    states.set(ctx, state);
  }
  return state;
}

/** Frees the DuckDB copy kept for `ctx` (on shutdown). */
export async function closeRestContext(ctx: RestContext): Promise<void> {
  const state = states.get(ctx);
  states.delete(ctx);
  await state?.db.close();
}

/** The client a rate-limit bucket belongs to: the remote address (every caller shares the one install token). */
function clientOf(req: http.IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Answers `/api/...` requests. Returns false when no route matches the path, so the caller can answer 404 its own
 * way; call it only after the token, Host and Origin checks have passed.
 */
export async function handleApiRequest(req: http.IncomingMessage, res: http.ServerResponse, url: URL, ctx: RestContext): Promise<boolean> {
  const match = matchRoute(ROUTES, req.method ?? 'GET', url.pathname);
  if (match.kind === 'none') return false;
  if (match.kind === 'method-not-allowed') {
    req.resume();
    sendProblem(res, { code: 'serve.method-not-allowed', message: `${req.method} is not allowed on ${url.pathname}; use ${match.allowed.join(' or ')}` }, { allow: match.allowed.join(', ') });
    return true;
  }
  const { route, params } = match;
  const state = stateOf(ctx);
  const client = clientOf(req);
  let body: unknown;
  if (route.method === 'POST') {
    const decision = state.limiter.take(client);
    if (!decision.allowed) {
      req.resume();
      ctx.logger.warn(`rest: rate limit hit by ${client} on ${url.pathname}`);
      sendProblem(res, { code: 'serve.rate-limited', message: `too many requests; retry in ${decision.retryAfterSeconds} s` }, { 'retry-after': String(decision.retryAfterSeconds) });
      return true;
    }
    const parsed = await readJsonBody(req);
    if (!parsed.ok) {
      sendProblem(res, parsed.problem);
      return true;
    }
    body = parsed.value;
  }
  let result: Result<RouteOutput>;
  try {
    result = await route.handle({ params, query: url.searchParams, now: (ctx.now ?? Date.now)(), ctx, rows: (tables, query) => state.db.rows(tables, query), body, client });
  } catch (error) {
    // A thrown error is a bug by our conventions: log it whole, answer without internals.
    ctx.logger.error(`internal.bug: rest ${req.method} ${url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    result = fail({ code: 'internal.bug', message: 'internal error; see the engine log' });
  }
  if (!result.ok) {
    if (result.problem.code === 'query.sql-error' || result.problem.code === 'internal.bug') ctx.logger.error(`rest: ${url.pathname}: ${result.problem.message}`);
    sendProblem(res, result.problem);
  } else {
    sendData(res, result.value.data, result.value.meta);
  }
  return true;
}
