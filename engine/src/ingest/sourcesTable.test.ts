/** The `sources` table follows live changes between its full rebuilds: counted as rows land, recounted after derives. */
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHistory, removeDemoHistory, type DemoHistory } from '../../../tests/support/demoHistory.js';
import { addPartWithEvent } from '../../../tests/support/opencodeWrites.js';
import { createMemoryLogger } from '../log.js';
import type { IngestPool } from '../pipeline/index.js';
import { createIndexer } from './indexer.js';
import { rowsOf } from './restore.js';

let history: DemoHistory;
let root: string;
let dataDir: string;
let pool: IngestPool;

beforeAll(async () => {
  history = await demoHistory('ocm-sources-', { threads: 1 });
  ({ root, dataDir, pool } = history);
});

afterAll(() => removeDemoHistory(history));

describe('sources table', () => {
  it('counts a database part added while the engine runs, refresh after refresh', async () => {
    const indexer = createIndexer({ dataDir, stateDir: null, env: {}, pool, logger: createMemoryLogger() });
    await indexer.start();
    const dbParts = () => rowsOf<{ kind: string; path: string; parts: number }>(indexer.store.snapshot('sources')).find((s) => s.kind === 'sqlite')!;
    const first = dbParts();
    // As the refresh lands (derive left for later), then after a derive's recount.
    addPartWithEvent(first.path, `prt_zzzzsources${String(1).padStart(12, '0')}`);
    await indexer.refresh({ derive: 'soon' });
    expect(dbParts().parts).toBe(first.parts + 1);
    addPartWithEvent(first.path, `prt_zzzzsources${String(2).padStart(12, '0')}`);
    await indexer.refresh();
    expect(dbParts().parts).toBe(first.parts + 2);
    await indexer.close();
  });

  it('recounts on the first refresh after a warm start: rows deleted since the save show at once', async () => {
    const stateDir = await fs.mkdtemp(path.join(root, 'state-'));
    const cold = createIndexer({ dataDir, stateDir, env: {}, pool, logger: createMemoryLogger() });
    await cold.start();
    await cold.close();
    const dbPath = rowsOf<{ kind: string; path: string }>(cold.store.snapshot('sources')).find((s) => s.kind === 'sqlite')!.path;
    const db = new Database(dbPath);
    const dbParts = () => (db.prepare('SELECT count(*) AS n FROM part').get() as { n: number }).n;
    db.prepare('DELETE FROM part WHERE rowid = (SELECT min(rowid) FROM part)').run();
    const expected = dbParts();
    db.close();
    const warm = createIndexer({ dataDir, stateDir, env: {}, pool, logger: createMemoryLogger() });
    expect((await warm.start()).mode).toBe('warm');
    await warm.refresh({ derive: 'soon' }); // the derive's own recount comes later: this is the refresh's
    expect(rowsOf<{ kind: string; parts: number }>(warm.store.snapshot('sources')).find((s) => s.kind === 'sqlite')!.parts).toBe(expected);
    await warm.close();
  });
});
