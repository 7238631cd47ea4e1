/**
 * The DuckDB file kept between runs, beside the saved index. A run writes its first file only once its tables have
 * been quiet (16 s of writing at 1M parts), and pages opened before that (the one `start --open` opens, too) were
 * sent the Arrow snapshot. So the file a run holds when it stops is kept when the tables did not change after it
 * was written, with a digest of the manifest the final save wrote; the next run adopts it when it starts warm from
 * that same manifest: then the file holds exactly the tables it starts with, and what its first refresh finds
 * follows as seq'd changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SCHEMA_VERSION, type TableName } from '../../../../shared/src/index.js';
import { FILE_MODE } from '../../persist/index.js';
import type { SnapshotFiles } from './snapshotFiles.js';

export interface KeptFilePaths {
  /** The saved index's manifest, rewritten by every save. */
  readonly manifest: string;
  readonly file: string;
  /** `{ manifest digest, bytes, rows }` of the kept file. */
  readonly sidecar: string;
}

export interface KeptFile {
  readonly file: string;
  readonly bytes: number;
  readonly rows: Readonly<Partial<Record<TableName, number>>>;
}

interface Sidecar {
  readonly manifest: string;
  readonly bytes: number;
  readonly rows: Readonly<Partial<Record<TableName, number>>>;
}

/** Where the kept file of the index in `indexDir` (`indexDirFor`) lives: beside its manifest. */
export function keptFilePaths(indexDir: string): KeptFilePaths {
  const dir = path.join(indexDir, `v${SCHEMA_VERSION}`);
  const file = path.join(dir, 'tables.duckdb');
  return { manifest: path.join(dir, 'manifest.json'), file, sidecar: `${file}.json` };
}

function manifestDigest(paths: KeptFilePaths): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(paths.manifest)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The kept file, if the saved index is still the one it was kept with; read before the index is loaded. */
export function readKeptFile(paths: KeptFilePaths): KeptFile | undefined {
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(fs.readFileSync(paths.sidecar, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
  const digest = manifestDigest(paths);
  const size = fs.statSync(paths.file, { throwIfNoEntry: false })?.size;
  if (digest === undefined || sidecar.manifest !== digest || size !== sidecar.bytes || typeof sidecar.rows !== 'object') return undefined;
  return { file: paths.file, bytes: sidecar.bytes, rows: sidecar.rows };
}

/** Removes a kept file (taken over, or no longer the tables'): it is hundreds of MB on a large history. */
export function dropKeptFile(paths: KeptFilePaths): void {
  fs.rmSync(paths.sidecar, { force: true });
  fs.rmSync(paths.file, { force: true });
}

/**
 * After the final save: keeps the current file when `unchanged` (no table changed since it was written), else
 * drops any kept one. True when a file was kept.
 */
export function keepCurrentFile(files: SnapshotFiles, paths: KeptFilePaths, unchanged: boolean): boolean {
  dropKeptFile(paths);
  const current = files.current;
  const digest = manifestDigest(paths);
  if (!current || !unchanged || digest === undefined || !files.keepAs(paths.file)) return false;
  const sidecar: Sidecar = { manifest: digest, bytes: current.bytes, rows: current.rows };
  fs.writeFileSync(paths.sidecar, JSON.stringify(sidecar), { mode: FILE_MODE });
  return true;
}
