/** Small pieces every route file uses: paged SELECTs with a total, single-row lookups, number coercion. */
import { fail, ok, type Result, type TableName } from '../../../../../shared/src/index.js';
import type { Page } from '../params.js';
import type { RouteInput, RouteOutput } from '../router.js';
import { sql } from '../sql.js';
import type { Row } from '../tableDb.js';

export const data = (value: unknown): Result<RouteOutput> => ok({ data: value });

/** Runs `base` (a SELECT without ORDER BY/LIMIT) for one page, plus a count over all matching rows. */
export async function paged(input: RouteInput, tables: readonly TableName[], base: string, orderBy: string, page: Page): Promise<Result<RouteOutput>> {
  const total = await input.rows(tables, `SELECT count(*)::BIGINT AS n FROM (${base}) AS counted`);
  if (!total.ok) return total;
  const rows = await input.rows(tables, `${base} ORDER BY ${orderBy} ${sql`LIMIT ${page.limit} OFFSET ${page.offset}`}`);
  if (!rows.ok) return rows;
  const n = num(total.value[0]?.['n']);
  const pages = page.page === undefined ? {} : { page: page.page, per_page: page.limit, total_pages: Math.ceil(n / page.limit) };
  return ok({ data: rows.value, meta: { limit: page.limit, offset: page.offset, count: rows.value.length, total: n, has_more: page.offset + rows.value.length < n, ...pages } });
}

export async function firstRow(input: RouteInput, tables: readonly TableName[], query: string): Promise<Result<Row | undefined>> {
  const rows = await input.rows(tables, query);
  return rows.ok ? ok(rows.value[0]) : rows;
}

/** The session row, or a 404 problem naming the id. */
export async function requireSession(input: RouteInput, id: string): Promise<Result<Row>> {
  const row = await firstRow(input, ['sessions'], sql`SELECT * FROM sessions WHERE id = ${id}`);
  if (!row.ok) return row;
  return row.value ? ok(row.value) : fail({ code: 'serve.not-found', message: `no session "${id}"` });
}

export function num(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

/** 0.1234 → "12.3%" as the original printed failure rates. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '0.0%';
}

/** The original's "TracingConfig" estimate: $3 / 1M input, $15 / 1M output, $0.30 / 1M cache read. */
export function estimatedCost(input: number, output: number, cacheRead: number): number {
  return Math.round(((input * 3 + output * 15 + cacheRead * 0.3) / 1_000_000) * 1e6) / 1e6;
}

export const round = (value: number, digits = 6): number => Math.round(value * 10 ** digits) / 10 ** digits;
