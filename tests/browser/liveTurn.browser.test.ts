/**
 * Issue 6, "Done means": a real OpenCode (`opencode serve` on the fake model) → `opencode-monitor start` →
 * WebSocket (and the engine's DuckDB file, attached) → DuckDB-WASM in the system Chromium. The page's database must hold exactly the engine's row counts
 * after the snapshot, and a real turn must reach it as deltas, without a reload and without a second snapshot.
 *
 * The engine's counts come from `GET /api/stats` (the store's own row counts). That call and the page's queries
 * cannot be read at one instant, so a comparison only counts when the engine's counts were the same before and
 * after the page was read: then the page was at that state too, or the comparison is simply retried (bounded).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLiveDiff, decodeServerMessage, decodeArrowFrame, emptyLiveState, TABLES, type HelloMessage, type LiveNotification, type LiveState } from '../../shared/src/index.js';
import { openOpencodeDb, runScenario, scenarios, startFakeModel, startOpencode, waitFor } from '../harness/index.js';
import type { FakeModel, OpencodeInstance } from '../harness/index.js';
import { startEngine, type EngineProcess } from '../support/engineProcess.js';
import { launchChromium, type Browser } from './chromium.js';

type MonitorHook = { ready: Promise<unknown>; query(sql: string): Promise<Record<string, unknown>[]> };
type Counts = Record<string, number>;

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let engine: EngineProcess | undefined;
let browser: Browser | undefined;
let stateDir = '';
let token = '';

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} not started`);
  return value;
};

beforeAll(async () => {
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-live-turn-state-'));
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  engine = await startEngine(['--data-dir', oc.dataDir, '--state-dir', stateDir], { timeoutMs: 60_000 });
  token = (await fs.readFile(path.join(engine.configHome, 'opencode-monitor', 'token'), 'utf8')).trim();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  const code = await engine?.stop();
  await oc?.stop();
  await fm?.close();
  if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  expect(code, engine?.output()).toBe(0);
});

async function health(): Promise<{ snapshotFile: { seq: number; bytes: number } | null }> {
  const res = await fetch(new URL('/api/health/detailed', need(engine, 'engine').url), { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { data: { stream: { snapshotFile: { seq: number; bytes: number } | null } } }).data.stream;
}

async function engineCounts(): Promise<Counts> {
  const res = await fetch(new URL('/api/stats', need(engine, 'engine').url), { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { success: boolean; data: Counts };
  if (!body.success) throw new Error(`/api/stats answered ${res.status}`);
  return body.data;
}

function query(page: Page, sql: string): Promise<Record<string, unknown>[]> {
  return page.evaluate(async (text) => {
    const hook = (window as unknown as { opencodeMonitor: MonitorHook }).opencodeMonitor;
    await hook.ready;
    return hook.query(text);
  }, sql);
}

/** Row count of every engine table in the page's DuckDB; a table the page does not have is reported as -1. */
async function pageCounts(page: Page): Promise<Counts> {
  const counts: Counts = {};
  for (const { name } of TABLES) {
    counts[name] = await query(page, `SELECT count(*)::INTEGER AS n FROM "${name}"`).then(
      (rows) => Number(rows[0]?.['n']),
      () => -1,
    );
  }
  return counts;
}

/** The counts once the page equals a quiet engine (same counts before and after reading the page); bounded. */
async function countsAgree(page: Page, what: string): Promise<Counts> {
  let last = '';
  try {
    return await waitFor(
      async () => {
        const before = await engineCounts();
        const inPage = await pageCounts(page);
        const after = await engineCounts();
        last = JSON.stringify({ engine: after, page: inPage });
        const same = (a: Counts, b: Counts) => TABLES.every(({ name }) => a[name] === b[name]);
        return same(before, after) && same(after, inPage) ? after : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last reading ${last}`);
  }
}

/** What the page received on its engine socket: text messages in order, and the binary frames' headers. */
function recordStream(page: Page) {
  const texts: string[] = [];
  const binaryTypes: string[] = [];
  page.on('websocket', (socket: PageSocket) => {
    if (!socket.url().endsWith('/ws') && !socket.url().includes('/ws?')) return;
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') texts.push(payload);
      else {
        const frame = decodeArrowFrame(new Uint8Array(payload));
        binaryTypes.push(frame.ok ? frame.value.header.type : 'undecodable');
      }
    });
  });
  return {
    binaryTypes,
    typesOf: () => texts.map((t) => (decodeServerMessage(t).ok ? (JSON.parse(t) as { type: string }).type : 'undecodable')),
    hello(): HelloMessage | undefined {
      const decoded = texts.map(decodeServerMessage).find((d) => d.ok && d.value.type === 'hello');
      return decoded?.ok && decoded.value.type === 'hello' ? decoded.value : undefined;
    },
    /** Notifications the page received, in order. */
    notifications(): LiveNotification[] {
      return texts.flatMap((text) => {
        const decoded = decodeServerMessage(text);
        return decoded.ok && decoded.value.type === 'notification' ? [decoded.value.notification] : [];
      });
    },
    /** The live state as the page's stream applier folds it: a snapshot's live-state, then each live-diff. */
    liveState(): LiveState {
      let state = emptyLiveState();
      for (const text of texts) {
        const decoded = decodeServerMessage(text);
        if (!decoded.ok) continue;
        const m = decoded.value;
        if (m.type === 'live-state') state = m.state;
        else if (m.type === 'live-diff') state = applyLiveDiff(state, m.diffs);
      }
      return state;
    },
  };
}

describe('a real OpenCode turn, live in the dashboard', () => {
  it('loads exactly the engine’s rows, then shows a new turn without reload', async () => {
    const page = await need(browser, 'browser').context.newPage();
    const stream = recordStream(page);
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    // The page attaches the engine's DuckDB file (written once the engine has been quiet for a moment), then the
    // changes since it; the dashboard test in dashboard.browser.test.ts loads the Arrow snapshot instead.
    const file = await waitFor(async () => (await health()).snapshotFile ?? undefined, { timeoutMs: 60_000, intervalMs: 250, what: 'the engine’s DuckDB file for new pages' });
    expect(file.bytes).toBeGreaterThan(0);
    await page.goto(need(engine, 'engine').url);
    await page.getByTestId('phase').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    expect(stream.hello()?.snapshotFile?.bytes).toBe(file.bytes);

    const before = await countsAgree(page, 'the page’s DuckDB holding the engine’s row counts after the snapshot');
    expect(Object.keys(before).sort()).toEqual(TABLES.map((t) => t.name).sort());

    const instanceId = `http://127.0.0.1:${need(oc, 'oc').port}`;
    await waitFor(() => stream.liveState().instances[instanceId]?.connection === 'connected', {
      timeoutMs: 30_000,
      what: `the page's live state showing ${instanceId} connected`,
    });

    const run = await runScenario(need(oc, 'oc'), need(fm, 'fm'), scenarios.multiStep, { timeoutMs: 90_000 });
    const db = openOpencodeDb(need(oc, 'oc').dbPath);
    const truth = { messages: db.messages(run.sessionId).length, parts: db.parts(run.sessionId).length, tools: db.toolParts(run.sessionId).map((p) => p.tool).sort() };
    db.close();
    expect(truth.tools).toEqual(expect.arrayContaining(['todowrite', 'read', 'glob', 'edit', 'write']));

    const sid = run.sessionId.replace(/'/g, "''");
    const inPage = await waitFor(
      async () => {
        const [row] = await query(page, `SELECT
            (SELECT count(*) FROM sessions WHERE id = '${sid}')::INTEGER AS sessions,
            (SELECT count(*) FROM messages WHERE session_id = '${sid}')::INTEGER AS messages,
            (SELECT count(*) FROM parts WHERE session_id = '${sid}')::INTEGER AS parts,
            (SELECT count(*) FROM tool_calls WHERE session_id = '${sid}')::INTEGER AS tool_calls`);
        return row && row['sessions'] === 1 && row['messages'] === truth.messages && row['parts'] === truth.parts && row['tool_calls'] === truth.tools.length ? row : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `session ${run.sessionId} with its messages, parts and tool calls in the page's DuckDB` },
    );
    expect(inPage['tool_calls']).toBeGreaterThanOrEqual(5);
    const tools = await query(page, `SELECT tool FROM tool_calls WHERE session_id = '${sid}' ORDER BY tool`);
    expect(tools.map((r) => r['tool'])).toEqual(truth.tools);

    const after = await countsAgree(page, 'the page’s DuckDB holding the engine’s row counts after the turn');
    expect(after['sessions']).toBeGreaterThan(before['sessions']!);
    expect(after['parts']).toBeGreaterThan(before['parts']!);

    // It came as deltas on the same connection: one page load, one hello, one snapshot, then seq'd upserts.
    expect(stream.typesOf().filter((t) => t === 'hello')).toHaveLength(1);
    expect(stream.typesOf().filter((t) => t === 'snapshot-done')).toHaveLength(1);
    expect(stream.binaryTypes).toContain('table-upsert');
    expect(page.url()).toBe(`http://127.0.0.1:${need(engine, 'engine').port}/`);
    // The live side of the same turn: the page was told the session finished, and its live state knows it.
    await waitFor(() => stream.notifications().some((n) => n.type === 'session.finished' && n.sessionId === run.sessionId), {
      timeoutMs: 30_000,
      what: `a session.finished notification for ${run.sessionId} in the page's stream`,
    });
    expect(stream.liveState().instances[instanceId]?.sessions[run.sessionId]?.status.type).toBe('idle');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
