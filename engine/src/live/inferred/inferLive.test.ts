import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createFixtureDb } from './fixtureDb.fixture.js';
import type { FixtureDb } from './fixtureDb.fixture.js';
import { inferLiveFromDb } from './inferLive.js';
import type { InferOptions, InferredLive, InferredSession } from './inferredTypes.js';
import { openReadOnlyDb } from './readOnlyDb.js';
import { INFERENCE_SQL } from './sessionRows.js';

const NOW = 1_795_608_000_000;
const SEC = 1000;
const MIN = 60 * SEC;

let fx: FixtureDb;
let reader: Database.Database;

beforeEach(() => {
  fx = createFixtureDb();
});
afterEach(() => {
  if (reader?.open) reader.close();
  fx.remove();
});

function infer(options: Partial<InferOptions> = {}): InferredLive {
  reader ??= new Database(fx.path, { readonly: true, fileMustExist: true });
  if (!reader.open) reader = new Database(fx.path, { readonly: true, fileMustExist: true });
  const result = inferLiveFromDb(reader, { nowMs: NOW, ...options });
  if (!result.ok) throw new Error(`unexpected problem ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

function session(live: InferredLive, id: string): InferredSession {
  const s = live.sessions[id];
  if (s === undefined) throw new Error(`session ${id} not inferred; have ${Object.keys(live.sessions).join(', ')}`);
  return s;
}

/** A turn mid-way: a completed first step, then a step whose bash call runs right now. */
function busyTurn(id: string, at: number, directory = '/home/dev/project'): void {
  fx.session({ id, directory, updated: at - 10 * SEC });
  fx.userMessage(id, `msg_${id}_1`, at - 10 * SEC);
  fx.assistantMessage(id, `msg_${id}_2`, { created: at - 9 * SEC, completed: at - 6 * SEC, finish: 'tool-calls' });
  fx.toolPart(id, `msg_${id}_2`, `prt_${id}_a`, { tool: 'read', callID: 'call_read', status: 'completed', input: { filePath: '/home/dev/project/a.txt' }, created: at - 8 * SEC });
  fx.assistantMessage(id, `msg_${id}_3`, { created: at - 5 * SEC });
  fx.toolPart(id, `msg_${id}_3`, `prt_${id}_b`, { tool: 'bash', callID: 'call_bash', status: 'running', input: { command: 'sleep 30; ls', description: 'slow' }, start: at - 4 * SEC, created: at - 4 * SEC, updated: at - 3 * SEC });
}

describe('inferLiveFromDb: busy and idle', () => {
  it('reports a running bash tool with its command and start time', () => {
    busyTurn('ses_busy', NOW);
    const s = session(infer(), 'ses_busy');
    expect(s).toMatchObject({ activity: 'busy', evidence: 'tool-running', directory: '/home/dev/project', agent: 'build', model: 'fake/fake-model' });
    expect(s.tools).toEqual([
      { callId: 'call_bash', messageId: 'msg_ses_busy_3', tool: 'bash', status: 'running', argument: 'sleep 30; ls', startedMs: NOW - 4 * SEC },
    ]);
    expect(s.lastActivityMs).toBe(NOW - 3 * SEC);
  });

  it('reports an assistant message without time.completed as busy even before any tool', () => {
    fx.session({ id: 'ses_stream', updated: NOW - 2 * SEC });
    fx.userMessage('ses_stream', 'msg_1', NOW - 2 * SEC);
    fx.assistantMessage('ses_stream', 'msg_2', { created: NOW - SEC });
    fx.textPart('ses_stream', 'msg_2', 'prt_1', '', NOW - SEC);
    expect(session(infer(), 'ses_stream')).toMatchObject({ activity: 'busy', evidence: 'assistant-in-flight', tools: [] });
  });

  it('reports a finished turn as idle with no tools', () => {
    busyTurn('ses_done', NOW - MIN);
    fx.toolPart('ses_done', 'msg_ses_done_3', 'prt_ses_done_b', { tool: 'bash', callID: 'call_bash', status: 'completed', input: { command: 'sleep 30; ls' }, created: NOW - 64 * SEC, updated: NOW - 40 * SEC });
    fx.assistantMessage('ses_done', 'msg_ses_done_3', { created: NOW - 65 * SEC, completed: NOW - 39 * SEC, finish: 'stop' });
    const s = session(infer(), 'ses_done');
    expect(s).toMatchObject({ activity: 'idle', tools: [], lastActivityMs: NOW - 39 * SEC });
    expect(s.evidence).toBeUndefined();
  });

  it('reports an errored message as idle and names the error', () => {
    fx.session({ id: 'ses_err', updated: NOW - 5 * SEC });
    fx.userMessage('ses_err', 'msg_1', NOW - 5 * SEC);
    fx.assistantMessage('ses_err', 'msg_2', {
      created: NOW - 4 * SEC, updated: NOW - 3 * SEC,
      error: { name: 'APIError', data: { message: 'bad request', statusCode: 400, isRetryable: false } },
    });
    expect(session(infer(), 'ses_err')).toMatchObject({ activity: 'idle', lastError: 'APIError', tools: [] });
  });

  it('ignores an in-flight row a crash left in an older step once a newer step completed', () => {
    fx.session({ id: 'ses_old_crash', updated: NOW - 20 * SEC });
    fx.userMessage('ses_old_crash', 'msg_1', NOW - 20 * SEC);
    fx.assistantMessage('ses_old_crash', 'msg_2', { created: NOW - 19 * SEC });
    fx.toolPart('ses_old_crash', 'msg_2', 'prt_1', { tool: 'bash', callID: 'c1', status: 'running', input: { command: 'make' }, created: NOW - 19 * SEC });
    fx.userMessage('ses_old_crash', 'msg_3', NOW - 10 * SEC);
    fx.assistantMessage('ses_old_crash', 'msg_4', { created: NOW - 9 * SEC, completed: NOW - 8 * SEC, finish: 'stop' });
    expect(session(infer(), 'ses_old_crash')).toMatchObject({ activity: 'idle', tools: [] });
  });
});

describe('inferLiveFromDb: gaps between steps', () => {
  it('counts a fresh prompt with no answer yet as busy, and an old one as idle', () => {
    fx.session({ id: 'ses_prompt', updated: NOW - 3 * SEC });
    fx.userMessage('ses_prompt', 'msg_1', NOW - 3 * SEC);
    expect(session(infer(), 'ses_prompt')).toMatchObject({ activity: 'busy', evidence: 'prompt-queued' });
    expect(session(infer({ nowMs: NOW + 5 * MIN }), 'ses_prompt').activity).toBe('idle');
  });

  it('counts a step that ended with tool calls as continuing only for the grace period', () => {
    fx.session({ id: 'ses_cont', updated: NOW - 2 * SEC });
    fx.userMessage('ses_cont', 'msg_1', NOW - 4 * SEC);
    fx.assistantMessage('ses_cont', 'msg_2', { created: NOW - 3 * SEC, completed: NOW - 2 * SEC, finish: 'tool-calls' });
    expect(session(infer(), 'ses_cont')).toMatchObject({ activity: 'busy', evidence: 'continuing' });
    expect(session(infer({ startGraceMs: SEC }), 'ses_cont').activity).toBe('idle');
  });
});

describe('inferLiveFromDb: stale turns', () => {
  it('marks a busy-looking session with no write for over 10 minutes as stale, without tools', () => {
    busyTurn('ses_stale', NOW - 20 * MIN);
    const s = session(infer(), 'ses_stale');
    expect(s).toMatchObject({ activity: 'stale', evidence: 'tool-running', staleReason: 'no-activity', tools: [] });
    expect(session(infer({ staleAfterMs: 30 * MIN }), 'ses_stale').activity).toBe('busy');
  });

  it('marks a busy-looking session as stale when no process works in its directory', () => {
    busyTurn('ses_gone', NOW, '/home/dev/gone');
    busyTurn('ses_here', NOW, '/home/dev/here');
    const asked: string[] = [];
    const live = infer({ processAlive: (dir) => (asked.push(dir), dir === '/home/dev/here') });
    expect(session(live, 'ses_gone')).toMatchObject({ activity: 'stale', staleReason: 'process-gone' });
    expect(session(live, 'ses_here')).toMatchObject({ activity: 'busy' });
    expect(asked.sort()).toEqual(['/home/dev/gone', '/home/dev/here']);
  });

  it('never marks an idle session stale', () => {
    fx.session({ id: 'ses_idle', updated: NOW - 2 * 60 * MIN });
    expect(session(infer({ processAlive: () => false }), 'ses_idle')).toMatchObject({ activity: 'idle' });
  });
});

describe('inferLiveFromDb: tools, todos, selection', () => {
  it('chooses each tool argument like the original monitor and falls back to the part time for pending tools', () => {
    fx.session({ id: 'ses_tools', updated: NOW - 5 * SEC });
    fx.assistantMessage('ses_tools', 'msg_1', { created: NOW - 5 * SEC });
    const running = (n: number, tool: string, input: Record<string, unknown>): void =>
      fx.toolPart('ses_tools', 'msg_1', `prt_${n}`, { tool, callID: `call_${n}`, status: 'running', input, start: NOW - 4 * SEC, created: NOW - 4 * SEC });
    running(1, 'read', { filePath: '/p/a.ts' });
    running(2, 'write', { filePath: '/p/b.ts', content: 'x'.repeat(10_000) });
    running(3, 'edit', { filePath: '/p/c.ts', oldString: 'a', newString: 'b' });
    running(4, 'webfetch', { url: 'https://example.com/doc', format: 'markdown' });
    running(5, 'task', { description: 'List files', prompt: 'please list', subagent_type: 'general' });
    fx.toolPart('ses_tools', 'msg_1', 'prt_6', { tool: 'bash', callID: 'call_6', status: 'pending', raw: '{"comm', created: NOW - 3 * SEC });
    fx.toolPart('ses_tools', 'msg_1', 'prt_7', { tool: 'glob', callID: 'call_7', status: 'completed', input: { pattern: '*' }, created: NOW - 4 * SEC });
    const tools = session(infer(), 'ses_tools').tools;
    expect(tools.map((t) => [t.tool, t.status, t.argument])).toEqual([
      ['read', 'running', '/p/a.ts'],
      ['write', 'running', '/p/b.ts'],
      ['edit', 'running', '/p/c.ts'],
      ['webfetch', 'running', 'https://example.com/doc'],
      ['task', 'running', 'List files (@general)'],
      ['bash', 'pending', ''],
    ]);
    expect(tools.at(-1)?.startedMs).toBe(NOW - 3 * SEC);
  });

  it('summarises todos: counts, current = first in progress, next = first pending', () => {
    fx.session({ id: 'ses_todo', updated: NOW - 5 * SEC });
    fx.todos('ses_todo', [
      { content: 'Read code', status: 'completed' },
      { content: 'Write tests', status: 'in_progress' },
      { content: 'Fix bug', status: 'in_progress' },
      { content: 'Ship', status: 'pending' },
      { content: 'Celebrate', status: 'pending' },
      { content: 'Dropped', status: 'cancelled' },
    ], NOW - SEC);
    const s = session(infer(), 'ses_todo');
    expect(s.todos).toEqual({ pending: 2, inProgress: 2, completed: 1, currentLabel: 'Write tests', nextLabel: 'Ship' });
    expect(s.lastActivityMs).toBe(NOW - SEC);
  });

  it('keeps only sessions updated since sinceMs, not archived, newest first and at most maxSessions', () => {
    fx.session({ id: 'ses_a', updated: NOW - 3 * MIN });
    fx.session({ id: 'ses_b', updated: NOW - MIN, parentId: 'ses_a', model: { id: 'm1', providerID: 'p1' } });
    fx.session({ id: 'ses_c', updated: NOW - 2 * MIN });
    fx.session({ id: 'ses_old', updated: NOW - 25 * 60 * MIN });
    fx.session({ id: 'ses_archived', updated: NOW - MIN, archived: NOW - MIN });
    expect(Object.keys(infer().sessions)).toEqual(['ses_b', 'ses_c', 'ses_a']);
    expect(Object.keys(infer({ maxSessions: 2 }).sessions)).toEqual(['ses_b', 'ses_c']);
    expect(Object.keys(infer({ sinceMs: NOW - 90 * SEC }).sessions)).toEqual(['ses_b']);
    expect(session(infer(), 'ses_b')).toMatchObject({ parentId: 'ses_a', model: 'p1/m1', activity: 'idle' });
  });
});

describe('inferLiveFromDb: reading safely', () => {
  it('reads every table through an index, never a whole-table scan of messages, parts or todos', () => {
    fx.session({ id: 'ses_plan', updated: NOW });
    const db = new Database(fx.path, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(INFERENCE_SQL)) {
        if (name === 'sessions') continue; // no time_updated index exists; the session table is one row per session
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
        expect(plan, `${name}: ${plan}`).toMatch(/USING (COVERING )?(INDEX|PRIMARY KEY)/);
        expect(plan, `${name}: ${plan}`).not.toMatch(/SCAN (message|part|todo)\b(?! USING)/);
      }
    } finally {
      db.close();
    }
  });

  it('reports a locked database as source.busy instead of throwing', () => {
    const locked = createFixtureDb({ wal: false });
    try {
      locked.session({ id: 'ses_x', updated: NOW });
      const opened = openReadOnlyDb(locked.path, 20);
      if (!opened.ok) throw new Error(opened.problem.message);
      locked.writer.exec('BEGIN EXCLUSIVE');
      const result = inferLiveFromDb(opened.value, { nowMs: NOW });
      locked.writer.exec('ROLLBACK');
      expect(result).toMatchObject({ ok: false, problem: { code: 'source.busy', source: locked.path } });
      expect(inferLiveFromDb(opened.value, { nowMs: NOW }).ok).toBe(true);
      opened.value.close();
    } finally {
      locked.remove();
    }
  });

  it('reports a database without OpenCode tables as source.unreadable', () => {
    const empty = new Database(`${fx.dir}/empty.db`);
    empty.close();
    const opened = openReadOnlyDb(`${fx.dir}/empty.db`);
    if (!opened.ok) throw new Error(opened.problem.message);
    expect(inferLiveFromDb(opened.value, { nowMs: NOW })).toMatchObject({ ok: false, problem: { code: 'source.unreadable' } });
    opened.value.close();
  });

  it('reads a WAL database after OpenCode closed it (no -wal or -shm left)', () => {
    busyTurn('ses_closed', NOW);
    fx.writer.close();
    const opened = openReadOnlyDb(fx.path);
    if (!opened.ok) throw new Error(opened.problem.message);
    const result = inferLiveFromDb(opened.value, { nowMs: NOW, processAlive: () => false });
    opened.value.close();
    expect(result).toMatchObject({ ok: true, value: { sessions: { ses_closed: { activity: 'stale', staleReason: 'process-gone' } } } });
  });

  it('reports a missing database as source.vanished and never creates it', () => {
    const result = openReadOnlyDb(`${fx.dir}/missing.db`);
    expect(result).toMatchObject({ ok: false, problem: { code: 'source.vanished' } });
    expect(() => new Database(`${fx.dir}/missing.db`, { fileMustExist: true })).toThrow();
  });
});
