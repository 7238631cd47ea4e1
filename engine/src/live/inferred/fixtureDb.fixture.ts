/**
 * Test support: a temporary `opencode.db` with OpenCode's real schema (engine/src/demo/opencode-1.18.33.schema.sql)
 * and writers that store rows the way OpenCode does (opencode.md §4.3, §6): `message.data` without id and
 * sessionID, `part.data` without the three ids, one todo row per item. Used by tests only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA_SQL = new URL('../../demo/opencode-1.18.33.schema.sql', import.meta.url);
const PROJECT_ID = 'prj_fixture';

export interface FixtureSession {
  id: string;
  directory?: string;
  title?: string;
  parentId?: string;
  updated: number;
  archived?: number;
  model?: { id: string; providerID: string };
}

export interface FixtureAssistant {
  created: number;
  updated?: number;
  completed?: number;
  finish?: string;
  error?: { name: string; data: Record<string, unknown> };
  agent?: string;
}

export interface FixtureTool {
  tool: string;
  callID: string;
  status: 'pending' | 'running' | 'completed' | 'error';
  input?: Record<string, unknown>;
  /** Raw input text of a pending tool (its input is still streaming). */
  raw?: string;
  start?: number;
  end?: number;
  created: number;
  updated?: number;
}

export interface FixtureDb {
  readonly dir: string;
  readonly path: string;
  /** A writable connection, standing in for OpenCode itself. */
  readonly writer: Database.Database;
  session(s: FixtureSession): void;
  userMessage(sessionId: string, id: string, created: number): void;
  assistantMessage(sessionId: string, id: string, m: FixtureAssistant): void;
  textPart(sessionId: string, messageId: string, id: string, text: string, at: number): void;
  toolPart(sessionId: string, messageId: string, id: string, t: FixtureTool): void;
  todos(sessionId: string, items: ReadonlyArray<{ content: string; status: string }>, at: number): void;
  remove(): void;
}

export function createFixtureDb(opts: { wal?: boolean } = {}): FixtureDb {
  const dir = mkdtempSync(join(tmpdir(), 'ocm-inferred-'));
  const path = join(dir, 'opencode.db');
  const writer = new Database(path);
  writer.pragma(`journal_mode = ${opts.wal === false ? 'DELETE' : 'WAL'}`);
  writer.exec(readFileSync(SCHEMA_SQL, 'utf8'));
  writer
    .prepare("INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES (?, '/', 0, 0, '[]')")
    .run(PROJECT_ID);
  const upsertMessage = writer.prepare(
    'INSERT OR REPLACE INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)',
  );
  const upsertPart = writer.prepare(
    'INSERT OR REPLACE INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    dir,
    path,
    writer,
    session: (s) => {
      writer
        .prepare(
          `INSERT OR REPLACE INTO session (id, project_id, parent_id, slug, directory, title, version, model, time_created, time_updated, time_archived)
           VALUES (?, ?, ?, ?, ?, ?, '1.18.33', ?, ?, ?, ?)`,
        )
        .run(s.id, PROJECT_ID, s.parentId ?? null, s.id.slice(-8), s.directory ?? '/home/dev/project', s.title ?? `Title of ${s.id}`,
          s.model ? JSON.stringify(s.model) : null, s.updated, s.updated, s.archived ?? null);
    },
    userMessage: (sessionId, id, created) => {
      const data = { role: 'user', time: { created }, agent: 'build', model: { providerID: 'fake', modelID: 'fake-model' } };
      upsertMessage.run(id, sessionId, created, created, JSON.stringify(data));
    },
    assistantMessage: (sessionId, id, m) => {
      const data = {
        parentID: 'msg_parent', role: 'assistant', mode: m.agent ?? 'build', agent: m.agent ?? 'build',
        path: { cwd: '/home/dev/project', root: '/home/dev/project' }, cost: 0,
        tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
        modelID: 'fake-model', providerID: 'fake',
        time: { created: m.created, ...(m.completed !== undefined ? { completed: m.completed } : {}) },
        ...(m.finish !== undefined ? { finish: m.finish } : {}),
        ...(m.error !== undefined ? { error: m.error } : {}),
      };
      upsertMessage.run(id, sessionId, m.created, m.updated ?? m.completed ?? m.created, JSON.stringify(data));
    },
    textPart: (sessionId, messageId, id, text, at) => {
      upsertPart.run(id, messageId, sessionId, at, at, JSON.stringify({ type: 'text', text, time: { start: at, end: at } }));
    },
    toolPart: (sessionId, messageId, id, t) => {
      const input = t.input ?? {};
      const state =
        t.status === 'pending' ? { status: 'pending', input: {}, raw: t.raw ?? '' }
        : t.status === 'running' ? { status: 'running', input, metadata: {}, time: { start: t.start ?? t.created } }
        : t.status === 'completed' ? { status: 'completed', input, output: 'ok', title: t.tool, metadata: {}, time: { start: t.start ?? t.created, end: t.end ?? t.created } }
        : { status: 'error', input, error: 'failed', time: { start: t.start ?? t.created, end: t.end ?? t.created } };
      const data = { type: 'tool', tool: t.tool, callID: t.callID, state };
      upsertPart.run(id, messageId, sessionId, t.created, t.updated ?? t.created, JSON.stringify(data));
    },
    todos: (sessionId, items, at) => {
      writer.prepare('DELETE FROM todo WHERE session_id = ?').run(sessionId);
      const insert = writer.prepare(
        "INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) VALUES (?, ?, ?, 'medium', ?, ?, ?)",
      );
      items.forEach((item, position) => insert.run(sessionId, item.content, item.status, position, at, at));
    },
    remove: () => {
      if (writer.open) writer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
