/**
 * The legacy JSON tree OpenCode wrote before 1.2.0 (opencode.md §3, §6): `storage/{project, session/<projectID>,
 * message/<sessionID>, part/<messageID>, todo, session_diff}/<id>.json`, each file the full object including its
 * id, sessionID and messageID, written as `JSON.stringify(obj, null, 2)`, plus `storage/migration` ("2").
 * Sessions carry no usage fields (those came with 1.16), and a third of the JSON-only ones also lack `slug` and
 * `directory`, as old files do.
 *
 * Two kinds of sessions end up here: JSON-only history (older than the database window, never imported), and
 * an overlap: the oldest database families also exist as JSON holding only their first exchange, as if the
 * session had been imported and then continued in SQLite. Same ids on both sides; the database is newer and wins.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { LEGACY_VERSION } from './catalog.js';
import type { MessageRow, PartRow, ProjectRow, SessionRow, Sink } from './records.js';
import type { FileDiff, TodoItem } from './tools.js';

export interface LegacyFileCounts {
  project: number;
  session: number;
  message: number;
  part: number;
  todo: number;
  session_diff: number;
  migration: number;
}

export class LegacyWriter implements Sink {
  readonly files: LegacyFileCounts = { project: 0, session: 0, message: 0, part: 0, todo: 0, session_diff: 0, migration: 0 };
  /** A few ids of written records, to place corrupt files beside real ones. */
  readonly samples = { sessions: [] as Array<{ id: string; projectID: string }>, messages: [] as Array<{ id: string; sessionID: string }> };
  private readonly madeDirs = new Set<string>();
  private readonly writtenProjects = new Set<string>();
  private readonly writtenMessages = new Set<string>();
  private readonly diffs = new Map<string, FileDiff[]>();

  constructor(
    readonly storageDir: string,
    private readonly projects: ReadonlyMap<string, ProjectRow>,
    /** Omit slug and directory from this fraction of sessions (decided by a hash of the id). */
    private readonly bareFraction: number,
  ) {
    this.write(join(storageDir, 'migration'), '2', 'migration');
  }

  private write(path: string, text: string, kind: keyof LegacyFileCounts): void {
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    writeFileSync(path, text);
    this.files[kind]++;
  }

  private json(kind: keyof LegacyFileCounts, segments: readonly string[], value: unknown): void {
    this.write(join(this.storageDir, kind, ...segments) + '.json', JSON.stringify(value, null, 2), kind);
  }

  session(row: SessionRow, update: boolean): void {
    if (!update) return;
    const project = this.projects.get(row.projectID);
    if (project && !this.writtenProjects.has(project.id)) {
      this.writtenProjects.add(project.id);
      this.json('project', [project.id], {
        id: project.id, worktree: project.worktree, ...(project.vcs ? { vcs: project.vcs } : {}), sandboxes: [],
        time: { created: project.timeCreated, updated: project.timeUpdated, ...(project.timeInitialized ? { initialized: project.timeInitialized } : {}) },
      });
    }
    const bare = (parseInt(row.id.slice(-4), 36) % 1000) / 1000 < this.bareFraction;
    this.json('session', [row.projectID, row.id], {
      id: row.id, ...(bare ? {} : { slug: row.slug }), version: LEGACY_VERSION, projectID: row.projectID,
      ...(bare ? {} : { directory: row.directory }), ...(row.parentID ? { parentID: row.parentID } : {}), title: row.title,
      time: { created: row.timeCreated, updated: row.timeUpdated, ...(row.timeArchived !== null ? { archived: row.timeArchived } : {}) },
      ...(row.summary ? { summary: row.summary } : {}), ...(row.permission ? { permission: row.permission } : {}),
    });
    if (this.samples.sessions.length < 50) this.samples.sessions.push({ id: row.id, projectID: row.projectID });
    const diffs = this.diffs.get(row.id);
    if (diffs?.length) this.json('session_diff', [row.id], diffs);
    this.diffs.delete(row.id);
  }

  message(row: MessageRow, update: boolean): void {
    this.json('message', [row.sessionID, row.id], { id: row.id, sessionID: row.sessionID, ...row.data });
    if (update) this.files.message--;
    else this.writtenMessages.add(row.id);
    const summary = row.data['summary'] as { diffs?: FileDiff[] } | undefined;
    if (update && summary?.diffs?.length) {
      const list = this.diffs.get(row.sessionID) ?? [];
      list.push(...summary.diffs);
      this.diffs.set(row.sessionID, list);
    }
    if (!update && this.samples.messages.length < 50) this.samples.messages.push({ id: row.id, sessionID: row.sessionID });
  }

  part(row: PartRow): void {
    this.json('part', [row.messageID, row.id], { id: row.id, sessionID: row.sessionID, messageID: row.messageID, ...row.data });
  }

  todos(sessionID: string, todos: readonly TodoItem[]): void {
    this.json('todo', [sessionID], todos.map((todo, i) => ({ ...todo, id: String(i + 1) })));
  }

  relative(path: string): string {
    return relative(dirname(this.storageDir), path);
  }
}

export interface OverlapCounts {
  sessions: number;
  messages: number;
  parts: number;
}

/**
 * Forwards to `target` only the first exchange of the selected root sessions (and of the children they spawned
 * during it), with the session's time.updated cut back to that point. `select(row)` picks the root sessions.
 */
export function overlapSink(target: LegacyWriter, select: (row: SessionRow) => boolean): Sink & { counts: OverlapCounts } {
  const open = new Map<string, { users: number; last: number }>();
  const forwarded = new Set<string>();
  const counts: OverlapCounts = { sessions: 0, messages: 0, parts: 0 };
  return {
    counts,
    session(row, update) {
      if (!update) {
        const parentOpen = row.parentID !== null && (open.get(row.parentID)?.users ?? 2) <= 1;
        if ((row.kind === 'root' && select(row)) || (row.kind === 'child' && parentOpen)) open.set(row.id, { users: 0, last: row.timeCreated });
        return;
      }
      const state = open.get(row.id);
      if (!state) return;
      open.delete(row.id);
      counts.sessions++;
      target.session({ ...row, timeUpdated: state.last, summary: null, timeArchived: null }, true);
    },
    message(row, update) {
      const state = open.get(row.sessionID);
      if (!update && state && row.data['role'] === 'user') state.users++;
      if (!update && state && state.users <= 1) {
        forwarded.add(row.id);
        counts.messages++;
      }
      if (!forwarded.has(row.id)) return;
      if (state) state.last = Math.max(state.last, row.timeUpdated);
      target.message(row, update);
    },
    part(row) {
      if (!forwarded.has(row.messageID)) return;
      counts.parts++;
      target.part(row);
    },
    todos() {},
  };
}
