/**
 * The DuckDB file new pages attach, kept between runs of `start`: a run that stops with its file current keeps it
 * beside the saved index; the next run serves it from its first second when it starts warm from that index, and
 * what its first refresh finds reaches a page that attaches it as changes after the file. A page that attaches it
 * (the ui's client core under Node) holds exactly the engine's rows.
 */
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDirFor } from '../../engine/src/ingest/index.js';
import { keptFilePaths } from '../../engine/src/serve/index.js';
import { generateCorpus } from '../corpus/generate.js';
import { waitFor } from '../harness/index.js';
import { connectNodeClient } from '../protocol/support/nodeClient.js';
import { addPartWithEvent } from '../support/opencodeWrites.js';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';

type StreamHealth = { seq: number; snapshotFile: { seq: number; bytes: number } | null };
type Stats = Record<string, number>;

let dataDir = '';
let stateDir = '';
let engine: EngineProcess | undefined;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-kept-data-'));
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-kept-state-'));
  // With OpenCode's event log (≥ 1.17), as a refresh that finds nothing new then changes nothing.
  await generateCorpus({ out: dataDir, sessions: 6, seed: 11, events: true });
});

afterAll(async () => {
  await engine?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(stateDir, { recursive: true, force: true });
});

const tokenOf = async (running: EngineProcess) => (await fs.readFile(path.join(running.configHome, 'opencode-monitor', 'token'), 'utf8')).trim();

async function get<T>(running: EngineProcess, route: string): Promise<T> {
  const res = await fetch(new URL(route, running.url), { headers: { authorization: `Bearer ${await tokenOf(running)}` } });
  return ((await res.json()) as { data: T }).data;
}
const stream = async (running: EngineProcess) => (await get<{ stream: StreamHealth }>(running, '/api/health/detailed')).stream;

/** A page's client core attaching the file: once synced, its row counts against the engine's (`/api/stats`). */
async function attachedCounts(running: EngineProcess): Promise<{ page: Record<string, number>; engine: Record<string, number>; fromFile: boolean }> {
  const twin = await connectNodeClient(`ws://127.0.0.1:${running.port}/ws?attach=1`, await tokenOf(running));
  try {
    await twin.client.ready;
    await twin.client.settled();
    return { page: await twin.counts(), engine: await get<Record<string, number>>(running, '/api/stats'), fromFile: twin.client.state.hello?.snapshotFile !== undefined };
  } finally {
    twin.close();
  }
}

const start = async () => (engine = await startEngine(['--data-dir', dataDir, '--state-dir', stateDir]));
async function stop(): Promise<void> {
  const running = engine!;
  engine = undefined;
  expect(await running.stop(), running.output()).toBe(0);
}

describe('the DuckDB file kept between runs', () => {
  it('is kept at a clean stop and served from the start of the next run, with what changed since as changes after it', async () => {
    const kept = keptFilePaths(indexDirFor(stateDir, dataDir));
    // First run: no file until the engine has been quiet, then one; stopping keeps it beside the index.
    const first = await start();
    const written = await waitFor(async () => (await stream(first)).snapshotFile ?? undefined, { timeoutMs: 60_000, intervalMs: 100, what: 'the first run’s file' });
    const firstRows = await get<Stats>(first, '/api/stats');
    await stop();
    expect(existsSync(kept.file) && existsSync(kept.sidecar)).toBe(true);
    expect((await fs.stat(kept.file)).size).toBe(written.bytes);
    expect((await fs.stat(kept.file)).mode & 0o777).toBe(0o600);

    // Second run, nothing changed: the kept file is the current one at once, taken out of the index dir.
    const second = await start();
    const atOnce = await stream(second);
    expect(atOnce.snapshotFile?.bytes).toBe(written.bytes);
    expect(existsSync(kept.file)).toBe(false);
    await stop();
    expect(existsSync(kept.file)).toBe(true);

    // The data moves on between runs: the third run still starts from the kept file (it is the saved index's
    // tables) and sends what its first refresh found as changes after it.
    addPartWithEvent(path.join(dataDir, 'opencode.db'), 'prt_kept_test_new_part');
    const third = await start();
    expect((await stream(third)).snapshotFile?.bytes).toBe(written.bytes);
    const { page, engine: engineRows, fromFile } = await attachedCounts(third);
    expect(fromFile).toBe(true);
    for (const [table, rows] of Object.entries(page)) expect(rows, table).toBe(engineRows[table]);
    // The new part came after the file: it is in the page's tables only because the changes since it were applied.
    expect(page['parts']).toBe(firstRows['parts']! + 1);
    await stop();
  });
});
