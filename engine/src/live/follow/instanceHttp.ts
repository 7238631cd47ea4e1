/**
 * Bounded JSON requests to one OpenCode instance. Every call has a timeout; failures come back as a Problem
 * (never thrown) with the HTTP status in `detail.status` so callers can tell 401 and 404 apart.
 */
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import { liveProblem } from './liveProblem.js';

/** What the follower needs of an instance; discovery supplies it (headers carry Basic auth when needed). */
export interface FollowTarget {
  readonly id: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Routes the call to this project directory's OpenCode instance (`?directory=`). */
  readonly directory?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

export function instanceUrl(target: FollowTarget, path: string, directory?: string): string {
  const url = new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`);
  if (directory !== undefined) url.searchParams.set('directory', directory);
  return url.toString();
}

export async function requestJson(target: FollowTarget, path: string, opts: RequestOptions = {}): Promise<Result<unknown>> {
  const url = instanceUrl(target, path, opts.directory);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...target.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let text: string;
  let status: number;
  try {
    const res = await fetch(url, { method: opts.method ?? 'GET', headers, signal, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    return fail(liveProblem('live.unreachable', `${opts.method ?? 'GET'} ${path} failed: ${describeError(err)}`, target.url));
  }
  if (status < 200 || status >= 300) {
    return fail(liveProblem('live.http-status', `${opts.method ?? 'GET'} ${path} answered ${status}: ${text.slice(0, 200)}`, target.url, { status }));
  }
  if (text.trim() === '') return ok(undefined);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail(liveProblem('live.bad-response', `${opts.method ?? 'GET'} ${path} did not answer JSON`, target.url, { status }));
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code = cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.message) : undefined;
    if (err.name === 'TimeoutError') return 'timed out';
    return code !== undefined ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

export const httpStatusOf = (r: Result<unknown>): number | undefined => (r.ok ? undefined : (r.problem.detail?.status as number | undefined));
