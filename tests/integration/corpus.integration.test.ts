/**
 * The benchmark corpus against the real OpenCode 1.18.33 binary:
 * 1. a fresh database made by OpenCode has exactly the committed schema (and migration list);
 * 2. OpenCode reads a generated corpus (copied into an isolated XDG_DATA_HOME): `db` queries, `session list`,
 *    `export` of sessions of every kind and `stats` agree with the manifest, and the source corpus is untouched.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSchema } from '../corpus/captureSchema.js';
import { generateCorpus } from '../corpus/generate.js';
import type { CorpusManifest } from '../corpus/manifest.js';
import { createIsolatedHome, findOpencodeBinary, runOpencode } from '../corpus/opencodeCli.js';
import type { IsolatedHome } from '../corpus/opencodeCli.js';
import { loadSchema } from '../corpus/schema.js';
import type { SchemaObject } from '../corpus/schema.js';

const binary = findOpencodeBinary();
const normalise = (objects: readonly SchemaObject[]): string[] =>
  objects.map((o) => `${o.type} ${o.name} ${o.tblName} ${o.sql.replace(/\s+/g, ' ').trim()}`);

/**
 * Any SQLite reader of a WAL database, even read-only, creates an empty `-wal` and a `-shm` index beside it when
 * the folder is writable. The `-shm` index is reader bookkeeping and is left out; a `-wal` file counts only by its
 * content, so an empty one is no change but a write through the log is.
 */
const readerBookkeeping = (name: string): boolean => name.endsWith('-shm');

async function fingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => !(readerBookkeeping(e.name) && e.isFile())).sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.name.endsWith('-wal')) hash.update(path + '\0');
    if (entry.isFile()) hash.update(await readFile(path));
  }
  return hash.digest('hex');
}

describe.skipIf(!binary)('corpus vs real OpenCode 1.18.33', () => {
  const bin = binary ?? '';
  let source: string;
  let manifest: CorpusManifest;
  let home: IsolatedHome;
  let before: string;
  const oc = async (args: string[], cwd?: string): Promise<string> => (await runOpencode(bin, args, home, { cwd, timeoutMs: 90_000 })).stdout;
  const dbJson = async <T>(sql: string): Promise<T[]> => JSON.parse(await oc(['db', sql, '--format', 'json'])) as T[];
  const sourceQuery = <T>(sql: string): T[] => {
    const db = new Database(join(source, 'opencode.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    source = await mkdtemp(join(tmpdir(), 'ocm-corpus-int-'));
    manifest = await generateCorpus({ out: source, sessions: 60, seed: 3, legacySessions: 4, corrupt: 3, events: true });
    before = await fingerprint(source);
    home = await createIsolatedHome('ocm-corpus-home-');
    await mkdir(join(home.root, '.local', 'share'), { recursive: true });
    await cp(source, home.dataDir, { recursive: true });
    await mkdir(join(home.root, 'work'), { recursive: true });
  });

  afterAll(async () => {
    if (home) await rm(home.root, { recursive: true, force: true });
    if (source) await rm(source, { recursive: true, force: true });
  });

  it('committed DDL and migrations equal what OpenCode creates', async () => {
    const fresh = await captureSchema(bin);
    const committed = loadSchema();
    expect(fresh.opencodeVersion).toBe(committed.opencodeVersion);
    expect(normalise(fresh.objects)).toEqual(normalise(committed.objects));
    expect(fresh.objects).toEqual(committed.objects);
    expect(fresh.migrations.map((m) => m.id)).toEqual(committed.migrations.map((m) => m.id));
    expect(fresh.dataMigrations.map((m) => m.name)).toEqual(committed.dataMigrations.map((m) => m.name));
  });

  it('opencode db reads the generated tables and usage columns', async () => {
    const [counts] = await dbJson<Record<string, number>>(
      'select (select count(*) from session) as session, (select count(*) from message) as message, (select count(*) from part) as part, (select count(*) from todo) as todo, (select count(*) from event) as event, (select count(*) from migration) as migration',
    );
    expect(counts).toEqual({
      session: manifest.tables['session'], message: manifest.tables['message'], part: manifest.tables['part'],
      todo: manifest.tables['todo'], event: manifest.tables['event'], migration: 38,
    });
    const [usage] = await dbJson<{ cost: number; output: number }>('select sum(cost) as cost, sum(tokens_output) as output from session');
    expect(usage?.cost).toBeCloseTo(manifest.raw.cost, 6);
    expect(usage?.output).toBe(manifest.raw.tokens.output);
  });

  it('opencode session list shows the root sessions of the "global" project', async () => {
    const listed = JSON.parse(await oc(['session', 'list', '--format', 'json'], join(home.root, 'work'))) as Array<{ id: string; projectId: string }>;
    const expected = sourceQuery<{ id: string }>("select id from session where project_id = 'global' and parent_id is null").map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(listed.map((s) => s.id).sort()).toEqual([...expected].sort());
  });

  it('opencode export decodes sessions of every kind with all their messages and parts', async () => {
    const picks = sourceQuery<{ id: string }>(`select id from (
        select id, 1 as k from session where parent_id is null and title not like '% (fork #%' order by (select count(*) from part p where p.session_id = session.id) desc limit 1)
      union all select id from (select id from session where parent_id is not null order by time_created limit 1)
      union all select id from (select id from session where title like '% (fork #%' order by time_created limit 1)
      union all select id from (select session_id as id from message where json_extract(data, '$.role') = 'assistant' and json_extract(data, '$.time.completed') is null limit 1)
      union all select id from (select session_id as id from message where json_extract(data, '$.error') is not null limit 1)`).map((r) => r.id);
    expect(picks.length).toBeGreaterThanOrEqual(4);
    for (const id of new Set(picks)) {
      const exported = JSON.parse(await oc(['export', id])) as { info: { id: string }; messages: Array<{ info: { id: string }; parts: Array<{ id: string }> }> };
      const [expected] = sourceQuery<{ m: number; p: number }>(`select (select count(*) from message where session_id = '${id}') as m, (select count(*) from part where session_id = '${id}') as p`);
      expect(exported.info.id).toBe(id);
      expect(exported.messages.length, id).toBe(expected?.m);
      expect(exported.messages.reduce((n, m) => n + m.parts.length, 0), id).toBe(expected?.p);
    }
  });

  it('opencode stats counts every session and sums session.cost (fork copies included, as upstream does)', async () => {
    const text = await oc(['stats']);
    expect(text).toMatch(new RegExp(`Sessions\\s+${manifest.tables['session']}\\b`));
    expect(text).toMatch(new RegExp(`Total Cost\\s+\\$${manifest.raw.cost.toFixed(2)}\\b`));
  });

  it('leaves the source corpus untouched', async () => {
    expect(await fingerprint(source)).toBe(before);
  });
});
