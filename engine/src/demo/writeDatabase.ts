/**
 * Writes a demo dataset as `opencode.db` with the schema a real OpenCode 1.18.33 creates (captured from the
 * binary; the .sql file beside this one is a copy of tests/corpus's, which production code may not import),
 * in one transaction, with OpenCode's journal mode (WAL, a persistent setting the engine's reader expects).
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { DemoDataset } from './dataset.js';

const SCHEMA_SQL = new URL('./opencode-1.18.33.schema.sql', import.meta.url);

export function writeDemoDatabase(file: string, dataset: DemoDataset): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(readFileSync(SCHEMA_SQL, 'utf8'));
    const insert = {
      project: db.prepare("INSERT INTO project (id, worktree, vcs, name, time_created, time_updated, time_initialized, sandboxes) VALUES (?, ?, 'git', NULL, ?, ?, ?, '[]')"),
      session: db.prepare(
        'INSERT INTO session (id, project_id, parent_id, slug, directory, path, title, version, summary_additions, summary_deletions, summary_files, cost, tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write, permission, agent, model, time_created, time_updated) '
          + 'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      message: db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)'),
      part: db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)'),
      todo: db.prepare('INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
    db.transaction(() => {
      for (const p of dataset.projects) insert.project.run(p.id, p.worktree, p.timeCreated, p.timeCreated, p.timeCreated);
      for (const s of dataset.sessions) {
        const u = s.usage;
        insert.session.run(
          s.id, s.projectId, s.parentId, s.slug, s.directory, '', s.title, s.version,
          s.summary?.additions ?? null, s.summary?.deletions ?? null, s.summary?.files ?? null,
          u.cost, u.input, u.output, u.reasoning, u.cacheRead, u.cacheWrite,
          s.permission ? JSON.stringify(s.permission) : null, s.agent, s.model ? JSON.stringify(s.model) : null, s.timeCreated, s.timeUpdated,
        );
      }
      for (const m of dataset.messages) insert.message.run(m.id, m.sessionId, m.timeCreated, m.timeUpdated, JSON.stringify(m.data));
      for (const p of dataset.parts) insert.part.run(p.id, p.messageId, p.sessionId, p.timeCreated, p.timeUpdated, JSON.stringify(p.data));
      for (const list of dataset.todoLists) {
        list.todos.forEach((t, position) => insert.todo.run(list.sessionId, t.content, t.status, t.priority, position, list.time, list.time));
      }
    })();
  } finally {
    db.close();
  }
}
