/**
 * The response envelope of the original monitor: `{success: true, data, meta?}` or
 * `{success: false, error: {code, message}}`, with the HTTP status derived from the problem code.
 */
import type http from 'node:http';
import type { Problem, ProblemCode } from '../../../../shared/src/index.js';

export interface ListMeta {
  readonly limit: number;
  readonly offset: number;
  /** Items in this page. */
  readonly count: number;
  /** Items matching the filters, across all pages. */
  readonly total: number;
  readonly has_more: boolean;
}

const STATUS: Partial<Record<ProblemCode, number>> = {
  'serve.bad-request': 400,
  'serve.forbidden': 403,
  'serve.not-found': 404,
  'serve.method-not-allowed': 405,
  'serve.payload-too-large': 413,
  'serve.unsupported-media-type': 415,
  'serve.rate-limited': 429,
  'query.sql-error': 500,
  'internal.bug': 500,
  // The instance that owns the request refused or did not answer: a gateway problem, not ours.
  'live.unreachable': 502,
  'live.http-status': 502,
  'live.bad-response': 502,
};

export function statusFor(code: ProblemCode): number {
  return STATUS[code] ?? 500;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function sendData(res: http.ServerResponse, data: unknown, meta?: ListMeta): void {
  const headers: Record<string, string> = meta ? { 'x-total-count': String(meta.total) } : {};
  sendJson(res, 200, meta ? { success: true, data, meta } : { success: true, data }, headers);
}

export function sendProblem(res: http.ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  sendJson(res, statusFor(problem.code), { success: false, error: { code: problem.code, message: problem.message } }, headers);
}
