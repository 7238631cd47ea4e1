/**
 * A full read of an OpenCode data dir: sessions, projects and todos first (small; they give the session tree),
 * then message and part ranges and legacy file groups through the worker pool, merged as they arrive.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildSessionTree, childRootMap } from '../derive/index.js';
import type { Logger } from '../log.js';
import { childRootsRef, type IngestPool, type IngestTask, type TaskResult } from '../pipeline/index.js';
import { discoverSources } from '../sources/index.js';
import type { BodySpill } from './bodySpill.js';
import { IngestState, issueLine, readFailed } from './ingestState.js';
import { planJsonGroups, planSqliteRanges } from './plan.js';

export interface Progress {
  readonly phase: 'meta' | 'records' | 'derive';
  /** Work units done and planned (rows for SQLite ranges, directories for legacy groups). */
  readonly done: number;
  readonly total: number;
}

export interface BackfillOptions {
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pool: IngestPool;
  readonly logger: Logger;
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Takes body chunks as they arrive instead of the returned state holding them (see `bodySpill.ts`); its
   * `room` paces the workers: a lane starts its next task once the chunks of its last are within the bound.
   */
  readonly bodies?: Pick<BodySpill, 'take' | 'room'>;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function taskSize(task: IngestTask): number {
  if (task.kind === 'sqlite-messages' || task.kind === 'sqlite-parts') return task.toRowid - task.fromRowid;
  if (task.kind === 'json-messages' || task.kind === 'json-parts') return task.groups.length;
  return 0;
}

export async function backfill(options: BackfillOptions): Promise<IngestState> {
  const { pool } = options;
  const locations = await discoverSources(options.dataDir, options.env);
  const dbPaths = locations.filter((l) => l.kind === 'sqlite').map((l) => l.path);
  const storageDir = locations.find((l) => l.kind === 'json')?.path;
  const state = new IngestState();
  for (const location of locations) state.source(location.kind, location.path);

  options.onProgress?.({ phase: 'meta', done: 0, total: locations.length });
  const metaTasks: IngestTask[] = [
    ...dbPaths.map((dbPath): IngestTask => ({ kind: 'sqlite-meta', dbPath })),
    ...(storageDir ? [{ kind: 'json-meta', storageDir } as const] : []),
  ];
  const metaResults = await Promise.all(metaTasks.map((task) => pool.run(task)));
  // Databases first, in name order, so the database wins over the legacy tree for the same id.
  for (const result of metaResults) state.mergeMeta(result);

  const roots = childRootsRef(childRootMap(buildSessionTree(state.sessions.values())));
  const tasks: IngestTask[] = [];
  for (const result of metaResults) {
    const bounds = result.meta?.bounds;
    if (result.task !== 'sqlite-meta' || !bounds) continue;
    tasks.push(...planSqliteRanges(result.source, 'sqlite-messages', bounds.message, roots));
    tasks.push(...planSqliteRanges(result.source, 'sqlite-parts', bounds.part, roots));
  }
  if (storageDir) {
    // A database whose meta read failed (locked, vanished, unreadable) is already reported; checking legacy ids
    // against it would fail again in every task (a locked one after a busy wait each time).
    const readable = dbPaths.filter((p) => !metaResults.some((r) => r.source === p && readFailed(r)));
    tasks.push(...planJsonGroups(storageDir, 'json-messages', await subdirectories(path.join(storageDir, 'message')), readable, roots));
    tasks.push(...planJsonGroups(storageDir, 'json-parts', await subdirectories(path.join(storageDir, 'part')), readable, roots));
  }
  const total = tasks.reduce((sum, task) => sum + taskSize(task), 0);
  let done = 0;
  options.onProgress?.({ phase: 'records', done, total });
  await pool.runAll(tasks, (result: TaskResult) => {
    state.mergeBodies(result, options.bodies?.take);
    done += result.records;
    options.onProgress?.({ phase: 'records', done: Math.min(done, total), total });
    return options.bodies?.room();
  });
  for (const [source, log] of state.issues) {
    for (const [reason, { count, example }] of Object.entries(log)) {
      options.logger.warn(issueLine(reason, count, source, example));
    }
  }
  return state;
}
