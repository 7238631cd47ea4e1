import { describe, expect, it } from 'vitest';
import { isTempName, parseSegmentFileName, parseVersionDirName, segmentFileName } from './layout.js';
import { MANIFEST_FORMAT_VERSION, emptyManifest, needsCompaction, parseManifest, type Manifest } from './manifest.js';

const SHA = 'a'.repeat(64);

function manifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    schemaVersion: 3,
    engineVersion: '0.1.0',
    writtenAt: '2025-01-02T03:04:05.000Z',
    tables: {
      sessions: { segments: [{ file: 'sessions-000001.arrow', rows: 2, bytes: 100, sha256: SHA }] },
      messages: { segments: [] },
    },
    watermarks: { sqlite: { lastId: 7 } },
    ...overrides,
  };
}

function problemOf(value: unknown): string {
  const result = parseManifest(typeof value === 'string' ? value : JSON.stringify(value), 3, '/s/v3/manifest.json');
  if (result.ok) throw new Error('expected a problem');
  expect(result.problem.code).toBe('source.unreadable');
  expect(result.problem.source).toBe('/s/v3/manifest.json');
  return result.problem.message;
}

describe('parseManifest', () => {
  it('accepts a well-formed manifest', () => {
    const result = parseManifest(JSON.stringify(manifest()), 3);
    expect(result.ok && result.value.tables.sessions?.segments[0]?.rows).toBe(2);
    expect(result.ok && result.value.watermarks).toEqual({ sqlite: { lastId: 7 } });
  });

  it('reports invalid JSON (empty, truncated) as a problem instead of throwing', () => {
    expect(problemOf('')).toMatch(/not valid JSON/);
    expect(problemOf(JSON.stringify(manifest()).slice(0, 40))).toMatch(/not valid JSON/);
  });

  it('names the first bad field of a wrong shape', () => {
    expect(problemOf([])).toMatch(/expected a JSON object/);
    expect(problemOf(manifest({ formatVersion: 99 }))).toMatch(/formatVersion is 99/);
    expect(problemOf(manifest({ schemaVersion: 2 }))).toMatch(/schemaVersion is 2 in the directory for 3/);
    expect(problemOf(manifest({ writtenAt: 'yesterday' }))).toMatch(/writtenAt/);
    expect(problemOf(manifest({ watermarks: undefined }))).toMatch(/watermarks is missing/);
    expect(problemOf(manifest({ tables: [] }))).toMatch(/tables must be an object/);
    expect(problemOf(manifest({ tables: { sessions: {} } }))).toMatch(/tables.sessions.segments must be an array/);
    expect(problemOf(manifest({ tables: { 'Bad-Name': { segments: [] } } }))).toMatch(/not lower snake case/);
    const seg = (s: Record<string, unknown>) => manifest({ tables: { sessions: { segments: [{ file: 'sessions-000001.arrow', rows: 1, bytes: 1, ...s }] } } });
    expect(problemOf(seg({ rows: -1 }))).toMatch(/segments\[0\].rows/);
    expect(problemOf(seg({ rows: 1.5 }))).toMatch(/segments\[0\].rows/);
    expect(problemOf(seg({ bytes: 0 }))).toMatch(/segments\[0\].bytes/);
    expect(problemOf(seg({ sha256: 'xyz' }))).toMatch(/sha256/);
  });

  it('refuses segment names that escape the segments directory or belong to another table', () => {
    const withFile = (file: string) => manifest({ tables: { sessions: { segments: [{ file, rows: 1, bytes: 1 }] } } });
    expect(problemOf(withFile('../../etc/passwd'))).toMatch(/not a segment file name of table sessions/);
    expect(problemOf(withFile('sessions-000001.arrow/../../x'))).toMatch(/not a segment file name/);
    expect(problemOf(withFile('messages-000001.arrow'))).toMatch(/not a segment file name of table sessions/);
  });

  it('refuses a file listed twice', () => {
    const s = { file: 'sessions-000001.arrow', rows: 1, bytes: 1 };
    expect(problemOf(manifest({ tables: { sessions: { segments: [s, s] } } }))).toMatch(/listed twice/);
  });
});

describe('needsCompaction', () => {
  const m = parseManifest(JSON.stringify(manifest()), 3);
  const base = (m.ok ? m.value : null) as Manifest;
  const withSegments = (n: number): Manifest => ({
    ...base,
    tables: { parts: { segments: Array.from({ length: n }, (_, i) => ({ file: segmentFileName('parts', i + 1), rows: 1, bytes: 1 })) } },
  });

  it('is true only above maxSegments, for a table that exists', () => {
    expect(needsCompaction(withSegments(4), 'parts', { maxSegments: 4 })).toBe(false);
    expect(needsCompaction(withSegments(5), 'parts', { maxSegments: 4 })).toBe(true);
    expect(needsCompaction(withSegments(5), 'constructor', { maxSegments: 1 })).toBe(false);
    expect(needsCompaction(null, 'parts', { maxSegments: 1 })).toBe(false);
    expect(needsCompaction(emptyManifest(1, 'x', new Date(0).toISOString()), 'parts', { maxSegments: 1 })).toBe(false);
  });

  it('never asks to compact a single segment', () => {
    expect(needsCompaction(withSegments(1), 'parts', { maxSegments: 0 })).toBe(false);
    expect(needsCompaction(withSegments(2), 'parts', { maxSegments: 0 })).toBe(true);
  });
});

describe('layout names', () => {
  it('round-trips segment file names and rejects others', () => {
    expect(segmentFileName('tool_calls', 42)).toBe('tool_calls-000042.arrow');
    expect(parseSegmentFileName('tool_calls-000042.arrow')).toEqual({ table: 'tool_calls', seq: 42 });
    expect(parseSegmentFileName('tool_calls-1234567.arrow')).toEqual({ table: 'tool_calls', seq: 1234567 });
    for (const bad of ['x-1.arrow', '.x-000001.arrow', 'x-000001.arrow.tmp', '../x-000001.arrow', 'X-000001.arrow']) {
      expect(parseSegmentFileName(bad)).toBeNull();
    }
  });

  it('recognises version directories and temp files', () => {
    expect(parseVersionDirName('v12')).toBe(12);
    expect(parseVersionDirName('v')).toBeNull();
    expect(parseVersionDirName('v1x')).toBeNull();
    expect(isTempName('.manifest.json.tmp-123-0a1b2c3d')).toBe(true);
    expect(isTempName('manifest.json')).toBe(false);
    expect(isTempName('sessions-000001.arrow')).toBe(false);
  });
});
