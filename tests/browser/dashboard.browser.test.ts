/**
 * The whole path in a real browser: engine CLI → HTTP (token → cookie) → WebSocket → Arrow IPC →
 * DuckDB-WASM in the system Chromium → SQL panels.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';
import { launchChromium, type Browser } from './chromium.js';

type MonitorHook = { ready: Promise<unknown>; query(sql: string): Promise<Record<string, unknown>[]> };

let dataDir: string;
let engine: EngineProcess;
let browser: Browser;

async function makeDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-browser-data-'));
  const db = new Database(path.join(dir, 'opencode.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE session (id TEXT PRIMARY KEY); CREATE TABLE message (id TEXT PRIMARY KEY); CREATE TABLE part (id TEXT PRIMARY KEY);');
  const fill = db.transaction((table: string, n: number) => {
    const insert = db.prepare(`INSERT INTO ${table} (id) VALUES (?)`);
    for (let i = 0; i < n; i++) insert.run(`${table}_${i}`);
  });
  fill('session', 7);
  fill('message', 41);
  fill('part', 123);
  db.close();
  for (const [kind, group, count] of [['session', 'global', 2], ['message', 'ses_a', 5], ['part', 'msg_a', 11]] as const) {
    await fs.mkdir(path.join(dir, 'storage', kind, group), { recursive: true });
    for (let i = 0; i < count; i++) await fs.writeFile(path.join(dir, 'storage', kind, group, `${kind}_${i}.json`), '{}');
  }
  return dir;
}

beforeAll(async () => {
  dataDir = await makeDataDir();
  engine = await startEngine(['--data-dir', dataDir]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  const code = await engine?.stop();
  expect(code, engine?.output()).toBe(0);
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('loads the engine snapshot into DuckDB-WASM with exactly the engine row counts', async () => {
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(engine.url);
    // The one-time token in the URL became an HttpOnly cookie and left the address bar.
    expect(page.url()).toBe(`http://127.0.0.1:${engine.port}/`);
    const cookies = await browser.context.cookies();
    expect(cookies.find((c) => c.name === 'ocm_token')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const rows = await page.evaluate(async () => {
      const hook = (window as unknown as { opencodeMonitor: MonitorHook }).opencodeMonitor;
      await hook.ready;
      return hook.query('SELECT kind, sessions, messages, parts FROM sources ORDER BY kind');
    });
    expect(rows).toEqual([
      { kind: 'json', sessions: 2, messages: 5, parts: 11 },
      { kind: 'sqlite', sessions: 7, messages: 41, parts: 123 },
    ]);
    await page.getByTestId('phase').filter({ hasText: 'Live' }).waitFor();
    const sqliteRow = page.locator('[data-testid="sources-panel"] tr[data-kind="sqlite"]');
    expect(await sqliteRow.locator('[data-col="parts"]').textContent()).toBe('123');
    expect(await page.getByTestId('status-line').textContent()).toMatch(/DuckDB v1\.4\.\d/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'ocm-dashboard.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('runs ad hoc SQL from the console against the page database', async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${engine.port}/`);
    await page.getByTestId('phase').filter({ hasText: 'Live' }).waitFor();
    await page.getByLabel('SQL').fill('SELECT sum(parts)::INTEGER AS total_parts FROM sources');
    await page.getByRole('button', { name: /Run/ }).click();
    await page.getByTestId('sql-result').waitFor();
    expect(await page.getByTestId('sql-result').locator('td').first().textContent()).toBe('134');
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
