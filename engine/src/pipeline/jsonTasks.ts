/**
 * Worker-side reads of the legacy JSON tree (`storage/`, OpenCode before 1.2). Each file is one record; a file
 * that is empty, truncated, corrupt or gone by the time we read it is counted by reason and skipped. A record
 * whose id the database already has is skipped too: the database wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { isObject, messageIdsFromJson, partIdsFromJson, projectFromJson, sessionFromJson, todoRow, type SessionBase } from '../parse/index.js';
import { problemFromError } from '../sources/index.js';
import type { RowOf } from '../../../shared/src/index.js';
import { createToolCallAuditor } from './audit.js';
import { Collector, parseBody } from './collector.js';
import { jsonDirectoryLookup } from './sessionDirectories.js';
import { openReadOnly } from './sqliteTasks.js';
import type { ChildRoots, TaskResult } from './tasks.js';

/** `.json` names in a directory; a directory that is not there lists as empty (or calls `onMissing`). */
function listJson(dir: string, onMissing?: (error: Error) => void): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    onMissing?.(error as Error);
    return [];
  }
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Reads one file; vanished and unreadable files are counted and yield undefined. */
function readFile(collector: Collector, file: string): string | undefined {
  collector.records++;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    collector.noteIssue(code === 'ENOENT' ? 'source.vanished' : 'source.unreadable', `${file}: ${(error as Error).message}`);
    return undefined;
  }
}

function readJsonFile(collector: Collector, file: string): unknown {
  const text = readFile(collector, file);
  if (text === undefined) return undefined;
  if (text.trim().length === 0) {
    collector.noteIssue('parse.invalid-json', `${file}: empty file`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    collector.noteIssue('parse.invalid-json', `${file}: ${(error as Error).message}`);
    return undefined;
  }
}

export function readJsonMeta(storageDir: string): TaskResult {
  const collector = new Collector('json');
  const sessions: SessionBase[] = [];
  const projects: RowOf<'projects'>[] = [];
  const todos: RowOf<'todos'>[] = [];
  for (const name of listJson(path.join(storageDir, 'project'))) {
    const file = path.join(storageDir, 'project', name);
    const value = readJsonFile(collector, file);
    if (value === undefined) continue;
    const project = projectFromJson(value);
    if (project) projects.push(project);
    else collector.noteIssue('parse.invalid-record', `${file}: not a project object`);
  }
  for (const projectId of listDirs(path.join(storageDir, 'session'))) {
    for (const name of listJson(path.join(storageDir, 'session', projectId))) {
      const file = path.join(storageDir, 'session', projectId, name);
      const value = readJsonFile(collector, file);
      if (value === undefined) continue;
      const session = sessionFromJson(value, projectId);
      if (session) sessions.push(session);
      else collector.noteIssue('parse.invalid-record', `${file}: not a session object`);
    }
  }
  for (const name of listJson(path.join(storageDir, 'todo'))) {
    const file = path.join(storageDir, 'todo', name);
    const value = readJsonFile(collector, file);
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      collector.noteIssue('parse.invalid-record', `${file}: a todo file holds an array`);
      continue;
    }
    const sessionId = name.slice(0, -'.json'.length);
    const mtime = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null;
    value.forEach((item, position) => {
      if (isObject(item)) todos.push(todoRow({ sessionId, position, item, updatedAt: mtime === null ? null : Math.round(mtime), source: 'json' }));
    });
  }
  return { ...collector.result('json-meta', storageDir), meta: { sessions, projects, todos } };
}

function noteDedupProblem(collector: Collector, dbPath: string, error: unknown): void {
  const problem = problemFromError(error, dbPath);
  collector.noteIssue(problem.code, `${dbPath}: ${problem.message}; legacy records cannot be de-duplicated against it`);
}

/**
 * Opens the databases to check legacy ids against. One without the table (an empty, never-migrated file) has
 * nothing to check; one that cannot be read is noted and left out.
 */
function openForDedup(collector: Collector, dbPaths: readonly string[], table: 'message' | 'part'): Map<string, Database.Database> {
  const dbs = new Map<string, Database.Database>();
  for (const dbPath of dbPaths) {
    let db: Database.Database | undefined;
    try {
      db = openReadOnly(dbPath);
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) dbs.set(dbPath, db);
      else db.close();
    } catch (error) {
      db?.close();
      noteDedupProblem(collector, dbPath, error);
    }
  }
  return dbs;
}

/**
 * Ids the databases already hold for one group (a session's messages or a message's parts). A database that
 * fails now (locked, vanished, corrupt) is noted once and dropped, so one bad database costs one busy wait.
 */
function knownIds(collector: Collector, dbs: Map<string, Database.Database>, kind: 'json-messages' | 'json-parts', group: string): Set<string> {
  const ids = new Set<string>();
  const sql = kind === 'json-messages' ? 'SELECT id FROM message WHERE session_id = ?' : 'SELECT id FROM part WHERE message_id = ?';
  for (const [dbPath, db] of dbs) {
    try {
      for (const row of db.prepare(sql).iterate(group) as IterableIterator<{ id: string }>) ids.add(row.id);
    } catch (error) {
      noteDedupProblem(collector, dbPath, error);
      db.close();
      dbs.delete(dbPath);
    }
  }
  return ids;
}

export function readJsonBodies(
  kind: 'json-messages' | 'json-parts',
  storageDir: string,
  groups: readonly string[],
  dbPaths: readonly string[],
  childRoots: ChildRoots,
): TaskResult {
  let dbs = new Map<string, Database.Database>();
  const auditor = kind === 'json-parts' ? createToolCallAuditor(jsonDirectoryLookup(storageDir, () => dbs)) : undefined;
  const collector = new Collector('json', false, auditor);
  dbs = openForDedup(collector, dbPaths, kind === 'json-messages' ? 'message' : 'part');
  try {
    const root = path.join(storageDir, kind === 'json-messages' ? 'message' : 'part');
    for (const group of groups) {
      const skip = knownIds(collector, dbs, kind, group);
      // The group was listed by the backfill moments ago: if it is gone now, say so rather than read nothing.
      const gone = (error: Error) => {
        const problem = problemFromError(error, path.join(root, group));
        collector.noteIssue(problem.code, `${problem.source}: ${problem.message}`);
      };
      for (const name of listJson(path.join(root, group), gone)) {
        const file = path.join(root, group, name);
        if (skip.has(name.slice(0, -'.json'.length))) {
          collector.records++;
          collector.duplicates++;
          continue;
        }
        const text = readFile(collector, file);
        if (text === undefined) continue;
        const data = parseBody(collector, text, file);
        if (!data) continue;
        if (kind === 'json-messages') {
          const ids = messageIdsFromJson(data);
          if (!ids) {
            collector.noteIssue('parse.invalid-record', `${file}: message without id or sessionID`);
            continue;
          }
          if (skip.has(ids.id)) {
            collector.duplicates++;
            continue;
          }
          collector.addMessage({ ...ids, rootSessionId: childRoots[ids.sessionId] ?? ids.sessionId }, data);
        } else {
          const ids = partIdsFromJson(data);
          if (!ids) {
            collector.noteIssue('parse.invalid-record', `${file}: part without id, messageID or sessionID`);
            continue;
          }
          if (skip.has(ids.id)) {
            collector.duplicates++;
            continue;
          }
          collector.addPart({ ...ids, rootSessionId: childRoots[ids.sessionId] ?? ids.sessionId }, data, text.length);
        }
      }
    }
    return collector.result(kind, storageDir);
  } finally {
    for (const db of dbs.values()) db.close();
  }
}
