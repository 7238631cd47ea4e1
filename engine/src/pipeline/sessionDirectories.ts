/**
 * Session id → project directory, inside a worker, for the audit's scope verdicts. Each worker loads a source's
 * session directories once and keeps them; a session no source has seen (created since) triggers one reload per
 * source and task, so a live refresh of a new session still gets its scope.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { DirectoryLookup } from './audit.js';

/** Per source, every session it knows; null for one without a directory (known, so no reason to reload). */
const cache = new Map<string, Map<string, string | null>>();

function readSqliteDirectories(db: Database.Database): Map<string, string | null> {
  const rows = db.prepare('SELECT id, directory FROM session').all() as { id: string; directory: unknown }[];
  return new Map(rows.map((r) => [r.id, typeof r.directory === 'string' ? r.directory : null]));
}

/** Legacy `storage/session/<project>/<session>.json` files; unreadable ones are simply unknown (no scope). */
function readLegacyDirectories(storageDir: string): Map<string, string | null> {
  const found = new Map<string, string | null>();
  const root = path.join(storageDir, 'session');
  let projects: string[] = [];
  try {
    projects = fs.readdirSync(root);
  } catch {
    return found;
  }
  for (const project of projects) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(path.join(root, project)).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      try {
        const data = JSON.parse(fs.readFileSync(path.join(root, project, file), 'utf8')) as { id?: unknown; directory?: unknown };
        if (typeof data.id === 'string') found.set(data.id, typeof data.directory === 'string' ? data.directory : null);
      } catch {
        // Corrupt session files are counted by the meta read; here they just have no known directory.
      }
    }
  }
  return found;
}

/** A source's sessions: a directory, null for a session known without one, undefined for one it does not know. */
type CachedLookup = (sessionId: string, reloadOnMiss: boolean) => string | null | undefined;

function cachedLookup(key: string, load: () => Map<string, string | null>): CachedLookup {
  let reloaded = false;
  return (sessionId, reloadOnMiss) => {
    let known = cache.get(key);
    if (!known) cache.set(key, (known = load()));
    if (known.has(sessionId) || reloaded || !reloadOnMiss) return known.get(sessionId);
    reloaded = true;
    cache.set(key, (known = load()));
    return known.get(sessionId);
  };
}

/** Directories of a database's sessions; `db` is read lazily, on the first audited call. */
export function sqliteDirectoryLookup(dbPath: string, db: () => Database.Database | undefined): DirectoryLookup {
  const lookup = sqliteCachedLookup(dbPath, db);
  return (sessionId) => lookup(sessionId, true) ?? undefined;
}

function sqliteCachedLookup(dbPath: string, db: () => Database.Database | undefined): CachedLookup {
  return cachedLookup(`sqlite:${dbPath}`, () => {
    const open = db();
    return open ? readSqliteDirectories(open) : new Map();
  });
}

/**
 * Directories of legacy sessions, then of the databases' sessions (a legacy part may belong to either). A source
 * is reloaded only for a session no source knows: reloading the legacy tree for every database session (once per
 * task) read its session files hundreds of times in a backfill.
 */
export function jsonDirectoryLookup(storageDir: string, dbs: () => ReadonlyMap<string, Database.Database>): DirectoryLookup {
  const legacy = cachedLookup(`json:${storageDir}`, () => readLegacyDirectories(storageDir));
  let sources: CachedLookup[] | undefined;
  return (sessionId) => {
    sources ??= [legacy, ...[...dbs()].map(([dbPath, db]) => sqliteCachedLookup(dbPath, () => db))];
    let known = false;
    for (const reloadOnMiss of [false, true]) {
      for (const lookup of sources) {
        const dir = lookup(sessionId, reloadOnMiss);
        if (typeof dir === 'string') return dir;
        known ||= dir === null;
      }
      if (known) return undefined;
    }
    return undefined;
  };
}
