/**
 * The route table and its matcher, pure: a path pattern with `:name` segments, a method, and a handler that
 * returns data or a problem. The matcher tells "no such route" (404) from "no such method here" (405).
 */
import type { Result, TableName } from '../../../../shared/src/index.js';
import type { RestContext } from './context.js';
import type { ListMeta } from './envelope.js';
import type { Row } from './tableDb.js';

export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly now: number;
  readonly ctx: RestContext;
  /** Loads the named tables into DuckDB if they changed, then runs the SQL. */
  readonly rows: (tables: readonly TableName[], sql: string) => Promise<Result<Row[]>>;
  /** The parsed JSON body (POST routes only). */
  readonly body: unknown;
  /** Who called, for logs: remote address. */
  readonly client: string;
}

export interface RouteOutput {
  readonly data: unknown;
  readonly meta?: ListMeta;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** e.g. `/api/session/:id/tools` */
  readonly path: string;
  handle(input: RouteInput): Promise<Result<RouteOutput>>;
}

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'none' };

export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return undefined;
      }
      params[w.slice(1)] = value;
    } else if (w !== g) return undefined;
  }
  return params;
}

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const allowed = new Set<string>();
  // Literal routes win over parameterised ones (`/api/sessions/search` before `/api/sessions/:id`).
  const ordered = [...routes].sort((a, b) => paramCount(a.path) - paramCount(b.path));
  for (const route of ordered) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    const effective = method === 'HEAD' ? 'GET' : method;
    if (route.method === effective) return { kind: 'route', route, params };
    allowed.add(route.method);
  }
  return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'none' };
}

function paramCount(path: string): number {
  return path.split('/').filter((s) => s.startsWith(':')).length;
}
