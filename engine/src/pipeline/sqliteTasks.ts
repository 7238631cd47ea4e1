/**
 * Worker-side reads of OpenCode's SQLite database. Opened read-only per task with a real SQLite engine that
 * sees the -wal file; never writes, never checkpoints. Tables we must not read (credentials, share secrets)
 * are never queried.
 */
import Database from 'better-sqlite3';
import { projectFromSqlRow, sessionFromSqlRow, todoRow, type SqlProjectRow, type SqlSessionRow } from '../parse/index.js';
import { problemFromError } from '../sources/index.js';
import { Collector, parseBody } from './collector.js';
import type { ChildRoots, MetaResult, TaskResult } from './tasks.js';

/** Tables this version reads or knowingly ignores. Anything else is reported as unknown, never read. */
const KNOWN_TABLES = new Set([
  'project', 'project_directory', 'workspace', 'session', 'message', 'part', 'todo', 'permission', 'event', 'event_sequence',
  'session_message', 'session_input', 'session_context_epoch', 'migration', 'data_migration', '__drizzle_migrations',
  // Credentials and secrets: listed so they are never reported as "unknown", and never queried.
  'account', 'account_state', 'control_account', 'credential', 'session_share',
]);
/** OpenCode 2 tables that hold history this version does not read yet. */
const NEWER_HISTORY_TABLES = ['session_v2', 'session_message'];

export function openReadOnly(dbPath: string): Database.Database {
  // timeout = busy timeout: wait for a writer's lock instead of failing at once.
  return new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
}

function failedResult(collector: Collector, task: 'sqlite-meta' | 'sqlite-messages' | 'sqlite-parts', dbPath: string, error: unknown): TaskResult {
  const problem = problemFromError(error, dbPath);
  collector.noteIssue(problem.code, `${dbPath}: ${problem.message}`);
  return collector.result(task, dbPath);
}

export function readSqliteMeta(dbPath: string): TaskResult {
  const collector = new Collector('sqlite');
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dbPath);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    for (const name of tables) {
      if (!KNOWN_TABLES.has(name) && !NEWER_HISTORY_TABLES.includes(name) && !name.startsWith('sqlite_')) {
        collector.noteIssue('parse.unknown-table', `${dbPath}: table "${name}" is not known to this version`);
      }
    }
    for (const name of NEWER_HISTORY_TABLES) {
      if (!tables.has(name)) continue;
      const n = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
      // In OpenCode 1.18 these exist but stay empty; rows mean an OpenCode 2 install wrote history we do not read yet.
      if (n > 0) collector.noteIssue('parse.unknown-table', `${dbPath}: ${n} rows in OpenCode 2 table "${name}" are not read yet`, n);
    }
    const sessions = tables.has('session')
      ? (db.prepare(
          'SELECT id, project_id, parent_id, slug, directory, title, version, summary_additions, summary_deletions, summary_files, agent, model, time_created, time_updated, time_archived FROM session',
        ).all() as SqlSessionRow[]).map(sessionFromSqlRow)
      : [];
    const projects = tables.has('project')
      ? (db.prepare('SELECT id, worktree, vcs, name, time_created, time_updated FROM project').all() as SqlProjectRow[]).map(projectFromSqlRow)
      : [];
    const todos = tables.has('todo')
      ? (db.prepare('SELECT session_id, content, status, priority, position, time_updated FROM todo ORDER BY session_id, position').all() as {
          session_id: string;
          content: string;
          status: string;
          priority: string;
          position: number;
          time_updated: number | null;
        }[]).map((r) => todoRow({ sessionId: r.session_id, position: r.position, item: r, updatedAt: r.time_updated, source: 'sqlite' }))
      : [];
    const bounds = (table: string): [number, number] => {
      if (!tables.has(table)) return [0, 0];
      const row = db!.prepare(`SELECT coalesce(min(rowid), 0) AS lo, coalesce(max(rowid), 0) AS hi FROM "${table}"`).get() as { lo: number; hi: number };
      return [row.lo, row.hi];
    };
    const newest = (table: string): number =>
      tables.has(table) ? ((db!.prepare(`SELECT coalesce(max(time_updated), 0) AS t FROM "${table}"`).get() as { t: number }).t) : 0;
    const meta: MetaResult = {
      sessions,
      projects,
      todos,
      bounds: { message: bounds('message'), part: bounds('part') },
      watermarks: { session: newest('session'), message: newest('message'), part: newest('part'), todo: newest('todo') },
    };
    collector.records = sessions.length + projects.length + todos.length;
    return { ...collector.result('sqlite-meta', dbPath), meta };
  } catch (error) {
    return failedResult(collector, 'sqlite-meta', dbPath, error);
  } finally {
    db?.close();
  }
}

interface BodyRow {
  id: string;
  session_id: string;
  message_id?: string;
  time_created: number;
  time_updated: number;
  data: string;
}

/** Reads message or part rows with rowid in (fromRowid, toRowid], or changed after `sinceUpdated`. */
export function readSqliteBodies(
  kind: 'sqlite-messages' | 'sqlite-parts',
  dbPath: string,
  range: { fromRowid: number; toRowid: number } | { sinceUpdated: number },
  childRoots: ChildRoots,
): TaskResult {
  const collector = new Collector('sqlite');
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dbPath);
    const table = kind === 'sqlite-messages' ? 'message' : 'part';
    const columns = kind === 'sqlite-messages' ? 'id, session_id, time_created, time_updated, data' : 'id, message_id, session_id, time_created, time_updated, data';
    const statement =
      'sinceUpdated' in range
        ? db.prepare(`SELECT ${columns} FROM ${table} WHERE time_updated > ?`).bind(range.sinceUpdated)
        : db.prepare(`SELECT ${columns} FROM ${table} WHERE rowid > ? AND rowid <= ?`).bind(range.fromRowid, range.toRowid);
    for (const row of statement.iterate() as IterableIterator<BodyRow>) {
      collector.records++;
      if (row.time_updated > collector.maxTimeUpdated) collector.maxTimeUpdated = row.time_updated;
      const data = parseBody(collector, row.data, `${table} ${row.id}`);
      if (!data) continue;
      const rootSessionId = childRoots[row.session_id] ?? row.session_id;
      if (kind === 'sqlite-messages') {
        collector.addMessage({ id: row.id, sessionId: row.session_id, rootSessionId, createdAt: row.time_created }, data);
      } else {
        collector.addPart({ id: row.id, messageId: row.message_id!, sessionId: row.session_id, rootSessionId, createdAt: row.time_created }, data, row.data.length);
      }
    }
    return collector.result(kind, dbPath);
  } catch (error) {
    return failedResult(collector, kind, dbPath, error);
  } finally {
    db?.close();
  }
}
