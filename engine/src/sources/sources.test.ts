import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverSources, inspectSource, resolveDbOverride } from './index.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-sources-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function makeDb(file: string, rows: { sessions: number; messages: number; parts: number }): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE session (id TEXT PRIMARY KEY); CREATE TABLE message (id TEXT PRIMARY KEY); CREATE TABLE part (id TEXT PRIMARY KEY);');
  const insert = (table: string, n: number) => {
    const stmt = db.prepare(`INSERT INTO ${table} (id) VALUES (?)`);
    for (let i = 0; i < n; i++) stmt.run(`${table}_${i}`);
  };
  insert('session', rows.sessions);
  insert('message', rows.messages);
  insert('part', rows.parts);
  db.close();
}

describe('discoverSources', () => {
  it('finds every channel database and the legacy tree, and nothing else', async () => {
    await fs.writeFile(path.join(dir, 'opencode.db'), '');
    await fs.writeFile(path.join(dir, 'opencode-dev.db'), '');
    await fs.writeFile(path.join(dir, 'opencode.db-wal'), '');
    await fs.writeFile(path.join(dir, 'auth.json'), '{"secret":"never read"}');
    await fs.mkdir(path.join(dir, 'storage'));
    const found = await discoverSources(dir);
    expect(found).toEqual([
      { kind: 'sqlite', path: path.join(dir, 'opencode-dev.db') },
      { kind: 'sqlite', path: path.join(dir, 'opencode.db') },
      { kind: 'json', path: path.join(dir, 'storage') },
    ]);
  });

  it('honours OPENCODE_DB like OpenCode does', async () => {
    const custom = path.join(dir, 'elsewhere.sqlite');
    await fs.writeFile(custom, '');
    expect(resolveDbOverride(dir, 'x.db')).toBe(path.join(dir, 'x.db'));
    expect(resolveDbOverride(dir, ':memory:')).toBeUndefined();
    expect(await discoverSources(dir, { OPENCODE_DB: custom })).toEqual([{ kind: 'sqlite', path: custom }]);
  });

  it('returns nothing for a data dir that does not exist', async () => {
    expect(await discoverSources(path.join(dir, 'missing'))).toEqual([]);
  });
});

describe('inspectSource', () => {
  it('counts rows that are still only in the WAL file, without writing', async () => {
    const file = path.join(dir, 'opencode.db');
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE session (id TEXT); CREATE TABLE message (id TEXT); CREATE TABLE part (id TEXT);');
    writer.prepare("INSERT INTO part (id) VALUES ('a'), ('b'), ('c')").run();
    // Keep the writer open, as OpenCode does: its rows live in opencode.db-wal.
    const summary = await inspectSource({ kind: 'sqlite', path: file });
    writer.close();
    expect(summary.problem).toBeNull();
    expect(summary).toMatchObject({ sessions: 0, messages: 0, parts: 3 });
    expect(summary.bytes).toBeGreaterThan(0);
  });

  it('reports a corrupt database as a problem instead of throwing', async () => {
    const file = path.join(dir, 'opencode.db');
    await fs.writeFile(file, 'this is not a database, just text long enough to have a header '.repeat(10));
    const summary = await inspectSource({ kind: 'sqlite', path: file });
    expect(summary.problem?.code).toBe('source.unreadable');
    expect(summary.problem?.message).toMatch(/not a database/);
  });

  it('reports a database that vanished between listing and reading', async () => {
    const summary = await inspectSource({ kind: 'sqlite', path: path.join(dir, 'gone.db') });
    expect(summary.problem?.code).toBe('source.vanished');
  });

  it('counts legacy JSON files by kind without reading them', async () => {
    const storage = path.join(dir, 'storage');
    for (const [kind, group, files] of [
      ['session', 'proj1', 2],
      ['message', 'ses_1', 3],
      ['part', 'msg_1', 4],
      ['part', 'msg_2', 1],
    ] as const) {
      await fs.mkdir(path.join(storage, kind, group), { recursive: true });
      for (let i = 0; i < files; i++) await fs.writeFile(path.join(storage, kind, group, `${i}.json`), '{');
    }
    const summary = await inspectSource({ kind: 'json', path: storage });
    expect(summary).toMatchObject({ kind: 'json', sessions: 2, messages: 3, parts: 5, problem: null });
  });

  it('works with a database made by makeDb', async () => {
    const file = path.join(dir, 'opencode-beta.db');
    makeDb(file, { sessions: 2, messages: 5, parts: 9 });
    expect(await inspectSource({ kind: 'sqlite', path: file })).toMatchObject({ sessions: 2, messages: 5, parts: 9 });
  });
});
