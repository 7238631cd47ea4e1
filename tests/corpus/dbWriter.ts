/**
 * Writes records into opencode.db with prepared statements, the way OpenCode's projector does: sessions are
 * inserted when created and updated when done, messages are upserted (insert, then update on completion),
 * parts are inserted in their final state, todos replace the session's list. With `events`, the durable `event`
 * log and `event_sequence` are filled too (session.created.1, session.updated.1, message.updated.1 and
 * message.part.updated.1, tools also with their pending/running states), using their own id stream so that
 * turning events on does not change any other row.
 */
import type Database from 'better-sqlite3';
import type { IdFactory } from './ids.js';
import type { MessageRow, PartRow, ProjectRow, SessionRow, Sink } from './records.js';
import type { TodoItem } from './tools.js';

/** The API form of a session, as carried by session events (columns folded back into an object). */
export function sessionInfo(row: SessionRow): Record<string, unknown> {
  const u = row.usage;
  return {
    id: row.id, slug: row.slug, projectID: row.projectID, directory: row.directory, path: row.path,
    ...(row.parentID ? { parentID: row.parentID } : {}),
    ...(row.summary ? { summary: row.summary } : {}),
    cost: u.cost, tokens: { input: u.input, output: u.output, reasoning: u.reasoning, cache: { read: u.cacheRead, write: u.cacheWrite } },
    title: row.title, ...(row.agent ? { agent: row.agent } : {}), ...(row.model ? { model: row.model } : {}), version: row.version,
    ...(row.permission ? { permission: row.permission } : {}),
    time: { created: row.timeCreated, updated: row.timeUpdated, ...(row.timeArchived !== null ? { archived: row.timeArchived } : {}) },
  };
}

export class DbWriter implements Sink {
  readonly counts = { event: 0, eventSequence: 0 };
  private readonly seq = new Map<string, number>();
  private readonly stmt;

  constructor(private readonly db: Database.Database, private readonly eventIds: IdFactory | null) {
    this.stmt = {
      project: db.prepare('INSERT INTO project (id, worktree, vcs, name, icon_url, icon_url_override, icon_color, time_created, time_updated, time_initialized, sandboxes, commands) VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, \'[]\', NULL)'),
      directory: db.prepare('INSERT INTO project_directory (project_id, directory, type, strategy, time_created) VALUES (?, ?, NULL, NULL, ?)'),
      sessionInsert: db.prepare(
        'INSERT INTO session (id, project_id, workspace_id, parent_id, slug, directory, path, title, version, share_url, summary_additions, summary_deletions, summary_files, summary_diffs, metadata, cost, tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write, revert, permission, agent, model, time_created, time_updated, time_compacting, time_archived) '
        + 'VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, ?, ?, ?, ?, ?, NULL, NULL)',
      ),
      sessionUpdate: db.prepare(
        'UPDATE session SET title = ?, summary_additions = ?, summary_deletions = ?, summary_files = ?, cost = ?, tokens_input = ?, tokens_output = ?, tokens_reasoning = ?, tokens_cache_read = ?, tokens_cache_write = ?, agent = ?, model = ?, time_updated = ?, time_archived = ? WHERE id = ?',
      ),
      message: db.prepare(
        'INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, time_updated = excluded.time_updated',
      ),
      part: db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)'),
      todoDelete: db.prepare('DELETE FROM todo WHERE session_id = ?'),
      todo: db.prepare('INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      event: db.prepare('INSERT INTO event (id, aggregate_id, seq, type, data) VALUES (?, ?, ?, ?, ?)'),
      eventSequence: db.prepare('INSERT INTO event_sequence (aggregate_id, seq, owner_id) VALUES (?, ?, NULL) ON CONFLICT (aggregate_id) DO UPDATE SET seq = excluded.seq'),
    };
  }

  project(row: ProjectRow, directories: ReadonlyArray<{ directory: string; timeCreated: number }>): void {
    this.stmt.project.run(row.id, row.worktree, row.vcs, row.name, row.timeCreated, row.timeUpdated, row.timeInitialized);
    for (const dir of directories) this.stmt.directory.run(row.id, dir.directory, dir.timeCreated);
  }

  session(row: SessionRow, update: boolean): void {
    const model = row.model ? JSON.stringify(row.model) : null;
    if (!update) {
      this.stmt.sessionInsert.run(row.id, row.projectID, row.parentID, row.slug, row.directory, row.path, row.title, row.version,
        row.permission ? JSON.stringify(row.permission) : null, row.agent, model, row.timeCreated, row.timeUpdated);
    } else {
      const u = row.usage;
      this.stmt.sessionUpdate.run(row.title, row.summary?.additions ?? null, row.summary?.deletions ?? null, row.summary?.files ?? null,
        u.cost, u.input, u.output, u.reasoning, u.cacheRead, u.cacheWrite, row.agent, model, row.timeUpdated, row.timeArchived, row.id);
    }
    if (!this.eventIds) return;
    this.event(row.id, update ? 'session.updated.1' : 'session.created.1', row.timeUpdated, { sessionID: row.id, info: sessionInfo(row) });
    // A session's final emission is its last record, so its sequence row can be written once, here.
    if (update) {
      this.stmt.eventSequence.run(row.id, this.seq.get(row.id) ?? 0);
      this.counts.eventSequence++;
    }
  }

  message(row: MessageRow, _update: boolean): void {
    this.stmt.message.run(row.id, row.sessionID, row.timeCreated, row.timeUpdated, JSON.stringify(row.data));
    if (this.eventIds) {
      this.event(row.sessionID, 'message.updated.1', row.timeUpdated, { sessionID: row.sessionID, info: { id: row.id, sessionID: row.sessionID, ...row.data } });
    }
  }

  part(row: PartRow): void {
    this.stmt.part.run(row.id, row.messageID, row.sessionID, row.timeCreated, row.timeUpdated, JSON.stringify(row.data));
    if (!this.eventIds) return;
    const part = { id: row.id, sessionID: row.sessionID, messageID: row.messageID, ...row.data };
    const state = row.data['state'] as { status: string; input: unknown; time?: { start: number } } | undefined;
    if (state && state.status !== 'pending' && !row.copy) {
      this.event(row.sessionID, 'message.part.updated.1', row.timeCreated, { sessionID: row.sessionID, part: { ...part, state: { status: 'pending', input: {}, raw: '' } }, time: row.timeCreated });
      if (state.status !== 'running') {
        const start = state.time?.start ?? row.timeCreated;
        this.event(row.sessionID, 'message.part.updated.1', start, { sessionID: row.sessionID, part: { ...part, state: { status: 'running', input: state.input, time: { start } } }, time: start });
      }
    }
    this.event(row.sessionID, 'message.part.updated.1', row.timeUpdated, { sessionID: row.sessionID, part, time: row.timeUpdated });
  }

  todos(sessionID: string, todos: readonly TodoItem[], time: number): void {
    this.stmt.todoDelete.run(sessionID);
    todos.forEach((todo, position) => this.stmt.todo.run(sessionID, todo.content, todo.status, todo.priority, position, time, time));
  }

  private event(aggregate: string, type: string, time: number, data: Record<string, unknown>): void {
    if (!this.eventIds) return;
    const seq = this.seq.get(aggregate) ?? -1;
    const next = seq + 1;
    this.seq.set(aggregate, next);
    this.stmt.event.run(this.eventIds.ascending('evt', time), aggregate, next, type, JSON.stringify(data));
    this.counts.event++;
  }
}
