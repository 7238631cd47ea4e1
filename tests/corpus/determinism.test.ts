import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus } from './generate.js';
import type { CorpusOptions } from './generate.js';
import type { CorpusManifest } from './manifest.js';

const dirs: string[] = [];

async function make(options: Omit<CorpusOptions, 'out'>): Promise<{ dir: string; manifest: CorpusManifest }> {
  const dir = await mkdtemp(join(tmpdir(), 'ocm-corpus-det-'));
  dirs.push(dir);
  return { dir, manifest: await generateCorpus({ ...options, out: dir }) };
}

/** One hash per table over all rows in rowid order (tables without rowid ordering by their primary key). */
function tableHashes(dir: string): Record<string, string> {
  const db = new Database(join(dir, 'opencode.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    return Object.fromEntries(tables.map(({ name }) => {
      const hash = createHash('sha256');
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate()) hash.update(JSON.stringify(row) + '\n');
      return [name, hash.digest('hex')];
    }));
  } finally {
    db.close();
  }
}

function treeHash(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path.slice(root.length) + '\0').update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest('hex');
}

const withoutTime = (m: CorpusManifest): Omit<CorpusManifest, 'elapsedMs'> => {
  const { elapsedMs: _ignored, ...rest } = m;
  return rest;
};

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('corpus determinism', () => {
  it('gives identical databases, files and manifests for the same seed, and different ones for another seed', async () => {
    const options = { sessions: 40, seed: 11, legacySessions: 4, corrupt: 3, events: true };
    const a = await make(options);
    const b = await make(options);
    const c = await make({ ...options, seed: 12 });
    expect(withoutTime(b.manifest)).toEqual(withoutTime(a.manifest));
    expect(tableHashes(b.dir)).toEqual(tableHashes(a.dir));
    expect(treeHash(join(b.dir, 'storage'))).toBe(treeHash(join(a.dir, 'storage')));
    expect(tableHashes(c.dir)['part']).not.toBe(tableHashes(a.dir)['part']);
    expect(c.manifest.raw.cost).not.toBe(a.manifest.raw.cost);
  });

  it('does not change the core tables when events or the legacy tree are turned off', async () => {
    const full = await make({ sessions: 30, seed: 5, legacySessions: 4, corrupt: 2, events: true });
    const bare = await make({ sessions: 30, seed: 5 });
    const fullHashes = tableHashes(full.dir);
    const bareHashes = tableHashes(bare.dir);
    for (const table of ['project', 'project_directory', 'session', 'message', 'part', 'todo']) expect(bareHashes[table], table).toBe(fullHashes[table]);
    expect(bare.manifest.raw).toEqual(full.manifest.raw);
    expect(bare.manifest.tables['event']).toBe(0);
    expect(bare.manifest.legacy).toBeNull();
  });

  it('refuses a non-empty output directory unless forced', async () => {
    const first = await make({ sessions: 3, seed: 1 });
    await expect(generateCorpus({ out: first.dir, sessions: 3, seed: 1 })).rejects.toThrow(/not empty.*--force/);
    const again = await generateCorpus({ out: first.dir, sessions: 3, seed: 1, force: true });
    expect(withoutTime(again)).toEqual(withoutTime(first.manifest));
    await expect(generateCorpus({ out: first.dir, sessions: 0 })).rejects.toThrow(/sessions must be an integer >= 1/);
  });
});
