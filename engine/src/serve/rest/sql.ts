/**
 * SQL with bound values. The query engine takes SQL text only (no prepared statements in the blocking bundle),
 * so every interpolated value goes through `literal`: numbers must be finite, strings are quoted with quotes
 * doubled (DuckDB has no backslash escapes in standard strings). Raw SQL can only come from `raw()`, which route
 * code calls with constants from a whitelist, never with request input.
 */

const RAW = Symbol('raw');

export interface RawSql {
  readonly [RAW]: string;
}

export type SqlValue = string | number | boolean | null | RawSql;

export function raw(text: string): RawSql {
  return { [RAW]: text };
}

export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`internal.bug: non-finite number bound into SQL: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return value[RAW];
}

/** Tagged template: sql`SELECT * FROM sessions WHERE id = ${id} LIMIT ${limit}`. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => (out += literal(value) + (strings[i + 1] ?? '')));
  return out;
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped (used with ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A timestamp bound from epoch ms, comparable with the TIMESTAMP_MS columns. */
export function epochMs(ms: number): RawSql {
  return raw(`epoch_ms(${literal(Math.trunc(ms))}::BIGINT)`);
}
