/**
 * Session id → project directory, inside a worker, for the audit's scope verdicts. Each worker loads a source's
 * session directories once and keeps them; a session it has not seen (created since) triggers one reload per
 * task, so a live refresh of a new session still gets its scope.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { DirectoryLookup } from './audit.js';

const cache = new Map<string, Map<string, string>>();

function readSqliteDirectories(db: Database.Database): Map<string, string> {
  const rows = db.prepare('SELECT id, directory FROM session').all() as { id: string; directory: string | null }[];
  return new Map(rows.filter((r) => typeof r.directory === 'string').map((r) => [r.id, r.directory!]));
}

/** Legacy `storage/session/<project>/<session>.json` files; unreadable ones are simply unknown (no scope). */
function readLegacyDirectories(storageDir: string): Map<string, string> {
  const found = new Map<string, string>();
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
        if (typeof data.id === 'string' && typeof data.directory === 'string') found.set(data.id, data.directory);
      } catch {
        // Corrupt session files are counted by the meta read; here they just have no known directory.
      }
    }
  }
  return found;
}

function cachedLookup(key: string, load: () => Map<string, string>): DirectoryLookup {
  let reloaded = false;
  return (sessionId) => {
    let known = cache.get(key);
    if (!known) cache.set(key, (known = load()));
    const hit = known.get(sessionId);
    if (hit !== undefined || reloaded) return hit;
    reloaded = true;
    cache.set(key, (known = load()));
    return known.get(sessionId);
  };
}

/** Directories of a database's sessions; `db` is read lazily, on the first audited call. */
export function sqliteDirectoryLookup(dbPath: string, db: () => Database.Database | undefined): DirectoryLookup {
  return cachedLookup(`sqlite:${dbPath}`, () => {
    const open = db();
    return open ? readSqliteDirectories(open) : new Map();
  });
}

/** Directories of legacy sessions, then of the databases' sessions (a legacy part may belong to either). */
export function jsonDirectoryLookup(storageDir: string, dbs: () => ReadonlyMap<string, Database.Database>): DirectoryLookup {
  const legacy = cachedLookup(`json:${storageDir}`, () => readLegacyDirectories(storageDir));
  let fromDbs: DirectoryLookup[] | undefined;
  return (sessionId) => {
    fromDbs ??= [...dbs()].map(([dbPath, db]) => sqliteDirectoryLookup(dbPath, () => db));
    const own = legacy(sessionId);
    if (own !== undefined) return own;
    for (const lookup of fromDbs) {
      const dir = lookup(sessionId);
      if (dir !== undefined) return dir;
    }
    return undefined;
  };
}
