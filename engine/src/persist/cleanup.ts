/**
 * Housekeeping of the state directory: older schema versions, and files no committed manifest names (left by a
 * crash). Best effort: a file that cannot be deleted now is garbage again on the next load.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SEGMENTS_DIR, isTempName, parseSegmentFileName, parseVersionDirName } from './layout.js';

/** Deletes `v<N>` directories older than `schemaVersion` (best effort); newer ones belong to a newer engine. */
export async function discardOlderVersions(stateDir: string, schemaVersion: number): Promise<number[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(stateDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const discarded: number[] = [];
  for (const entry of entries) {
    const version = parseVersionDirName(entry.name);
    if (version === null || version >= schemaVersion || !entry.isDirectory()) continue;
    try {
      await fs.rm(path.join(stateDir, entry.name), { recursive: true, force: true });
      discarded.push(version);
    } catch {
      // Left for the next start; it is never read.
    }
  }
  return discarded.sort((a, b) => a - b);
}

/** Removes temp files and segment files no manifest names; returns the count and the highest seq seen. */
export async function removeGarbage(dir: string, referenced: ReadonlySet<string>): Promise<{ removed: number; maxSeq: number }> {
  const segmentsDir = path.join(dir, SEGMENTS_DIR);
  const doomed: string[] = [];
  let seen = 0;
  for (const name of await listNames(segmentsDir)) {
    const seq = parseSegmentFileName(name)?.seq;
    if (seq !== undefined) seen = Math.max(seen, seq);
    if ((seq !== undefined && !referenced.has(name)) || isTempName(name)) doomed.push(path.join(segmentsDir, name));
  }
  for (const name of await listNames(dir)) if (isTempName(name)) doomed.push(path.join(dir, name));
  let removed = 0;
  for (const file of doomed) {
    try {
      await fs.rm(file, { force: true });
      removed++;
    } catch {
      // Still garbage; tried again on the next load.
    }
  }
  return { removed, maxSeq: seen };
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

export async function removeFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
}

export function maxSeq(names: Iterable<string>): number {
  let max = 0;
  for (const name of names) max = Math.max(max, parseSegmentFileName(name)?.seq ?? 0);
  return max;
}
