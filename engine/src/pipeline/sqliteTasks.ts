/**
 * Worker-side reads of OpenCode's SQLite database. Opened read-only per task with a real SQLite engine that
 * sees the -wal file; never writes, never checkpoints. Tables we must not read (credentials, share secrets)
 * are never queried.
 */
import Database from 'better-sqlite3';
import { projectFromSqlRow, sessionFromSqlRow, todoRow, type SqlProjectRow, type SqlSessionRow } from '../parse/index.js';
import { problemFromError } from '../sources/index.js';
import { createToolCallAuditor } from './audit.js';
import { Collector, parseBody } from './collector.js';
import { sqliteDirectoryLookup } from './sessionDirectories.js';
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

function failedResult(collector: Collector, task: TaskResult['task'], dbPath: string, error: unknown): TaskResult {
  const problem = problemFromError(error, dbPath);
  collector.noteIssue(problem.code, `${dbPath}: ${problem.message}`);
  return collector.result(task, dbPath);
}

/** @param signature `smallTablesSignature` when the caller just took it (a refresh), so it is not taken twice. */
export function readSqliteMeta(dbPath: string, signature?: string): TaskResult {
  const collector = new Collector('sqlite');
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(dbPath);
    // Taken before the small tables are read (a change in between shows as a new signature next time), and kept
    // with the index, so the first refresh after a cold index need not read them again.
    const taken = signature ?? smallTablesSignature(db);
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
      watermarks: {
        // message and part have no index on time_updated: a max() there scans the whole (large) table. Their
        // watermarks come from the body tasks instead, which see every row's time_updated anyway.
        session: newest('session'),
        todo: newest('todo'),
        // Read before any body, so a change made during the backfill is still in the tail afterwards.
        event: tables.has('event') ? (db.prepare('SELECT coalesce(max(rowid), 0) AS r FROM event').get() as { r: number }).r : -1,
      },
    };
    collector.records = sessions.length + projects.length + todos.length;
    return { ...collector.result('sqlite-meta', dbPath), meta, ...(taken !== undefined ? { smallTables: taken } : {}) };
  } catch (error) {
    return failedResult(collector, 'sqlite-meta', dbPath, error);
  } finally {
    db?.close();
  }
}

/** A message or part row as `selectRows` reads it: arrays, not objects (a third cheaper per row at 1M rows). */
type BodyRow = [rowid: number, id: string, sessionId: string, timeCreated: number, timeUpdated: number, data: string, messageId?: string];

/** Which rows a body read covers: a rowid range (backfill), explicit ids (a change), or a time watermark. */
export type RowSelector = { readonly fromRowid: number; readonly toRowid: number } | { readonly ids: readonly string[] } | { readonly sinceUpdated: number };

const ID_BATCH = 500;

function* selectRows(db: Database.Database, table: 'message' | 'part', selector: RowSelector): Generator<BodyRow> {
  const columns = table === 'message' ? 'rowid, id, session_id, time_created, time_updated, data' : 'rowid, id, session_id, time_created, time_updated, data, message_id';
  const rows = (sql: string, ...params: unknown[]) => db.prepare(sql).raw(true).iterate(...params) as IterableIterator<BodyRow>;
  if ('ids' in selector) {
    for (let i = 0; i < selector.ids.length; i += ID_BATCH) {
      const ids = selector.ids.slice(i, i + ID_BATCH);
      yield* rows(`SELECT ${columns} FROM ${table} WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids);
    }
  } else if ('sinceUpdated' in selector) {
    // Not indexed: a full scan, used only where the event table cannot say what changed.
    yield* rows(`SELECT ${columns} FROM ${table} WHERE time_updated >= ?`, selector.sinceUpdated);
  } else {
    yield* rows(`SELECT ${columns} FROM ${table} WHERE rowid > ? AND rowid <= ?`, selector.fromRowid, selector.toRowid);
  }
}

/** Parses message or part rows into the collector. */
function collectBodies(collector: Collector, db: Database.Database, table: 'message' | 'part', selector: RowSelector, childRoots: ChildRoots): void {
  const newest = collector.maxTimeUpdatedByTable;
  for (const [rowid, id, sessionId, createdAt, updatedAt, text, messageId] of selectRows(db, table, selector)) {
    collector.records++;
    if (updatedAt > collector.maxTimeUpdated) collector.maxTimeUpdated = updatedAt;
    if (updatedAt > (newest[table] ?? 0)) newest[table] = updatedAt;
    // A NULL body counts as an empty one.
    const data = parseBody(collector, text ?? '', `${table} ${id}`);
    if (!data) continue;
    const rootSessionId = childRoots[sessionId] ?? sessionId;
    if (table === 'message') {
      collector.addMessage({ id, sessionId, rootSessionId, createdAt, rowid }, data);
    } else {
      collector.addPart({ id, messageId: messageId!, sessionId, rootSessionId, createdAt, rowid }, data, text.length);
    }
  }
}

export function readSqliteBodies(kind: 'sqlite-messages' | 'sqlite-parts', dbPath: string, selector: RowSelector, childRoots: ChildRoots): TaskResult {
  let db: Database.Database | undefined;
  const collector = new Collector('sqlite', false, kind === 'sqlite-parts' ? createToolCallAuditor(sqliteDirectoryLookup(dbPath, () => db)) : undefined);
  try {
    db = openReadOnly(dbPath);
    collectBodies(collector, db, kind === 'sqlite-messages' ? 'message' : 'part', selector, childRoots);
    return collector.result(kind, dbPath);
  } catch (error) {
    return failedResult(collector, kind, dbPath, error);
  } finally {
    db?.close();
  }
}

interface EventRow {
  rowid: number;
  type: string;
  data: string;
}

/** Ids of messages and parts named by sync events after `afterRowid` (the `event` table, OpenCode ≥ 1.17). */
export function readEventTail(db: Database.Database, afterRowid: number): { lastRowid: number; messageIds: Set<string>; partIds: Set<string> } | undefined {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event'").get();
  if (!exists) return undefined;
  // Rowids only grow while rows are only added. A log that now ends before our mark was cut back (rows deleted,
  // the database restored): new events may reuse rowids we think we have seen, so the tail cannot be trusted.
  const newest = (db.prepare('SELECT coalesce(max(rowid), 0) AS r FROM event').get() as { r: number }).r;
  if (newest < afterRowid) return undefined;
  const messageIds = new Set<string>();
  const partIds = new Set<string>();
  let lastRowid = afterRowid;
  for (const row of db.prepare('SELECT rowid, type, data FROM event WHERE rowid > ? ORDER BY rowid').iterate(afterRowid) as IterableIterator<EventRow>) {
    lastRowid = row.rowid;
    if (!row.type.startsWith('message.')) continue;
    try {
      const data = JSON.parse(row.data) as { info?: { id?: unknown }; part?: { id?: unknown }; messageID?: unknown; partID?: unknown };
      const partId = data.part?.id ?? data.partID;
      const messageId = data.info?.id ?? data.messageID;
      if (typeof partId === 'string') partIds.add(partId);
      else if (typeof messageId === 'string') messageIds.add(messageId);
    } catch {
      // A corrupt event only loses a hint; the periodic watermark scan still finds the change.
    }
  }
  return { lastRowid, messageIds, partIds };
}

/**
 * A cheap stand-in for reading sessions, projects and todos whole (≈ 6 ms against ≈ 250 ms at 20k sessions and 31k
 * todos): per table its row count, newest time_updated and the sum of its rowids (a row deleted and another
 * added moves it), and the schema's size. Undefined when the query fails (an odd schema): read everything then.
 */
export function smallTablesSignature(db: Database.Database): string | undefined {
  const of = (table: string) => `(SELECT count(*) || ':' || coalesce(max(time_updated), 0) || ':' || coalesce(sum(rowid), 0) FROM "${table}")`;
  try {
    const row = db.prepare(`SELECT (SELECT count(*) FROM sqlite_master) AS m, ${of('session')} AS s, ${of('project')} AS p, ${of('todo')} AS t`).get() as Record<string, unknown>;
    return JSON.stringify([row['m'], row['s'], row['p'], row['t']]);
  } catch {
    return undefined;
  }
}

export interface RefreshOptions {
  /** Last event rowid already applied; -1 when unknown (then the time watermarks are used). */
  readonly afterEventRowid: number;
  readonly sinceUpdated: { readonly message: number; readonly part: number };
  /** Ignore the event table and scan by time_updated (periodic safety net). */
  readonly fullScan: boolean;
  readonly childRoots: ChildRoots;
  /** `smallTablesSignature` when sessions, projects and todos were last read: unchanged, they are not read again. */
  readonly smallTables?: string;
}

/**
 * One live refresh of a database: sessions, projects and todos in full (they are small) unless their signature
 * says they did not move, and the messages and parts that changed, found through the event table tail when
 * there is one, else by time watermark.
 */
export function refreshSqlite(dbPath: string, options: RefreshOptions): TaskResult & { readonly eventRowid: number } {
  let db: Database.Database | undefined;
  let signature: string | undefined;
  try {
    db = openReadOnly(dbPath);
    // Taken before the small tables are read: a change in between shows as a new signature next time.
    signature = options.fullScan ? undefined : smallTablesSignature(db);
  } catch {
    // readSqliteMeta meets the same trouble and reports it.
  } finally {
    db?.close();
  }
  const unchanged = signature !== undefined && signature === options.smallTables;
  const meta = unchanged ? undefined : readSqliteMeta(dbPath, signature);
  if (meta && !meta.meta) return { ...meta, task: 'sqlite-refresh', eventRowid: options.afterEventRowid };
  const collector = new Collector('sqlite', false, createToolCallAuditor(sqliteDirectoryLookup(dbPath, () => db)));
  let eventRowid = options.afterEventRowid;
  try {
    db = openReadOnly(dbPath);
    // The tail is trusted once the event table has been seen holding rows (OpenCode >= 1.17 writes every message
    // and part change there); an empty one may belong to a version that never writes it, so time decides then.
    const tail = !options.fullScan && options.afterEventRowid > 0 ? readEventTail(db, options.afterEventRowid) : undefined;
    if (tail) {
      eventRowid = tail.lastRowid;
      if (tail.messageIds.size > 0) collectBodies(collector, db, 'message', { ids: [...tail.messageIds] }, options.childRoots);
      if (tail.partIds.size > 0) collectBodies(collector, db, 'part', { ids: [...tail.partIds] }, options.childRoots);
    } else {
      const last = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event'").get()
        ? (db.prepare('SELECT coalesce(max(rowid), 0) AS r FROM event').get() as { r: number }).r
        : -1;
      collectBodies(collector, db, 'message', { sinceUpdated: options.sinceUpdated.message }, options.childRoots);
      collectBodies(collector, db, 'part', { sinceUpdated: options.sinceUpdated.part }, options.childRoots);
      eventRowid = last;
    }
    const bodies = collector.result('sqlite-refresh', dbPath);
    // Aggregates of a changed session are recomputed from all its parts, so an updated part is never counted twice.
    const sessions = [...new Set(collector.parts.map((p) => p.session_id))];
    const recount = new Collector('sqlite', true);
    for (let i = 0; i < sessions.length; i += ID_BATCH) {
      const batch = sessions.slice(i, i + ID_BATCH);
      const rows = db.prepare(`SELECT id, message_id, session_id, data FROM part WHERE session_id IN (${batch.map(() => '?').join(',')})`).iterate(...batch) as IterableIterator<{ id: string; message_id: string; session_id: string; data: string }>;
      for (const row of rows) {
        const data = parseBody(recount, row.data, `part ${row.id}`);
        if (data) recount.addPart({ id: row.id, messageId: row.message_id, sessionId: row.session_id, rootSessionId: options.childRoots[row.session_id] ?? row.session_id }, data, row.data.length);
      }
    }
    return {
      ...bodies,
      ...(meta ? { meta: meta.meta } : { metaUnchanged: true }),
      ...(signature !== undefined ? { smallTables: signature } : {}),
      issues: { ...meta?.issues, ...bodies.issues },
      eventRowid,
      recounted: { sessionIds: sessions, messageAggregates: recount.messageAggregates, sessionAggregates: recount.sessionAggregates, delegations: recount.delegations },
    };
  } catch (error) {
    return { ...failedResult(collector, 'sqlite-refresh', dbPath, error), eventRowid };
  } finally {
    db?.close();
  }
}
