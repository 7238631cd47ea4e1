import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECTS_TABLE, type Result } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { createStateStore, type LoadOutcome, type StateStore } from './stateStore.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-state-')), 'opencode-monitor');
});

afterEach(async () => {
  await fs.rm(path.dirname(stateDir), { recursive: true, force: true });
});

const bytes = (...values: number[]) => new Uint8Array(values);
const segmentsOf = (store: StateStore) => path.join(store.dir, 'segments');
const listSegments = async (store: StateStore) => (await fs.readdir(segmentsOf(store))).sort();

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`unexpected problem: ${result.problem.code} ${result.problem.message}`);
  return result.value;
}

/** A fresh store (as after a restart) and its load outcome. */
async function reopen(schemaVersion = 1): Promise<{ store: StateStore; loaded: Result<LoadOutcome> }> {
  const store = createStateStore(stateDir, schemaVersion, { engineVersion: '0.1.0-test' });
  return { store, loaded: await store.load() };
}

async function seeded(): Promise<StateStore> {
  const { store, loaded } = await reopen();
  expect(value(loaded).state).toBeNull();
  value(await store.appendSegment('sessions', bytes(1, 2, 3), 3));
  value(await store.appendSegment('sessions', bytes(4, 5), 2));
  value(await store.appendSegment('messages', bytes(9), 1));
  value(await store.commit({ sqlite: { lastTime: 1234 } }));
  return store;
}

describe('round trip', () => {
  it('loads several tables with several segments, in order, with their watermarks', async () => {
    await seeded();
    const { loaded } = await reopen();
    const state = value(loaded).state!;
    expect([...state.tables.keys()].sort()).toEqual(['messages', 'sessions']);
    expect(state.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5)]);
    expect(state.tables.get('messages')).toEqual([bytes(9)]);
    expect(state.watermarks).toEqual({ sqlite: { lastTime: 1234 } });
    expect(state.manifest.engineVersion).toBe('0.1.0-test');
    expect(state.manifest.tables.sessions!.segments.map((s) => s.rows)).toEqual([3, 2]);
    expect(value(loaded).garbageRemoved).toBe(0);
  });

  it('appends across commits and restarts, and commits new watermarks', async () => {
    await seeded();
    const { store } = await reopen();
    value(await store.appendSegment('sessions', bytes(6), 1));
    value(await store.appendSegment('todos', bytes(7), 1));
    const manifest = value(await store.commit({ sqlite: { lastTime: 5678 }, json: ['a', 1, null] }));
    expect(manifest.tables.todos!.segments).toHaveLength(1);
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5), bytes(6)]);
    expect(state.tables.get('todos')).toEqual([bytes(7)]);
    expect(state.watermarks).toEqual({ sqlite: { lastTime: 5678 }, json: ['a', 1, null] });
  });

  it('appends several segments at once, in order, after the ones there', async () => {
    await seeded();
    const { store } = await reopen();
    const written = value(await store.appendSegments('sessions', [6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((n) => ({ bytes: bytes(n), rows: 1 }))));
    expect(written.map((s) => s.rows)).toEqual(Array(10).fill(1));
    value(await store.commit({}));
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5), ...[6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((n) => bytes(n))]);
  });

  it('keeps the segments a replacement names instead of writing them again, and deletes only the rest', async () => {
    const store = await seeded();
    const [first, second] = store.manifest()!.tables.sessions!.segments;
    const replaced = value(await store.replaceTable('sessions', [{ bytes: bytes(7, 7), rows: 2 }, second!]));
    expect(replaced[1]).toEqual(second);
    value(await store.commit({}));
    expect(await listSegments(store)).toEqual(['messages-000003.arrow', 'sessions-000002.arrow', 'sessions-000004.arrow']);
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('sessions')).toEqual([bytes(7, 7), bytes(4, 5)]);
    // A segment that is not the table's is a programming error, not a file to adopt.
    await expect(store.replaceTable('sessions', [first!])).rejects.toThrow(/internal.bug/);
  });

  it('keeps a table replaced by no segments as an empty table', async () => {
    const store = await seeded();
    value(await store.replaceTable('messages', []));
    value(await store.commit({}));
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('messages')).toEqual([]);
    expect(await listSegments(store)).toEqual(['sessions-000001.arrow', 'sessions-000002.arrow']);
  });

  it('commits watermarks alone, and an empty first commit makes an empty state', async () => {
    const { store } = await reopen();
    value(await store.commit({ cursor: 'x' }));
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.size).toBe(0);
    expect(state.watermarks).toEqual({ cursor: 'x' });
  });
});

describe('schema versions', () => {
  it('returns null for a new schema version and deletes older state, leaving newer state alone', async () => {
    await seeded();
    await fs.mkdir(path.join(stateDir, 'v7', 'segments'), { recursive: true });
    await fs.writeFile(path.join(stateDir, 'unrelated.txt'), 'keep');
    const { store, loaded } = await reopen(2);
    expect(value(loaded)).toEqual({ state: null, discardedVersions: [1], garbageRemoved: 0 });
    expect((await fs.readdir(stateDir)).sort()).toEqual(['unrelated.txt', 'v7']);
    value(await store.appendSegment('sessions', bytes(1), 1));
    value(await store.commit({}));
    expect(value((await reopen(2)).loaded).state!.manifest.schemaVersion).toBe(2);
  });

  it('refuses a manifest whose schema version does not match its directory', async () => {
    const store = await seeded();
    const file = path.join(store.dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
    await fs.writeFile(file, JSON.stringify({ ...manifest, schemaVersion: 9 }));
    const { loaded } = await reopen();
    expect(!loaded.ok && loaded.problem.message).toMatch(/schemaVersion is 9/);
  });
});

describe('damaged state is a problem, never a throw or half a load', () => {
  it('reports a manifest that is not JSON, and requires clear() before writing again', async () => {
    const store0 = await seeded();
    await fs.writeFile(path.join(store0.dir, 'manifest.json'), '{"formatVersion": 1, "tab');
    const { store, loaded } = await reopen();
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problem).toMatchObject({ code: 'source.unreadable', source: path.join(store.dir, 'manifest.json') });
    expect(store.manifest()).toBeNull();
    await expect(store.appendSegment('sessions', bytes(1), 1)).rejects.toThrow(/before load\(\) or clear\(\)/);
    value(await store.clear());
    value(await store.appendSegment('sessions', bytes(8), 1));
    value(await store.commit({ rebuilt: true }));
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('sessions')).toEqual([bytes(8)]);
    expect(state.watermarks).toEqual({ rebuilt: true });
  });

  it('reports a manifest of the wrong shape, and deletes nothing it names', async () => {
    const store = await seeded();
    const outside = path.join(path.dirname(stateDir), 'precious.txt');
    await fs.writeFile(outside, 'keep');
    const file = path.join(store.dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
    manifest.tables.sessions.segments[0].file = '../../../precious.txt';
    await fs.writeFile(file, JSON.stringify(manifest));
    const { loaded } = await reopen();
    expect(!loaded.ok && loaded.problem.message).toMatch(/manifest is malformed: tables.sessions.segments\[0\].file/);
    expect(await fs.readFile(outside, 'utf8')).toBe('keep');
    expect(await listSegments(store)).toHaveLength(3);
  });

  it('reports a missing segment as vanished', async () => {
    const store = await seeded();
    await fs.rm(path.join(segmentsOf(store), 'sessions-000002.arrow'));
    const { loaded } = await reopen();
    expect(!loaded.ok && loaded.problem).toMatchObject({ code: 'source.vanished', source: path.join(segmentsOf(store), 'sessions-000002.arrow') });
  });

  it('reports a truncated segment', async () => {
    const store = await seeded();
    await fs.truncate(path.join(segmentsOf(store), 'sessions-000001.arrow'), 1);
    const { loaded } = await reopen();
    expect(!loaded.ok && loaded.problem).toMatchObject({ code: 'source.unreadable' });
    expect(!loaded.ok && loaded.problem.message).toMatch(/1 bytes, the manifest says 3/);
  });

  it('reports a segment changed in place through its checksum', async () => {
    const store = await seeded();
    await fs.writeFile(path.join(segmentsOf(store), 'sessions-000001.arrow'), bytes(1, 2, 4));
    const { loaded } = await reopen();
    expect(!loaded.ok && loaded.problem.message).toMatch(/checksum/);
    const unchecked = createStateStore(stateDir, 1, { verifyChecksums: false });
    expect(value(await unchecked.load()).state!.tables.get('sessions')![0]).toEqual(bytes(1, 2, 4));
  });
});

describe('crash safety', () => {
  it('ignores and removes a segment staged without a commit', async () => {
    const store0 = await seeded();
    value(await store0.appendSegment('sessions', bytes(66), 1)); // "crash" before commit
    value(await store0.replaceTable('messages', [{ bytes: bytes(77), rows: 1 }]));
    expect(await listSegments(store0)).toHaveLength(5);
    const { store, loaded } = await reopen();
    const outcome = value(loaded);
    expect(outcome.garbageRemoved).toBe(2);
    expect(outcome.state!.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5)]);
    expect(outcome.state!.tables.get('messages')).toEqual([bytes(9)]);
    expect(await listSegments(store)).toEqual(['messages-000003.arrow', 'sessions-000001.arrow', 'sessions-000002.arrow']);
    const next = value(await store.appendSegment('sessions', bytes(10), 1));
    expect(next.file).toBe('sessions-000006.arrow'); // never reuses a name seen on disk
  });

  it('removes garbage even when there is no manifest yet', async () => {
    const { store } = await reopen();
    value(await store.appendSegment('sessions', bytes(1), 1));
    const outcome = value((await reopen()).loaded);
    expect(outcome).toEqual({ state: null, discardedVersions: [], garbageRemoved: 1 });
    expect(await listSegments(store)).toEqual([]);
  });

  it('ignores and removes temp files left by an interrupted write', async () => {
    const store0 = await seeded();
    await fs.writeFile(path.join(store0.dir, `.manifest.json.tmp-${process.pid}-deadbeef`), '{"formatVersion": 1, "tables": {');
    await fs.writeFile(path.join(segmentsOf(store0), '.sessions-000009.arrow.tmp-1-00ff'), bytes(1));
    const { store, loaded } = await reopen();
    expect(value(loaded).garbageRemoved).toBe(2);
    expect(value(loaded).state!.tables.get('sessions')).toHaveLength(2);
    expect((await fs.readdir(store.dir)).sort()).toEqual(['manifest.json', 'segments']);
  });

  it('keeps staged changes when the manifest cannot be written, and commits them on retry', async () => {
    const store = await seeded();
    value(await store.appendSegment('sessions', bytes(6), 1));
    const manifestFile = path.join(store.dir, 'manifest.json');
    const saved = await fs.readFile(manifestFile);
    await fs.rm(manifestFile);
    await fs.mkdir(path.join(manifestFile, 'blocker'), { recursive: true });
    const failed = await store.commit({ n: 2 });
    expect(!failed.ok && failed.problem.code).toBe('source.unreadable');
    expect(store.manifest()!.watermarks).toEqual({ sqlite: { lastTime: 1234 } });
    await fs.rm(manifestFile, { recursive: true });
    await fs.writeFile(manifestFile, saved);
    value(await store.commit({ n: 3 }));
    const state = value((await reopen()).loaded).state!;
    expect(state.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5), bytes(6)]);
    expect(state.watermarks).toEqual({ n: 3 });
  });

  it('returns a problem when a segment cannot be written', async () => {
    const store = await seeded();
    await fs.rm(segmentsOf(store), { recursive: true });
    await fs.writeFile(segmentsOf(store), 'not a directory');
    const result = await store.appendSegment('sessions', bytes(1), 1);
    expect(!result.ok && result.problem.code).toBe('source.unreadable');
    expect(!result.ok && result.problem.detail).toMatchObject({ errno: expect.stringMatching(/^E/) });
  });
  it('stages none of several segments when one cannot be written, and leaves no file behind', async () => {
    const store = await seeded();
    const before = await listSegments(store);
    // The second write fails: its target name is taken by a directory.
    await fs.mkdir(path.join(segmentsOf(store), 'sessions-000005.arrow'));
    const result = await store.appendSegments('sessions', [bytes(6), bytes(7), bytes(8)].map((b) => ({ bytes: b, rows: 1 })));
    expect(result.ok).toBe(false);
    await fs.rmdir(path.join(segmentsOf(store), 'sessions-000005.arrow'));
    expect(await listSegments(store)).toEqual(before);
    value(await store.commit({}));
    expect(value((await reopen()).loaded).state!.tables.get('sessions')).toEqual([bytes(1, 2, 3), bytes(4, 5)]);
  });
});

describe('clear', () => {
  it('deletes the state of this version and opens empty', async () => {
    const store = await seeded();
    value(await store.clear());
    await expect(fs.stat(store.dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(store.manifest()!.tables).toEqual({});
    expect(value((await reopen()).loaded).state).toBeNull();
  });

  it('drops staged changes', async () => {
    const store = await seeded();
    value(await store.appendSegment('sessions', bytes(6), 1));
    value(await store.clear());
    value(await store.commit({}));
    expect(value((await reopen()).loaded).state!.tables.size).toBe(0);
  });
});

describe('permissions and misuse', () => {
  it('creates the state as private files (0600) and directories (0700)', async () => {
    const store = await seeded();
    const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;
    expect(await mode(stateDir)).toBe(0o700);
    expect(await mode(store.dir)).toBe(0o700);
    expect(await mode(segmentsOf(store))).toBe(0o700);
    expect(await mode(path.join(store.dir, 'manifest.json'))).toBe(0o600);
    for (const name of await listSegments(store)) expect(await mode(path.join(segmentsOf(store), name))).toBe(0o600);
  });

  it('throws on programming errors', async () => {
    const { store } = await reopen();
    await expect(store.appendSegment('../evil', bytes(1), 1)).rejects.toThrow(/not a lower snake case table name/);
    await expect(store.appendSegment('sessions', bytes(), 0)).rejects.toThrow(/non-empty/);
    await expect(store.appendSegment('sessions', bytes(1), -1)).rejects.toThrow(/row count/);
    await expect(store.commit(undefined)).rejects.toThrow(/JSON value/);
    expect(() => createStateStore(stateDir, 1.5)).toThrow(/schema version/);
    // The queue keeps going after a rejected call.
    value(await store.commit({ ok: 1 }));
  });

  it('rejects calls before load()', async () => {
    const store = createStateStore(stateDir, 1);
    expect(store.manifest()).toBeNull();
    await expect(store.commit({})).rejects.toThrow(/before load/);
  });
});

describe('deferred tables', () => {
  it('leaves a deferred table unread on load, keeps it committed, and reads it on demand', async () => {
    const first = await seeded();
    value(await first.appendSegment('ingest_extra', bytes(7, 7), 2));
    value(await first.commit({ sqlite: { lastTime: 1235 } }));
    const store = createStateStore(stateDir, 1, { engineVersion: '0.1.0-test' });
    const loaded = value(await store.load({ deferTables: ['ingest_extra'] }));
    expect([...loaded.state!.tables.keys()].sort()).toEqual(['messages', 'sessions']);
    // Still named by the manifest, so neither garbage-collected nor dropped by the next commit.
    value(await store.appendSegment('sessions', bytes(6), 1));
    value(await store.commit({ sqlite: { lastTime: 1236 } }));
    expect([...value(await store.readTable('ingest_extra')).parts[0]!]).toEqual([7, 7]);
    const again = value((await reopen()).loaded);
    expect([...again.state!.tables.get('ingest_extra')![0]!]).toEqual([7, 7]);
  });
});

describe('lazy tables', () => {
  /** A real Arrow IPC stream: reads check its start and end markers. */
  const ipc = (n: number) => buildIpc(PROJECTS_TABLE, [{ id: `p${n}`, worktree: '/w', vcs: null, name: 'n', created_at: 1, updated_at: 1, source: 'sqlite' }]);

  it('hands out segments to read later, checks their lengths on load and their checksums in the background', async () => {
    const { store, loaded } = await reopen();
    value(loaded);
    const written = ipc(1);
    const segment = value(await store.replaceTable('parts', [{ bytes: written, rows: 1, rowidRange: [4, 9] }]))[0]!;
    value(await store.commit({}));
    const reread = async () => createStateStore(stateDir, 1).load({ lazyTables: ['parts'] });
    const clean = value(await reread()).state!;
    expect(clean.tables.has('parts')).toBe(false);
    const [saved] = clean.lazy.get('parts')!;
    expect(saved!.segment.rowidRange).toEqual([4, 9]);
    expect(saved!.read()).toEqual(written);
    expect(value(await clean.verifyLater().done)).toBe(1);
    // One byte changed in the middle: length and framing intact, so only the background check sees it.
    const file = path.join(segmentsOf(store), segment.file);
    const data = await fs.readFile(file);
    data[data.length >> 1] = data[data.length >> 1]! ^ 0xff;
    await fs.writeFile(file, data);
    const damaged = value(await reread()).state!;
    const verdict = await damaged.verifyLater().done;
    expect(!verdict.ok && verdict.problem.message).toMatch(/checksum/);
    // Cut short: the load itself refuses it; cut after the load: the read does.
    await fs.writeFile(file, data.subarray(0, data.length - 8));
    const cut = await reread();
    expect(!cut.ok && cut.problem.code).toBe('source.unreadable');
    expect(() => saved!.read()).toThrow(/changed since it was loaded/);
  });
});

describe('invalidate', () => {
  it('drops the committed state but leaves the files for readers until the next load removes them', async () => {
    const store = await seeded();
    const before = await listSegments(store);
    value(await store.invalidate());
    expect(await listSegments(store)).toEqual(before);
    const { store: again, loaded } = await reopen();
    expect(value(loaded).state).toBeNull();
    expect(await listSegments(again)).toEqual([]);
  });
});
