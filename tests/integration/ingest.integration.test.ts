/**
 * The engine's ingest against real OpenCode: the scenario library runs on a real `opencode serve` (fake model), a
 * session is forked through OpenCode's own API, then `opencode-monitor index --json` and `sql --json` must report
 * exactly what direct SQL over the same opencode.db says (fork copies counted once). A second data dir pairs a
 * snapshot of that database with a legacy JSON tree that overlaps it, adds a JSON-only session and has corrupt files.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, scenarios, startFakeModel, startOpencode } from '../harness/index.js';
import type { FakeModel, OpencodeInstance, ScenarioRun } from '../harness/index.js';
import type { IndexSummary } from '../../engine/src/ingest/index.js';
import { REPO_ROOT } from '../support/engineProcess.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'opencode-monitor');

/** What `index --json` prints. */
type IndexJson = IndexSummary;

let fm: FakeModel | undefined;
let oc: OpencodeInstance | undefined;
let work: string;
const runs: ScenarioRun[] = [];
let forkId = '';

async function cli<T>(args: string[], stateDir: string): Promise<T> {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--state-dir', stateDir, '--json'], {
    cwd: REPO_ROOT,
    env: { ...process.env, XDG_CONFIG_HOME: join(work, 'config') },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

/** What the index must report, computed by plain SQL over an OpenCode database, leaving out `excludeSessions`. */
function expectedFromDb(dbPath: string, excludeSessions: readonly string[]) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const not = excludeSessions.length ? `AND session_id NOT IN (${excludeSessions.map((id) => `'${id}'`).join(',')})` : '';
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    const tally = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
    const roles = tally(all(`SELECT json_extract(data,'$.role') k, count(*) n FROM message WHERE 1=1 ${not} GROUP BY 1`));
    const [usage] = all<Record<string, number>>(`SELECT
        coalesce(sum(json_extract(data,'$.tokens.input')),0) input, coalesce(sum(json_extract(data,'$.tokens.output')),0) output,
        coalesce(sum(json_extract(data,'$.tokens.reasoning')),0) reasoning, coalesce(sum(json_extract(data,'$.tokens.cache.read')),0) cacheRead,
        coalesce(sum(json_extract(data,'$.tokens.cache.write')),0) cacheWrite, coalesce(sum(json_extract(data,'$.cost')),0) cost
      FROM message WHERE json_extract(data,'$.role') = 'assistant' ${not}`);
    const u = usage as Record<string, number>;
    return {
      sessions: {
        root: all<{ n: number }>('SELECT count(*) n FROM session WHERE parent_id IS NULL')[0]?.n,
        child: all<{ n: number }>('SELECT count(*) n FROM session WHERE parent_id IS NOT NULL')[0]?.n,
      },
      messages: { user: roles['user'] ?? 0, assistant: roles['assistant'] ?? 0 },
      // A fork's copied parts are real rows but not new work: the counts leave them out, as they do messages.
      parts: tally(all(`SELECT json_extract(data,'$.type') k, count(*) n FROM part WHERE 1=1 ${not} GROUP BY 1`)),
      byTool: tally(all(`SELECT json_extract(data,'$.tool') k, count(*) n FROM part WHERE json_extract(data,'$.type')='tool' ${not} GROUP BY 1`)),
      byStatus: tally(all(`SELECT json_extract(data,'$.state.status') k, count(*) n FROM part WHERE json_extract(data,'$.type')='tool' ${not} GROUP BY 1`)),
      excludedParts: excludeSessions.length ? (all<{ n: number }>(`SELECT count(*) n FROM part WHERE 1=1 ${not.replace('NOT IN', 'IN')}`)[0]?.n ?? 0) : 0,
      tokens: {
        input: u['input'], output: u['output'], reasoning: u['reasoning'], cacheRead: u['cacheRead'], cacheWrite: u['cacheWrite'],
        total: (u['input'] ?? 0) + (u['output'] ?? 0) + (u['reasoning'] ?? 0) + (u['cacheRead'] ?? 0) + (u['cacheWrite'] ?? 0),
      },
      cost: u['cost'] ?? 0,
      todos: tally(all('SELECT status k, count(*) n FROM todo GROUP BY 1')),
      /** Messages of the excluded sessions: a fork's copies. */
      excludedMessages: excludeSessions.length ? (all<{ n: number }>(`SELECT count(*) n FROM message WHERE 1=1 ${not.replace('NOT IN', 'IN')}`)[0]?.n ?? 0) : 0,
    };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocm-ingest-int-'));
  fm = await startFakeModel();
  oc = await startOpencode({ fakeModelUrl: fm.url });
  for (const scenario of [scenarios.benignLs, scenarios.multiStep, scenarios.subagent, scenarios.todos, scenarios.toolError, scenarios.providerError, scenarios.cacheWriteAnthropic, scenarios.riskySshExfil]) {
    runs.push(await runScenario(oc, fm, scenario, { timeoutMs: 60_000 }));
  }
  // A fork through OpenCode's own API copies the session's messages and parts under new ids.
  const fork = await oc.json<{ id: string }>(`/session/${runs[0]?.sessionId}/fork`, { method: 'POST', body: '{}' });
  forkId = fork.id;
});

afterAll(async () => {
  await oc?.stop();
  await fm?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('index against a live real OpenCode database', () => {
  it('reports exactly what direct SQL over opencode.db says, with the fork copies counted once', async () => {
    const o = oc as OpencodeInstance;
    const expected = expectedFromDb(o.dbPath, [forkId]);
    const copied = expected.excludedMessages;
    expect(copied).toBeGreaterThan(0);
    const got = await cli<IndexJson>(['index', '--data-dir', o.dataDir], join(work, 'state-live'));

    expect(got.sessions).toEqual(expected.sessions);
    expect(got.sessions.child).toBeGreaterThanOrEqual(1);
    expect(got.messages).toEqual({ ...expected.messages, forkCopies: copied });
    expect(got.parts).toEqual(expected.parts);
    expect(got.forkCopyParts).toBe(expected.excludedParts);
    expect(got.forkCopyParts).toBeGreaterThan(0);
    expect(got.toolCalls).toEqual({ byTool: expected.byTool, byStatus: expected.byStatus });
    expect(got.tokens).toEqual(expected.tokens);
    expect(got.tokens.cacheWrite).toBeGreaterThan(0);
    expect(got.cost).toBeCloseTo(expected.cost, 6);
    expect(got.todos).toEqual(expected.todos);
    expect(got.skipped).toEqual({ count: 0, reasons: {} });
    expect(got.sources.map((s) => [s.kind, s.path])).toEqual([['sqlite', o.dbPath]]);
  });

  it('serves the same tables to SQL: sessions roll their sub-agents up into the root', async () => {
    const o = oc as OpencodeInstance;
    const subagent = runs.find((r) => r.scenario.id === 'subagent') as ScenarioRun;
    const rows = await cli<Array<{ id: string; parent_id: string | null; root_id: string; depth: number }>>(
      ['sql', `SELECT id, parent_id, root_id, depth FROM sessions WHERE root_id = '${subagent.sessionId}' ORDER BY depth`, '--data-dir', o.dataDir],
      join(work, 'state-live'),
    );
    expect(rows).toEqual([
      { id: subagent.sessionId, parent_id: null, root_id: subagent.sessionId, depth: 0 },
      { id: subagent.childSessionIds[0], parent_id: subagent.sessionId, root_id: subagent.sessionId, depth: 1 },
    ]);
    const [tools] = await cli<Array<{ n: number }>>(['sql', "SELECT count(*)::INTEGER AS n FROM tool_calls WHERE tool = 'bash'", '--data-dir', o.dataDir], join(work, 'state-live'));
    // The table keeps every stored row, fork copies included; only the summary's counts leave copies out.
    expect(tools?.n).toBe(expectedFromDb(o.dbPath, []).byTool['bash']);
  });
});

describe('index over a database plus an overlapping legacy JSON tree', () => {
  let dataDir: string;
  let expected: ReturnType<typeof expectedFromDb>;
  const legacyOnly = { session: 'ses_0a1b2c3d4ffeLegacyOnly0001', user: 'msg_0a1b2c3d5ffeLegacyUser001', assistant: 'msg_0a1b2c3d6ffeLegacyAsst001' };

  beforeAll(async () => {
    const o = oc as OpencodeInstance;
    dataDir = join(work, 'mixed', 'opencode');
    await mkdir(dataDir, { recursive: true });
    // A consistent snapshot of the live database (SQLite's online backup; the source is only read).
    const live = new Database(o.dbPath, { readonly: true, fileMustExist: true });
    try {
      await live.backup(join(dataDir, 'opencode.db'));
    } finally {
      live.close();
    }
    expected = expectedFromDb(join(dataDir, 'opencode.db'), [forkId]);

    const storage = join(dataDir, 'storage');
    const put = async (path: string[], value: unknown) => {
      await mkdir(join(storage, ...path.slice(0, -1)), { recursive: true });
      await writeFile(join(storage, ...path) + '.json', typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    };
    // Overlap: the first scenario's session as an old JSON copy with stale fields; the database must win.
    const db = new Database(join(dataDir, 'opencode.db'), { readonly: true });
    try {
      const id = runs[0]?.sessionId as string;
      const s = db.prepare('SELECT * FROM session WHERE id = ?').get(id) as Record<string, string | number>;
      await put(['session', String(s['project_id']), id], { id, projectID: s['project_id'], directory: s['directory'], title: 'stale legacy title', version: '0.15.0', time: { created: s['time_created'], updated: 1 } });
      for (const m of db.prepare('SELECT id, data FROM message WHERE session_id = ?').all(id) as { id: string; data: string }[]) {
        await put(['message', id, m.id], { id: m.id, sessionID: id, ...JSON.parse(m.data) });
      }
      for (const p of db.prepare('SELECT id, message_id, data FROM part WHERE session_id = ?').all(id) as { id: string; message_id: string; data: string }[]) {
        await put(['part', p.message_id, p.id], { id: p.id, sessionID: id, messageID: p.message_id, ...JSON.parse(p.data) });
      }
    } finally {
      db.close();
    }
    // A JSON-only session from before 1.2: one exchange with a tool call.
    const t0 = 1_700_000_000_000;
    const { session, user, assistant } = legacyOnly;
    await put(['session', 'global', session], { id: session, projectID: 'global', directory: '/tmp/legacy', title: 'legacy only', version: '0.15.0', time: { created: t0, updated: t0 + 5000 } });
    await put(['message', session, user], { id: user, sessionID: session, role: 'user', time: { created: t0 + 1000 }, agent: 'build', model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' } });
    await put(['message', session, assistant], {
      id: assistant, sessionID: session, role: 'assistant', parentID: user, mode: 'build', agent: 'build', providerID: 'anthropic', modelID: 'claude-sonnet-4-5',
      path: { cwd: '/tmp/legacy', root: '/tmp/legacy' }, time: { created: t0 + 2000, completed: t0 + 4000 }, finish: 'stop',
      cost: 0.0125, tokens: { input: 100, output: 20, reasoning: 7, cache: { read: 50, write: 3 } },
    });
    await put(['part', user, 'prt_0a1b2c3d5ffeLegacyPart0001'], { id: 'prt_0a1b2c3d5ffeLegacyPart0001', sessionID: session, messageID: user, type: 'text', text: 'list files' });
    await put(['part', assistant, 'prt_0a1b2c3d6ffeLegacyPart0002'], {
      id: 'prt_0a1b2c3d6ffeLegacyPart0002', sessionID: session, messageID: assistant, type: 'tool', tool: 'bash', callID: 'call_1',
      state: { status: 'completed', input: { command: 'ls' }, output: 'README.md\n', title: 'ls', metadata: {}, time: { start: t0 + 2500, end: t0 + 2600 } },
    });
    await put(['part', assistant, 'prt_0a1b2c3d6ffeLegacyPart0003'], { id: 'prt_0a1b2c3d6ffeLegacyPart0003', sessionID: session, messageID: assistant, type: 'text', text: 'Done.' });
    // Corrupt: a truncated part and an empty message file; both are skipped, counted and named.
    await put(['part', assistant, 'prt_0a1b2c3d6ffeLegacyBroken1'], '{"id": "prt_0a1b2c3d6ffeLegacyBroken1", "type": "te');
    await put(['message', session, 'msg_0a1b2c3d7ffeLegacyEmpty01'], '');
  });

  it('reports de-duplicated counts (the database wins) and the skipped corrupt files', async () => {
    const got = await cli<IndexJson>(['index', '--data-dir', dataDir], join(work, 'state-mixed'));
    const plus = (table: Record<string, number>, key: string, n: number) => ({ ...table, [key]: (table[key] ?? 0) + n });
    expect(got.sessions).toEqual({ root: (expected.sessions.root ?? 0) + 1, child: expected.sessions.child });
    expect(got.messages).toEqual({ user: expected.messages.user + 1, assistant: expected.messages.assistant + 1, forkCopies: expected.excludedMessages });
    expect(got.parts).toEqual(plus(plus(expected.parts, 'text', 2), 'tool', 1));
    expect(got.toolCalls).toEqual({ byTool: plus(expected.byTool, 'bash', 1), byStatus: plus(expected.byStatus, 'completed', 1) });
    const e = expected.tokens;
    expect(got.tokens).toEqual({
      input: (e.input ?? 0) + 100, output: (e.output ?? 0) + 20, reasoning: (e.reasoning ?? 0) + 7, cacheRead: (e.cacheRead ?? 0) + 50, cacheWrite: (e.cacheWrite ?? 0) + 3,
      total: e.total + 180,
    });
    expect(got.cost).toBeCloseTo(expected.cost + 0.0125, 6);
    expect(got.skipped).toEqual({ count: 2, reasons: { 'parse.invalid-json': 2 } });
    expect(got.duplicates).toBeGreaterThan(0);
    expect(got.sources.map((s) => s.kind).sort()).toEqual(['json', 'sqlite']);

    const [title] = await cli<Array<{ title: string; source: string }>>(['sql', `SELECT title, source FROM sessions WHERE id = '${runs[0]?.sessionId}'`, '--data-dir', dataDir], join(work, 'state-mixed'));
    expect(title?.title).not.toBe('stale legacy title');
    expect(title?.source).toBe('sqlite');
  });

  it('gives the same answer on a warm restart from the saved index', async () => {
    const { elapsedMs: coldMs, ...cold } = await cli<IndexJson>(['index', '--data-dir', dataDir], join(work, 'state-warm'));
    const { elapsedMs: warmMs, ...warm } = await cli<IndexJson>(['index', '--data-dir', dataDir], join(work, 'state-warm'));
    expect([coldMs, warmMs].every((ms) => typeof ms === 'number')).toBe(true);
    expect(warm).toEqual(cold);
  });
});
