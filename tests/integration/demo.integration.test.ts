/**
 * `opencode-monitor start` on a machine without OpenCode data: the real engine process, an empty `--data-dir` and
 * an isolated state dir. It says it is showing generated demo data, reports `demo: true`, serves sessions that are
 * all labelled `[demo]`, keeps the demo under its state dir and leaves the user's data dir untouched. With
 * `--demo` it does the same even when the data dir holds OpenCode data.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';

interface Envelope<T> {
  success: boolean;
  data: T;
}

let work = '';
const engines: EngineProcess[] = [];

async function get<T>(engine: EngineProcess, route: string): Promise<Envelope<T>> {
  const token = (await fs.readFile(path.join(engine.configHome, 'opencode-monitor', 'token'), 'utf8')).trim();
  const res = await fetch(new URL(route, engine.url), { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Envelope<T>;
}

async function start(dataDir: string, stateDir: string, extra: string[] = []): Promise<EngineProcess> {
  // XDG_STATE_HOME too, so nothing (bridge file, action log) reaches the real state dir of the machine.
  const engine = await startEngine(['--data-dir', dataDir, '--state-dir', stateDir, ...extra], {
    timeoutMs: 60_000,
    env: { XDG_STATE_HOME: path.join(work, 'xdg-state'), XDG_DATA_HOME: path.join(work, 'xdg-data') },
  });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-demo-it-'));
});

afterAll(async () => {
  for (const engine of engines) await engine.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('start without OpenCode data', () => {
  let engine: EngineProcess;
  let dataDir = '';
  let stateDir = '';

  beforeAll(async () => {
    dataDir = path.join(work, 'empty-data');
    stateDir = path.join(work, 'state');
    await fs.mkdir(dataDir, { recursive: true });
    engine = await start(dataDir, stateDir);
  }, 120_000);

  it('prints that it shows generated demo data, and how to read real data', () => {
    expect(engine.output()).toContain(`No OpenCode data found at ${dataDir}: showing DEMO data (generated). Pass --data-dir DIR to read your own.`);
  });

  it('reports demo: true, with the demo dir under the state dir, and leaves the user dir empty', async () => {
    const health = await get<{ demo: boolean; dataDir: string }>(engine, '/api/health');
    expect(health.success).toBe(true);
    expect(health.data.demo).toBe(true);
    expect(health.data.dataDir).toBe(path.join(stateDir, 'demo', 'opencode'));
    expect(await fs.readdir(dataDir)).toEqual([]);
  });

  it('serves about 30 sessions from the last 30 days, every title starting with [demo]', async () => {
    const sessions = await get<Array<{ title: string; parent_id: string | null }>>(engine, '/api/sessions?days=30');
    expect(sessions.data.length).toBeGreaterThanOrEqual(25);
    expect(sessions.data.every((s) => s.title.startsWith('[demo] '))).toBe(true);
    expect(sessions.data.some((s) => s.parent_id !== null)).toBe(true);
    const recent = await get<unknown[]>(engine, '/api/sessions?days=1');
    expect(recent.data.length).toBeGreaterThan(0);
  });
});

describe('start --demo with OpenCode data present', () => {
  it('serves the demo anyway and does not touch the data dir', async () => {
    const dataDir = path.join(work, 'real-data');
    await fs.mkdir(path.join(dataDir, 'storage'), { recursive: true });
    const engine = await start(dataDir, path.join(work, 'state-forced'), ['--demo']);
    expect(engine.output()).toContain('--demo: showing DEMO data (generated)');
    const health = await get<{ demo: boolean }>(engine, '/api/health');
    expect(health.data.demo).toBe(true);
    expect(await fs.readdir(dataDir)).toEqual(['storage']);
    expect(await fs.readdir(path.join(dataDir, 'storage'))).toEqual([]);
  }, 120_000);
});
