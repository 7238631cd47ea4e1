import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from './generate.js';
import { ID_PATTERN, idTimestampModulo } from './ids.js';
import type { CorpusManifest } from './manifest.js';
import { loadSchema, readSchemaObjects } from './schema.js';

let dir: string;
let manifest: CorpusManifest;
let db: Database.Database;

const all = <T>(sql: string, ...params: unknown[]): T[] => db.prepare(sql).all(...params) as T[];
const one = <T>(sql: string, ...params: unknown[]): T => db.prepare(sql).get(...params) as T;
const num = (sql: string, ...params: unknown[]): number => Number(Object.values(one<Record<string, unknown>>(sql, ...params))[0]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocm-corpus-test-'));
  manifest = await generateCorpus({ out: dir, sessions: 120, seed: 7, legacySessions: 6, corrupt: 5, events: true });
  db = new Database(join(dir, 'opencode.db'), { readonly: true, fileMustExist: true });
});

afterAll(async () => {
  db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('generated corpus: database', () => {
  it('has exactly OpenCode 1.18.33 schema, migrated, in WAL mode, consistent', () => {
    expect(readSchemaObjects(db)).toEqual(loadSchema().objects);
    expect(num('SELECT count(*) FROM migration')).toBe(38);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('matches the manifest row counts, part types, tools, tokens and cost', () => {
    for (const [table, count] of Object.entries(manifest.tables)) expect(num(`SELECT count(*) FROM "${table}"`), table).toBe(count);
    const byType = Object.fromEntries(all<{ t: string; n: number }>("SELECT json_extract(data, '$.type') AS t, count(*) AS n FROM part GROUP BY 1").map((r) => [r.t, r.n]));
    expect(byType).toEqual(manifest.raw.partsByType);
    const byTool = Object.fromEntries(all<{ t: string; n: number }>("SELECT json_extract(data, '$.tool') AS t, count(*) AS n FROM part WHERE json_extract(data, '$.type') = 'tool' GROUP BY 1").map((r) => [r.t, r.n]));
    expect(byTool).toEqual(manifest.raw.toolCallsByTool);
    const sums = one<Record<string, number>>(`SELECT sum(json_extract(data, '$.tokens.input')) AS input, sum(json_extract(data, '$.tokens.output')) AS output,
      sum(json_extract(data, '$.tokens.reasoning')) AS reasoning, sum(json_extract(data, '$.tokens.cache.read')) AS cacheRead,
      sum(json_extract(data, '$.tokens.cache.write')) AS cacheWrite, sum(json_extract(data, '$.tokens.total')) AS total, sum(json_extract(data, '$.cost')) AS cost
      FROM part WHERE json_extract(data, '$.type') = 'step-finish'`);
    const { cost, ...tokens } = sums;
    expect(tokens).toEqual(manifest.raw.tokens);
    expect(cost).toBeCloseTo(manifest.raw.cost, 6);
    expect(num('SELECT sum(cost) FROM session')).toBeCloseTo(manifest.raw.cost, 6);
    expect(manifest.raw.parts).toBeGreaterThan(5000);
  });

  it('uses OpenCode id formats and orders (sessions newest first, messages and parts ascending)', () => {
    for (const [table, prefix] of [['session', 'ses'], ['message', 'msg'], ['part', 'prt'], ['event', 'evt']] as const) {
      const bad = all<{ id: string }>(`SELECT id FROM "${table}"`).filter((r) => !ID_PATTERN.test(r.id) || !r.id.startsWith(prefix + '_'));
      expect(bad, table).toEqual([]);
    }
    // The id encodes the creation time modulo 2^36 ms (~795 days), exactly; a wrap falls on 2026-08-14T11:59:55Z.
    const wrap = 2 ** 36;
    for (const r of all<{ id: string; t: number }>('SELECT id, time_created AS t FROM session')) expect(idTimestampModulo(r.id, true)).toBe(r.t % wrap);
    for (const r of all<{ id: string; t: number }>('SELECT id, time_created AS t FROM part')) expect(idTimestampModulo(r.id, false)).toBe(r.t % wrap);
    // Within one side of the wrap: sessions sort newest first, messages and parts in creation order.
    const side = (t: number): number => Math.floor(t / wrap);
    const sessions = all<{ id: string; t: number }>('SELECT id, time_created AS t FROM session ORDER BY time_created DESC, id');
    for (const s of [0, 1].map((k) => sessions.filter((r) => side(r.t) === side(manifest.window.startMs) + k).map((r) => r.id))) expect(s).toEqual([...s].sort());
    const messages = all<{ g: string; id: string; t: number }>('SELECT session_id AS g, id, time_created AS t FROM message ORDER BY session_id, time_created, id');
    const parts = all<{ g: string; id: string; t: number }>('SELECT message_id AS g, id, time_created AS t FROM part ORDER BY message_id, time_created, id');
    for (const rows of [messages, parts]) {
      const groups = new Map<string, Array<{ id: string; t: number }>>();
      for (const r of rows) groups.set(r.g, [...(groups.get(r.g) ?? []), r]);
      for (const group of groups.values()) {
        if (side(group[0]?.t ?? 0) !== side(group.at(-1)?.t ?? 0)) continue;
        const ids = group.map((r) => r.id);
        expect(ids).toEqual([...ids].sort());
      }
    }
  });

  it('stores message and part data without the id columns (opencode.md §4.3)', () => {
    expect(num("SELECT count(*) FROM message WHERE json_extract(data, '$.id') IS NOT NULL OR json_extract(data, '$.sessionID') IS NOT NULL")).toBe(0);
    expect(num("SELECT count(*) FROM part WHERE json_extract(data, '$.id') IS NOT NULL OR json_extract(data, '$.sessionID') IS NOT NULL OR json_extract(data, '$.messageID') IS NOT NULL")).toBe(0);
  });

  it('fills session usage columns with the sums of its assistant messages, as OpenCode does', () => {
    const rows = all<Record<string, number>>(`SELECT s.cost, s.tokens_input, s.tokens_output, s.tokens_reasoning, s.tokens_cache_read, s.tokens_cache_write,
      coalesce(sum(json_extract(m.data, '$.cost')), 0) AS m_cost, coalesce(sum(json_extract(m.data, '$.tokens.input')), 0) AS m_input,
      coalesce(sum(json_extract(m.data, '$.tokens.output')), 0) AS m_output, coalesce(sum(json_extract(m.data, '$.tokens.reasoning')), 0) AS m_reasoning,
      coalesce(sum(json_extract(m.data, '$.tokens.cache.read')), 0) AS m_read, coalesce(sum(json_extract(m.data, '$.tokens.cache.write')), 0) AS m_write
      FROM session s LEFT JOIN message m ON m.session_id = s.id AND json_extract(m.data, '$.role') = 'assistant' GROUP BY s.id`);
    for (const r of rows) {
      expect(r['cost']).toBeCloseTo(r['m_cost'] ?? 0, 9);
      expect([r['tokens_input'], r['tokens_output'], r['tokens_reasoning'], r['tokens_cache_read'], r['tokens_cache_write']])
        .toEqual([r['m_input'], r['m_output'], r['m_reasoning'], r['m_read'], r['m_write']]);
    }
  });

  it('links assistant steps to the user message of their exchange', () => {
    expect(num(`SELECT count(*) FROM message a LEFT JOIN message u ON u.id = json_extract(a.data, '$.parentID') AND u.session_id = a.session_id
      WHERE json_extract(a.data, '$.role') = 'assistant' AND (u.id IS NULL OR json_extract(u.data, '$.role') != 'user')`)).toBe(0);
  });

  it('links every sub-agent session to a task part of its parent, up to depth 3', () => {
    const children = all<{ id: string; parent_id: string; title: string }>('SELECT id, parent_id, title FROM session WHERE parent_id IS NOT NULL');
    expect(children.length).toBe(manifest.sessions.child);
    for (const child of children) {
      expect(child.title).toMatch(/ \(@(general|explore) subagent\)$/);
      expect(num(`SELECT count(*) FROM part WHERE session_id = ? AND json_extract(data, '$.tool') = 'task' AND json_extract(data, '$.state.metadata.sessionId') = ?`, child.parent_id, child.id)
        + num(`SELECT count(*) FROM part WHERE session_id = ? AND json_extract(data, '$.tool') = 'task' AND json_extract(data, '$.state.status') IN ('running', 'pending')`, child.parent_id)).toBeGreaterThan(0);
    }
    const depth = num(`WITH RECURSIVE d(id, depth) AS (SELECT id, 0 FROM session WHERE parent_id IS NULL
      UNION ALL SELECT s.id, d.depth + 1 FROM session s JOIN d ON s.parent_id = d.id) SELECT max(depth) FROM d`);
    expect(depth).toBe(manifest.sessions.maxDepth);
    expect(depth).toBeGreaterThanOrEqual(2);
    expect(depth).toBeLessThanOrEqual(3);
  });

  it('models forks as OpenCode copies them, and the manifest separates the copies', () => {
    const forks = all<{ id: string; time_created: number }>("SELECT id, time_created FROM session WHERE title LIKE '% (fork #%)'");
    expect(forks.length).toBe(manifest.sessions.fork);
    expect(forks.length).toBeGreaterThan(0);
    for (const fork of forks) {
      // Copied rows keep the original time_created (older than the fork itself) and carry no parent_id link.
      const copied = all<{ time_created: number; data: string }>('SELECT time_created, data FROM message WHERE session_id = ? AND time_created < ?', fork.id, fork.time_created);
      expect(copied.length).toBeGreaterThan(0);
      for (const message of copied) {
        const twins = num('SELECT count(*) FROM message WHERE time_created = ? AND session_id != ?', message.time_created, fork.id);
        expect(twins).toBeGreaterThan(0);
      }
    }
    // A (time_created, tokens, cost) key over assistant messages removes exactly the fork copies.
    const unique = one<{ n: number; cost: number; output: number }>(`SELECT count(*) AS n, sum(cost) AS cost, sum(output) AS output FROM (
      SELECT DISTINCT time_created, json_extract(data, '$.tokens') AS tokens, json_extract(data, '$.cost') AS cost, json_extract(data, '$.tokens.output') AS output
      FROM message WHERE json_extract(data, '$.role') = 'assistant')`);
    expect(unique.n).toBe(manifest.unique.assistantMessages);
    expect(unique.cost).toBeCloseTo(manifest.unique.cost, 6);
    expect(unique.output).toBe(manifest.unique.tokens.output);
    expect(manifest.raw.cost).toBeGreaterThan(manifest.unique.cost);
    expect(manifest.forks.copiedMessages).toBe(manifest.raw.messages - manifest.unique.messages);
  });

  it('keeps every timestamp inside the window', () => {
    const end = manifest.window.endMs;
    for (const [table, column] of [['session', 'time_updated'], ['session', 'time_archived'], ['message', 'time_updated'], ['part', 'time_updated'], ['todo', 'time_updated']]) {
      expect(num(`SELECT max(${column}) FROM "${table}"`), `${table}.${column}`).toBeLessThanOrEqual(end);
    }
    expect(num('SELECT min(time_created) FROM session')).toBeGreaterThanOrEqual(manifest.window.startMs);
    expect(num("SELECT max(json_extract(data, '$.time.completed')) FROM message")).toBeLessThanOrEqual(end);
  });

  it('has in-flight, failed, archived sessions, todos and risky tool calls', () => {
    const inFlight = manifest.sessions.inFlightLive + manifest.sessions.inFlightStale;
    expect(manifest.sessions.inFlightLive).toBeGreaterThan(0);
    expect(num(`SELECT count(*) FROM part WHERE json_extract(data, '$.state.status') IN ('running', 'pending')
      OR (json_extract(data, '$.time.start') IS NOT NULL AND json_extract(data, '$.time.end') IS NULL)`)).toBe(inFlight);
    expect(num("SELECT count(*) FROM message WHERE json_extract(data, '$.role') = 'assistant' AND json_extract(data, '$.time.completed') IS NULL")).toBe(inFlight);
    const errors = Object.values(manifest.messageErrors).reduce((a, b) => a + b, 0);
    expect(errors).toBeGreaterThan(0);
    expect(num("SELECT count(DISTINCT time_created) FROM message WHERE json_extract(data, '$.error') IS NOT NULL")).toBe(errors);
    expect(num('SELECT count(*) FROM session WHERE time_archived IS NOT NULL')).toBe(manifest.sessions.archived);
    expect(num('SELECT count(*) FROM todo')).toBe(manifest.todos);
    expect(num('SELECT count(*) FROM (SELECT session_id, max(position) + 1 = count(*) AS ok FROM todo GROUP BY session_id) WHERE NOT ok')).toBe(0);
    expect(manifest.raw.risky).toBeGreaterThan(0);
    expect(num("SELECT count(*) FROM part WHERE json_extract(data, '$.tool') = 'bash' AND (json_extract(data, '$.state.input.command') LIKE '%| sh%' OR json_extract(data, '$.state.input.command') LIKE '%.ssh%' OR json_extract(data, '$.state.input.command') LIKE '%/dev/tcp/%' OR json_extract(data, '$.state.input.command') LIKE '%crontab%' OR json_extract(data, '$.state.input.command') LIKE 'sudo%' OR json_extract(data, '$.state.input.command') LIKE 'rm -rf%' OR json_extract(data, '$.state.input.command') LIKE '%webhook.site%' OR json_extract(data, '$.state.input.command') LIKE '%base64 -d%' OR json_extract(data, '$.state.input.command') LIKE '%chmod%' OR json_extract(data, '$.state.input.command') LIKE '%nc %' OR json_extract(data, '$.state.input.command') LIKE '%printenv%' OR json_extract(data, '$.state.input.command') LIKE '%.bashrc%' OR json_extract(data, '$.state.input.command') LIKE '%--force%' OR json_extract(data, '$.state.input.command') LIKE '%aws%')")).toBeGreaterThan(0);
  });

  it('writes the durable event log with contiguous sequences', () => {
    expect(num('SELECT count(*) FROM event')).toBe(manifest.tables['event']);
    expect(num('SELECT count(*) FROM event_sequence')).toBe(manifest.tables['session']);
    expect(num('SELECT count(*) FROM event_sequence s WHERE s.seq != (SELECT max(seq) FROM event e WHERE e.aggregate_id = s.aggregate_id)')).toBe(0);
    expect(num('SELECT count(*) FROM (SELECT aggregate_id, count(*) - 1 = max(seq) AS ok FROM event GROUP BY aggregate_id) WHERE NOT ok')).toBe(0);
    const types = all<{ type: string }>('SELECT DISTINCT type FROM event ORDER BY 1').map((r) => r.type);
    expect(types).toEqual(['message.part.updated.1', 'message.updated.1', 'session.created.1', 'session.updated.1']);
  });
});

describe('generated corpus: files', () => {
  function walk(root: string): string[] {
    return readdirSync(root).flatMap((name) => {
      const path = join(root, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  }

  it('writes manifest.json equal to the returned manifest', async () => {
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
  });

  it('writes the legacy JSON tree: pretty-printed full objects, overlap, JSON-only history and corrupt files', () => {
    const legacy = manifest.legacy;
    if (!legacy) throw new Error('no legacy section');
    const files = walk(join(dir, 'storage')).map((path) => relative(dir, path));
    const corrupt = new Set(legacy.corrupt.map((c) => c.path));
    expect(legacy.corrupt).toHaveLength(5);
    for (const c of corrupt) expect(files).toContain(c);
    const valid = files.filter((f) => !corrupt.has(f));
    const kinds: Record<string, number> = {};
    for (const file of valid) {
      const kind = file.split('/')[1] ?? '';
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    expect(kinds).toEqual(legacy.files);
    const sessionIds = new Set(all<{ id: string }>('SELECT id FROM session').map((r) => r.id));
    let overlap = 0;
    let jsonOnly = 0;
    for (const file of valid.filter((f) => f.startsWith('storage/session/'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text.startsWith('{\n  "id": "ses_')).toBe(true);
      const session = JSON.parse(text) as { id: string; version: string };
      if (sessionIds.has(session.id)) overlap++;
      else jsonOnly++;
    }
    expect(overlap).toBe(legacy.overlap.sessions);
    expect(jsonOnly).toBe(legacy.jsonOnly.sessions);
    const part = valid.find((f) => f.startsWith('storage/part/'));
    const parsed = JSON.parse(readFileSync(join(dir, part ?? ''), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 3)).toEqual(['id', 'sessionID', 'messageID']);
    for (const c of legacy.corrupt) {
      const text = readFileSync(join(dir, c.path), 'utf8');
      let usable = true;
      try {
        const value: unknown = JSON.parse(text);
        usable = typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value;
      } catch {
        usable = false;
      }
      expect(usable && c.record !== 'todo', `${c.kind} ${c.path}`).toBe(false);
    }
    expect(manifest.merged.sessions).toBe((manifest.tables['session'] ?? 0) + legacy.jsonOnly.sessions);
  });
});
