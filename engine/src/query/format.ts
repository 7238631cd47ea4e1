/**
 * Renders a `QueryResult` for `opencode-monitor sql`: an aligned text table for terminals, JSON, or CSV.
 * Pure functions; each returns the complete output ending in a newline.
 */
import type { QueryColumn, QueryResult } from './queryResult.js';

export interface TableFormatOptions {
  /**
   * Total width in terminal columns (e.g. `process.stdout.columns`). The widest columns are narrowed and their
   * cells cut with '…' until the table fits, but no column below 3 characters.
   * @default Infinity (no limit)
   */
  readonly maxWidth?: number;
}

export interface CsvFormatOptions {
  /** @default '\n' (as DuckDB's COPY and psql --csv write; pass '\r\n' for strict RFC 4180 line breaks) */
  readonly lineEnding?: '\n' | '\r\n';
}

const SEPARATOR = ' | ';
const MIN_COLUMN_WIDTH = 3;
const NUMERIC_TYPE = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT)|HUGEINT|FLOAT|DOUBLE|DECIMAL)\b/;

/**
 * ```
 * kind   |  n
 * -------+----
 * sqlite |  3
 * json   | 12
 * (2 rows)
 * ```
 * Numbers are right-aligned, NULL is shown as `NULL`, control characters as `\n`, `\t` …, nested values as JSON.
 */
export function formatTable(result: QueryResult, options: TableFormatOptions = {}): string {
  const { columns, rows } = result;
  const footer = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
  if (columns.length === 0) return footer;

  const header = columns.map((c) => escapeControls(c.name));
  const body = rows.map((row) => columns.map((_, k) => tableCell(row[k])));
  const natural = header.map(displayWidth);
  for (const cells of body) cells.forEach((cell, k) => (natural[k] = Math.max(natural[k]!, displayWidth(cell))));
  const widths = fitWidths(natural, options.maxWidth ?? Infinity);
  const right = columns.map(isNumeric);

  const line = (cells: string[]): string =>
    cells
      .map((cell, k) => {
        const width = widths[k]!;
        const text = truncate(cell, width);
        const padding = ' '.repeat(width - displayWidth(text));
        if (right[k]) return padding + text;
        return k === cells.length - 1 ? text : text + padding; // no trailing blanks at the end of a line
      })
      .join(SEPARATOR);

  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), rule, ...body.map(line)].join('\n') + '\n' + footer;
}

/** An array with one object per row, keyed by column name (a repeated name gets `_1`, `_2` …), 2-space indent. */
export function formatJson(result: QueryResult): string {
  const keys = uniqueNames(result.columns);
  const objects = result.rows.map((row) => Object.fromEntries(keys.map((key, k) => [key, row[k] ?? null])));
  return JSON.stringify(objects, jsonSafe, 2) + '\n';
}

/**
 * A header line, then one record per row. Fields with a comma, a double quote, CR or LF are quoted and quotes
 * doubled (RFC 4180). NULL is an empty field; an empty string is `""`, so the two stay apart. Nested values are
 * written as JSON.
 */
export function formatCsv(result: QueryResult, options: CsvFormatOptions = {}): string {
  const eol = options.lineEnding ?? '\n';
  const record = (fields: string[]): string => fields.join(',') + eol;
  return (
    record(result.columns.map((c) => csvField(c.name))) +
    result.rows.map((row) => record(result.columns.map((_, k) => csvCell(row[k])))).join('')
  );
}

function isNumeric(column: QueryColumn): boolean {
  return NUMERIC_TYPE.test(column.type);
}

/** Plain text of a value: strings as they are, nested values as JSON. */
function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, jsonSafe);
  return String(value);
}

function tableCell(value: unknown): string {
  return value === null || value === undefined ? 'NULL' : escapeControls(cellText(value));
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = cellText(value);
  return text === '' ? '""' : csvField(text);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Values from `toQueryResult` are already JSON-safe; this only guards results built elsewhere. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

function uniqueNames(columns: readonly QueryColumn[]): string[] {
  const taken = new Set(columns.map((c) => c.name));
  const seen = new Set<string>();
  return columns.map(({ name }) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 1;
    while (taken.has(`${name}_${n}`)) n++;
    const unique = `${name}_${n}`;
    taken.add(unique);
    return unique;
  });
}

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Keeps one value on one line: newlines and other control characters become visible escapes. */
function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Column widths that fit `maxWidth`: find the largest cap such that capping every column at it fits, so narrow
 * columns keep their width and only the widest ones are cut.
 */
function fitWidths(natural: readonly number[], maxWidth: number): number[] {
  const overhead = SEPARATOR.length * (natural.length - 1);
  const total = (cap: number): number => natural.reduce((sum, w) => sum + Math.min(w, cap), overhead);
  const widest = Math.max(...natural);
  if (total(widest) <= maxWidth) return [...natural];
  let low = MIN_COLUMN_WIDTH; // fits, or nothing does (then the table overflows at the minimum)
  let high = widest;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (total(mid) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return natural.map((w) => Math.min(w, low));
}

function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char.codePointAt(0)!);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return out + '…';
}

/** Terminal columns a string takes: East Asian wide characters and emoji count 2, combining marks 0. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0)!);
  return width;
}

function charWidth(cp: number): number {
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}
