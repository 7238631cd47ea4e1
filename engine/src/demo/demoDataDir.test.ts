/**
 * The demo data dir on disk: generated once into the state dir, byte-identical for a fixed seed and now, rebuilt
 * when its marker says so, chosen only when the user's dir has no OpenCode data, and read by the engine's own
 * indexer with nothing skipped and a non-empty security audit.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexer } from '../ingest/index.js';
import { createMemoryLogger } from '../log.js';
import { createIngestPool } from '../pipeline/index.js';
import { chooseStartData, demoDataDirFor, ensureDemoDataDir, hasOpenCodeData } from './demoDataDir.js';
import { DEMO_SEED } from './buildDataset.js';

const NOW = Date.UTC(2026, 5, 14, 12, 0, 0);
let root: string;

const sha = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');
const dirFor = async (name: string) => {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-demo-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('ensureDemoDataDir', () => {
  it('writes the same opencode.db for the same seed and now, under <stateDir>/demo/opencode', async () => {
    const a = await ensureDemoDataDir({ stateDir: await dirFor('a'), now: NOW });
    const b = await ensureDemoDataDir({ stateDir: await dirFor('b'), now: NOW });
    if (!a.ok || !b.ok) throw new Error('demo generation failed');
    expect(a.value).toEqual({ dataDir: demoDataDirFor(path.join(root, 'a')), generated: true });
    expect(await sha(path.join(a.value.dataDir, 'opencode.db'))).toBe(await sha(path.join(b.value.dataDir, 'opencode.db')));
    const other = await ensureDemoDataDir({ stateDir: await dirFor('c'), now: NOW, seed: DEMO_SEED + 1 });
    if (!other.ok) throw new Error('demo generation failed');
    expect(await sha(path.join(other.value.dataDir, 'opencode.db'))).not.toBe(await sha(path.join(a.value.dataDir, 'opencode.db')));
  });

  it('reuses a current demo and rebuilds it when the marker differs or the data is a day old', async () => {
    const stateDir = await dirFor('reuse');
    expect((await ensureDemoDataDir({ stateDir, now: NOW })).ok).toBe(true);
    const again = await ensureDemoDataDir({ stateDir, now: NOW + 60_000 });
    expect(again.ok && again.value.generated).toBe(false);
    const marker = path.join(stateDir, 'demo', 'demo.json');
    await fs.writeFile(marker, JSON.stringify({ version: 0, seed: DEMO_SEED, generatedAt: NOW }));
    const rebuilt = await ensureDemoDataDir({ stateDir, now: NOW + 60_000 });
    expect(rebuilt.ok && rebuilt.value.generated).toBe(true);
    const stale = await ensureDemoDataDir({ stateDir, now: NOW + 2 * 86_400_000 });
    expect(stale.ok && stale.value.generated).toBe(true);
  });

  it('reports a state dir it cannot write as a problem, without throwing', async () => {
    const blocker = path.join(root, 'not-a-dir');
    await fs.writeFile(blocker, 'x');
    const result = await ensureDemoDataDir({ stateDir: blocker, now: NOW });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toContain(blocker);
  });
});

describe('chooseStartData', () => {
  it('serves the demo only when the data dir has no opencode*.db and no storage/ tree, or when forced', async () => {
    const stateDir = await dirFor('choose-state');
    const empty = await dirFor('empty-data');
    const choice = await chooseStartData({ dataDir: empty, stateDir, forceDemo: false, env: {} });
    expect(choice).toEqual({ ok: true, value: { dataDir: demoDataDirFor(stateDir), demo: true } });
    expect(await fs.readdir(empty)).toEqual([]);

    const withStorage = await dirFor('legacy-data');
    await fs.mkdir(path.join(withStorage, 'storage'));
    expect(await hasOpenCodeData(withStorage)).toBe(true);
    expect(await chooseStartData({ dataDir: withStorage, stateDir, forceDemo: false, env: {} })).toEqual({ ok: true, value: { dataDir: withStorage, demo: false } });
    const forced = await chooseStartData({ dataDir: withStorage, stateDir, forceDemo: true, env: {} });
    expect(forced.ok && forced.value.demo).toBe(true);
    expect(await fs.readdir(withStorage)).toEqual(['storage']);
  });
});

describe('the engine reads the demo', () => {
  it('indexes every record (none skipped) and finds kill chains', async () => {
    const stateDir = await dirFor('index');
    const demo = await ensureDemoDataDir({ stateDir, now: Date.now() });
    if (!demo.ok) throw new Error(demo.problem.message);
    const pool = createIngestPool({ threads: 1 });
    const indexer = createIndexer({ dataDir: demo.value.dataDir, stateDir: null, env: {}, pool, logger: createMemoryLogger() });
    try {
      await indexer.start();
      const summary = indexer.summary(0);
      expect(summary.skipped).toEqual({ count: 0, reasons: {} });
      expect(summary.unknown.partTypes).toEqual({});
      expect(summary.sessions.root + summary.sessions.child).toBeGreaterThanOrEqual(25);
      expect(summary.sessions.child).toBeGreaterThan(0);
      expect(summary.messages.forkCopies).toBeGreaterThan(0);
      expect(summary.cost).toBeGreaterThan(0);
      expect(indexer.store.rowCount('security_findings')).toBeGreaterThan(0);
      expect(indexer.store.rowCount('todos')).toBeGreaterThan(0);
    } finally {
      await indexer.close();
      await pool.close();
    }
  });
});
