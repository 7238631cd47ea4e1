/**
 * The manifest: which segment files make up each table, in row order, plus the caller's watermarks (how far
 * each source has been read). It is the single commit point: a segment exists for a reader only once a
 * manifest names it. Pure: parsing, validation and policy; the state store does the I/O.
 */
import { fail, ok, type Result } from '../../../shared/src/index.js';
import { isTableName, parseSegmentFileName } from './layout.js';

/** Bump when the manifest's own shape changes (not the tables' schema: that is `schemaVersion`). */
export const MANIFEST_FORMAT_VERSION = 1;

export interface SegmentInfo {
  /** File name inside `segments/`: `<table>-<seq>.arrow`. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  /** Hex SHA-256 of the file, checked on load when present. */
  readonly sha256?: string;
  /** Smallest and largest source_rowid of its rows, when the table has them (an upsert skips other ranges). */
  readonly rowidRange?: readonly [number, number];
}

export interface TableInfo {
  /** In row order. */
  readonly segments: readonly SegmentInfo[];
}

export interface Manifest {
  readonly formatVersion: typeof MANIFEST_FORMAT_VERSION;
  readonly schemaVersion: number;
  readonly engineVersion: string;
  /** ISO 8601. */
  readonly writtenAt: string;
  readonly tables: Readonly<Record<string, TableInfo>>;
  /** Opaque JSON from the caller, committed together with the segments it describes. */
  readonly watermarks: unknown;
}

export function emptyManifest(schemaVersion: number, engineVersion: string, writtenAt: string): Manifest {
  return { formatVersion: MANIFEST_FORMAT_VERSION, schemaVersion, engineVersion, writtenAt, tables: {}, watermarks: {} };
}

/** The table's entry, never an inherited property (`constructor` is a valid table name). */
export function tableInfo(manifest: Manifest, table: string): TableInfo | undefined {
  return Object.hasOwn(manifest.tables, table) ? manifest.tables[table] : undefined;
}

/** Compaction policy: more than `maxSegments` segments in the committed table. */
export function needsCompaction(manifest: Manifest | null, table: string, policy: { readonly maxSegments: number }): boolean {
  if (!manifest) return false;
  const info = tableInfo(manifest, table);
  return info !== undefined && info.segments.length > Math.max(1, policy.maxSegments);
}

/** Parses manifest text; any defect is a `source.unreadable` problem naming the first bad field. */
export function parseManifest(text: string, schemaVersion: number, source?: string): Result<Manifest> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return unreadable(`manifest is not valid JSON (${(error as Error).message})`, source);
  }
  const defect = manifestDefect(value, schemaVersion);
  return defect ? unreadable(`manifest is malformed: ${defect}`, source) : ok(value as Manifest);
}

function unreadable(message: string, source: string | undefined): Result<never> {
  return fail({ code: 'source.unreadable', message, ...(source ? { source } : {}) });
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The first thing wrong with a parsed manifest, or null when it is well-formed. */
export function manifestDefect(value: unknown, schemaVersion: number): string | null {
  if (!isObject(value)) return 'expected a JSON object';
  if (value.formatVersion !== MANIFEST_FORMAT_VERSION) {
    return `formatVersion is ${JSON.stringify(value.formatVersion)}, this engine reads ${MANIFEST_FORMAT_VERSION}`;
  }
  if (value.schemaVersion !== schemaVersion) {
    return `schemaVersion is ${JSON.stringify(value.schemaVersion)} in the directory for ${schemaVersion}`;
  }
  if (typeof value.engineVersion !== 'string') return 'engineVersion must be a string';
  if (typeof value.writtenAt !== 'string' || Number.isNaN(Date.parse(value.writtenAt))) {
    return 'writtenAt must be an ISO date string';
  }
  if (!('watermarks' in value)) return 'watermarks is missing';
  if (!isObject(value.tables)) return 'tables must be an object';
  const seen = new Set<string>();
  for (const [table, info] of Object.entries(value.tables)) {
    const defect = tableDefect(table, info, seen);
    if (defect) return defect;
  }
  return null;
}

function tableDefect(table: string, info: unknown, seen: Set<string>): string | null {
  if (!isTableName(table)) return `table name ${JSON.stringify(table)} is not lower snake case`;
  if (!isObject(info) || !Array.isArray(info.segments)) return `tables.${table}.segments must be an array`;
  for (const [i, segment] of info.segments.entries()) {
    const where = `tables.${table}.segments[${i}]`;
    if (!isObject(segment)) return `${where} must be an object`;
    if (typeof segment.file !== 'string' || parseSegmentFileName(segment.file)?.table !== table) {
      return `${where}.file ${JSON.stringify(segment.file)} is not a segment file name of table ${table}`;
    }
    if (seen.has(segment.file)) return `${where}.file ${segment.file} is listed twice`;
    seen.add(segment.file);
    if (!isCount(segment.rows)) return `${where}.rows must be a non-negative integer`;
    if (!isCount(segment.bytes) || segment.bytes === 0) return `${where}.bytes must be a positive integer`;
    if (segment.sha256 !== undefined && (typeof segment.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(segment.sha256))) {
      return `${where}.sha256 must be 64 lower-case hex digits`;
    }
    const range: unknown = segment.rowidRange;
    if (range !== undefined && !(Array.isArray(range) && range.length === 2 && range.every((n) => typeof n === 'number' && Number.isFinite(n)) && range[0] <= range[1])) {
      return `${where}.rowidRange must be two finite numbers, the smaller first`;
    }
  }
  return null;
}
