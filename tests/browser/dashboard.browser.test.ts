/**
 * The whole path in a real browser: engine CLI → HTTP (token → cookie) → WebSocket → Arrow IPC →
 * DuckDB-WASM in the system Chromium → SQL panels.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../corpus/generate.js';
import type { CorpusManifest } from '../corpus/manifest.js';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';
import { launchChromium, type Browser } from './chromium.js';

type MonitorHook = { ready: Promise<unknown>; query(sql: string): Promise<Record<string, unknown>[]> };

let dataDir: string;
/** Its own state dir: the saved index and the kept DuckDB file stay out of the developer's. */
let stateDir: string;
let engine: EngineProcess;
let browser: Browser;

let manifest: CorpusManifest;

/** A small but real data dir: OpenCode 1.18.33's schema, a legacy tree overlapping it, ground truth alongside. */
async function makeDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-browser-data-'));
  manifest = await generateCorpus({ out: dir, sessions: 12, seed: 7, legacySessions: 3, corrupt: 0, events: true });
  return dir;
}

beforeAll(async () => {
  dataDir = await makeDataDir();
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-browser-state-'));
  engine = await startEngine(['--data-dir', dataDir, '--state-dir', stateDir]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  const code = await engine?.stop();
  expect(code, engine?.output()).toBe(0);
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(stateDir, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('loads the engine snapshot into DuckDB-WASM with exactly the engine row counts', async () => {
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    // `attach=0`: this page loads the Arrow snapshot body (liveTurn.browser.test.ts attaches the DuckDB file).
    await page.goto(`${engine.url}&attach=0`);
    // The one-time token in the URL became an HttpOnly cookie and left the address bar; other parameters stay.
    expect(page.url()).toBe(`http://127.0.0.1:${engine.port}/?attach=0`);
    const cookies = await browser.context.cookies();
    expect(cookies.find((c) => c.name === 'ocm_token')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const query = (sql: string) =>
      page.evaluate(async (text) => {
        const hook = (window as unknown as { opencodeMonitor: MonitorHook }).opencodeMonitor;
        await hook.ready;
        return hook.query(text);
      }, sql);
    const sources = await query('SELECT kind, sessions::INTEGER AS sessions FROM sources ORDER BY kind');
    expect(sources.map((r) => r['kind'])).toEqual(['json', 'sqlite']);
    expect(sources.find((r) => r['kind'] === 'sqlite')?.['sessions']).toBe(manifest.tables['session']);
    // The page's DuckDB holds the engine's tables with the corpus' ground truth: both sources merged, fork copies once.
    const [totals] = await query(`SELECT
        (SELECT count(*) FROM sessions)::INTEGER AS sessions,
        (SELECT count(*) FROM messages WHERE NOT is_fork_copy)::INTEGER AS messages,
        (SELECT count(*) FROM tool_calls WHERE message_id NOT IN (SELECT id FROM messages WHERE is_fork_copy))::INTEGER AS tool_calls,
        (SELECT sum(tokens_total) FROM sessions)::BIGINT AS tokens`);
    expect(totals).toEqual({
      sessions: manifest.merged.sessions,
      messages: manifest.merged.messages,
      tool_calls: manifest.merged.toolCalls,
      tokens: manifest.merged.tokens.total,
    });
    await page.getByTestId('phase').filter({ hasText: 'Live' }).waitFor();
    const sqliteRow = page.locator('[data-testid="sources-panel"] tr[data-kind="sqlite"]');
    expect(await sqliteRow.locator('[data-col="parts"]').textContent()).toBe(manifest.tables['part']?.toLocaleString('en-US'));
    expect(await page.getByTestId('status-line').textContent()).toMatch(/DuckDB v1\.4\.\d/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'ocm-dashboard.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('runs ad hoc SQL from the console against the page database', async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${engine.port}/`);
    await page.getByTestId('phase').filter({ hasText: 'Live' }).waitFor();
    await page.getByLabel('SQL').fill('SELECT count(*)::INTEGER AS n FROM tool_calls WHERE message_id NOT IN (SELECT id FROM messages WHERE is_fork_copy)');
    await page.getByRole('button', { name: /Run/ }).click();
    await page.getByTestId('sql-result').waitFor();
    expect(await page.getByTestId('sql-result').locator('td').first().textContent()).toBe(String(manifest.merged.toolCalls));
    await page.getByLabel('SQL').fill('SELECT * FROM no_such_table');
    await page.getByRole('button', { name: /Run/ }).click();
    expect(await page.getByTestId('sql-error').textContent()).toMatch(/no_such_table/);
    await page.close();
  });

  it('gives a page on another origin nothing, even in the same browser that holds the cookie', async () => {
    // A different port is a different origin but the same site, so SameSite alone would not stop this.
    const foreign = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>foreign</title>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
      const outcome = await page.evaluate(
        (enginePort) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${enginePort}/ws`);
            ws.onmessage = () => resolve('received data');
            ws.onerror = () => resolve('refused');
            setTimeout(() => resolve('timeout'), 5000);
          }),
        engine.port,
      );
      expect(outcome).toBe('refused');
      const status = await page.evaluate(async (enginePort) => {
        try {
          const res = await fetch(`http://127.0.0.1:${enginePort}/api/health`, { credentials: 'include' });
          return `status ${res.status}`;
        } catch {
          return 'blocked';
        }
      }, engine.port);
      // Either CORS blocks the read or the engine refuses the Origin; the page never sees the data.
      expect(['blocked', 'status 403']).toContain(status);
    } finally {
      await page.close();
      foreign.close();
    }
  });
});
