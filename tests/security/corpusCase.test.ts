import { describe, expect, it } from 'vitest';
import { parseCaseFile, parseCorpusCase } from './corpusCase.js';

const VALID = { kind: 'bash', target: 'rm -rf /', cwd: '/home/dev/project', class: 'malicious', expect: 'critical', family: 'destruction' };

describe('parseCorpusCase', () => {
  it('accepts a well-formed case and keeps its source', () => {
    const result = parseCorpusCase({ ...VALID, note: 'why' }, 'a.json#0');
    expect(result).toEqual({ ok: true, value: { ...VALID, note: 'why', source: 'a.json#0' } });
  });

  it.each([
    ['an unknown field', { ...VALID, expected: 'high' }, 'unknown field "expected"'],
    ['a bad kind', { ...VALID, kind: 'shell' }, 'kind must be'],
    ['an empty target', { ...VALID, target: '  ' }, 'target must be'],
    ['a relative cwd', { ...VALID, cwd: 'project' }, 'cwd must be'],
    ['a bad class', { ...VALID, class: 'evil' }, 'class must be'],
    ['a bad level', { ...VALID, expect: 'severe' }, 'expect must be'],
    ['a malicious case expecting medium', { ...VALID, expect: 'medium' }, 'cannot expect medium'],
    ['a benign case expecting high', { ...VALID, class: 'benign', expect: 'high' }, 'cannot expect high'],
    ['a family with spaces', { ...VALID, family: 'pipe to shell' }, 'family must be'],
    ['a non-string note', { ...VALID, note: 3 }, 'note must be'],
    ['an array', [VALID], 'not an object'],
  ])('rejects %s', (_label, value, message) => {
    const result = parseCorpusCase(value, 'x.json#4');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('parse.invalid-record');
      expect(result.problem.source).toBe('x.json#4');
      expect(result.problem.message).toContain(message);
    }
  });
});

describe('parseCaseFile', () => {
  it('names the file and index of each bad case and keeps the good ones', () => {
    const text = JSON.stringify([VALID, { ...VALID, kind: 'nope' }, VALID]);
    const { cases, problems } = parseCaseFile(text, 'paths.json');
    expect(cases.map((c) => c.source)).toEqual(['paths.json#0', 'paths.json#2']);
    expect(problems.map((p) => p.source)).toEqual(['paths.json#1']);
  });

  it('reports invalid JSON and non-array files', () => {
    expect(parseCaseFile('[{', 'broken.json').problems[0]).toMatchObject({ code: 'parse.invalid-json', source: 'broken.json' });
    expect(parseCaseFile('{}', 'object.json').problems[0]).toMatchObject({ code: 'parse.invalid-record', source: 'object.json' });
  });
});
