/**
 * Where persisted state lives, and what its file names may look like. Pure: paths and names only.
 *
 *   <stateDir>/v<schemaVersion>/manifest.json
 *   <stateDir>/v<schemaVersion>/segments/<table>-<seq>.arrow
 *
 * Names are validated strictly because a manifest read from disk decides which files are read and deleted:
 * a segment name can never contain a path separator or `..`.
 */
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const SEGMENTS_DIR = 'segments';
const SEGMENT_EXT = '.arrow';

/** Table names as in shared/schema: lower snake case. No `-`, so `<table>-<seq>` splits unambiguously. */
const TABLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SEGMENT_NAME = /^([a-z][a-z0-9_]{0,63})-(\d{6,15})\.arrow$/;
const VERSION_DIR = /^v(\d{1,9})$/;
/** Temp files are hidden and carry `.tmp-`; see atomicWrite.ts. */
const TEMP_NAME = /^\..*\.tmp-[0-9a-z-]+$/;

export function isTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}

export function versionDir(stateDir: string, schemaVersion: number): string {
  return path.join(stateDir, `v${schemaVersion}`);
}

/** The schema version a `v<N>` directory name stands for, or null for any other name. */
export function parseVersionDirName(name: string): number | null {
  const match = VERSION_DIR.exec(name);
  return match ? Number(match[1]) : null;
}

export function segmentFileName(table: string, seq: number): string {
  return `${table}-${String(seq).padStart(6, '0')}${SEGMENT_EXT}`;
}

/** `{table, seq}` for a well-formed segment file name, else null. */
export function parseSegmentFileName(name: string): { table: string; seq: number } | null {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return null;
  return { table: match[1]!, seq: Number(match[2]) };
}

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}
