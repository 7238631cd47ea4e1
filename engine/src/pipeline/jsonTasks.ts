/**
 * Worker-side reads of the legacy JSON tree (`storage/`, OpenCode before 1.2). Each file is one record; a file
 * that is empty, truncated, corrupt or gone by the time we read it is counted by reason and skipped. A record
 * whose id the database already has is skipped too: the database wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { isObject, messageIdsFromJson, partIdsFromJson, projectFromJson, sessionFromJson, todoRow, type SessionBase } from '../parse/index.js';
import type { RowOf } from '../../../shared/src/index.js';
import { Collector, parseBody } from './collector.js';
import { openReadOnly } from './sqliteTasks.js';
import type { ChildRoots, TaskResult } from './tasks.js';

function listJson(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch {
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

/** Ids the databases already hold for one group (a session's messages or a message's parts). */
function knownIds(dbs: readonly Database.Database[], kind: 'json-messages' | 'json-parts', group: string): Set<string> {
  const ids = new Set<string>();
  const sql = kind === 'json-messages' ? 'SELECT id FROM message WHERE session_id = ?' : 'SELECT id FROM part WHERE message_id = ?';
  for (const db of dbs) for (const row of db.prepare(sql).iterate(group) as IterableIterator<{ id: string }>) ids.add(row.id);
  return ids;
}

export function readJsonBodies(
  kind: 'json-messages' | 'json-parts',
  storageDir: string,
  groups: readonly string[],
  dbPaths: readonly string[],
  childRoots: ChildRoots,
): TaskResult {
  const collector = new Collector('json');
  const dbs: Database.Database[] = [];
  try {
    for (const dbPath of dbPaths) {
      try {
        dbs.push(openReadOnly(dbPath));
      } catch (error) {
        collector.noteIssue('source.unreadable', `${dbPath}: ${(error as Error).message}; legacy records cannot be de-duplicated against it`);
      }
    }
    const root = path.join(storageDir, kind === 'json-messages' ? 'message' : 'part');
    for (const group of groups) {
      const skip = knownIds(dbs, kind, group);
      for (const name of listJson(path.join(root, group))) {
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
    for (const db of dbs) db.close();
  }
}
