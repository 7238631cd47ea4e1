import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDirectoryLookup, sqliteDirectoryLookup } from './sessionDirectories.js';

let root: string;
let dbPath: string;
let storageDir: string;

const writeLegacySession = (id: string, directory: string) =>
  fs.writeFileSync(path.join(storageDir, 'session', 'proj', `${id}.json`), JSON.stringify({ id, directory }));

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-dirs-'));
  dbPath = path.join(root, 'opencode.db');
  const db = new Database(dbPath);
  db.exec("CREATE TABLE session (id TEXT PRIMARY KEY, directory TEXT); INSERT INTO session VALUES ('ses_db', '/db/work'), ('ses_nodir', NULL)");
  db.close();
  storageDir = path.join(root, 'storage');
  fs.mkdirSync(path.join(storageDir, 'session', 'proj'), { recursive: true });
  writeLegacySession('ses_legacy', '/legacy/old');
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** One task's lookup, as a worker builds it: the databases opened read-only for the task. */
function taskLookup() {
  const db = new Database(dbPath, { readonly: true });
  return { lookup: jsonDirectoryLookup(storageDir, () => new Map([[dbPath, db]])), close: () => db.close() };
}

describe('session directories in a worker', () => {
  it('finds legacy and database sessions, and reloads a source only for a session no source knows', () => {
    const first = taskLookup();
    expect(first.lookup('ses_legacy')).toBe('/legacy/old');
    expect(first.lookup('ses_db')).toBe('/db/work');
    expect(first.lookup('ses_nodir')).toBeUndefined();
    expect(first.lookup('ses_nowhere')).toBeUndefined();
    first.close();

    // The legacy file changes; later tasks looking up database sessions must not reread the legacy tree for them.
    writeLegacySession('ses_legacy', '/legacy/new');
    const second = taskLookup();
    expect(second.lookup('ses_db')).toBe('/db/work');
    expect(second.lookup('ses_nodir')).toBeUndefined();
    expect(second.lookup('ses_legacy')).toBe('/legacy/old');
    // A session created since is found: no source knew it, so each is read again (once per task).
    writeLegacySession('ses_new', '/legacy/fresh');
    expect(second.lookup('ses_new')).toBe('/legacy/fresh');
    expect(second.lookup('ses_legacy')).toBe('/legacy/new');
    second.close();
  });

  it('gives a database session created after the first load its directory', () => {
    const reader = new Database(dbPath, { readonly: true });
    const lookup = () => sqliteDirectoryLookup(dbPath, () => reader);
    expect(lookup()('ses_db')).toBe('/db/work');
    const writer = new Database(dbPath);
    writer.prepare('INSERT INTO session VALUES (?, ?)').run('ses_later', '/db/later');
    writer.close();
    expect(lookup()('ses_later')).toBe('/db/later');
    reader.close();
  });
});
