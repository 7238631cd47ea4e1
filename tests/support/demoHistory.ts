/** The demo history in a temp dir with an ingest pool: the set-up of engine tests that index real OpenCode data. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDemoDataDir } from '../../engine/src/demo/index.js';
import { createIngestPool, type IngestPool } from '../../engine/src/pipeline/index.js';

export interface DemoHistory {
  /** The temp dir holding it all; removed by `removeDemoHistory`. */
  readonly root: string;
  readonly dataDir: string;
  readonly pool: IngestPool;
}

/** Builds the demo history (fixed clock, so every run indexes the same rows) under a new temp dir. */
export async function demoHistory(prefix: string, options: { threads?: number } = {}): Promise<DemoHistory> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const demo = await ensureDemoDataDir({ stateDir: root, now: Date.UTC(2026, 5, 14, 12) });
  if (!demo.ok) throw new Error(demo.problem.message);
  return { root, dataDir: demo.value.dataDir, pool: createIngestPool(options.threads !== undefined ? { threads: options.threads } : {}) };
}

export async function removeDemoHistory(history: DemoHistory): Promise<void> {
  await history.pool.close();
  await fs.rm(history.root, { recursive: true, force: true });
}
