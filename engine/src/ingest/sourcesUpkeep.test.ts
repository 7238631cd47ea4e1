import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTableStore, type TableStore } from '../store/index.js';
import { rowsOf } from './restore.js';
import { createSourcesUpkeep } from './sourcesUpkeep.js';

let dir: string;
let dbPath: string;
let store: TableStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-upkeep-'));
  dbPath = path.join(dir, 'opencode.db');
  const db = new Database(dbPath);
  db.exec('CREATE TABLE session (id TEXT PRIMARY KEY); CREATE TABLE message (id TEXT PRIMARY KEY); CREATE TABLE part (id TEXT PRIMARY KEY);');
  db.close();
  addParts(3);
  store = createTableStore();
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

let nextPart = 0;
function addParts(n: number): void {
  const db = new Database(dbPath);
  const insert = db.prepare('INSERT INTO part (id) VALUES (?)');
  for (let i = 0; i < n; i++) insert.run(`prt_${nextPart++}`);
  db.close();
}

const databaseRow = () => rowsOf<{ kind: string; path: string; parts: number; messages: number; sessions: number }>(store.snapshot('sources')).find((r) => r.kind === 'sqlite')!;

describe('sources upkeep', () => {
  it('builds the table from the data dir, counts what refreshes add, and recounts the databases between rebuilds', async () => {
    const sources = createSourcesUpkeep(store, dir, {});
    sources.collectEarly();
    await sources.rebuild(true);
    expect(databaseRow()).toMatchObject({ path: dbPath, parts: 3, messages: 0 });

    sources.countInto(dbPath, { messages: 1, parts: 2 }, 7);
    expect(databaseRow()).toMatchObject({ parts: 5, messages: 1, sessions: 7 });
    sources.countInto(path.join(dir, 'other.db'), { messages: 1, parts: 1 }, undefined); // not a source: nothing
    expect(databaseRow()).toMatchObject({ parts: 5, messages: 1 });

    // Right after a rebuild, a derive's rebuild only recounts the databases: the counts are the database's again.
    addParts(4);
    await sources.rebuild(false);
    expect(databaseRow()).toMatchObject({ parts: 7, messages: 0, sessions: 0 });
  });

  it('recounts once on the first refresh after a warm start', async () => {
    const sources = createSourcesUpkeep(store, dir, {});
    await sources.rebuild(true);
    addParts(2); // rows the saved counts miss
    await sources.afterRefresh();
    expect(databaseRow().parts).toBe(3); // no warm start: nothing to recount
    sources.warmStarted();
    await sources.afterRefresh();
    expect(databaseRow().parts).toBe(5);
    addParts(1);
    await sources.afterRefresh();
    expect(databaseRow().parts).toBe(5); // once
  });
});
