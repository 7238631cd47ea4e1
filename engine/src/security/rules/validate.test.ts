import { describe, expect, it } from 'vitest';
import { readBuiltInDefs, validateBuiltIn } from './loadRuleSet.js';
import { validateSection } from './validate.js';
import type { RuleSection } from './types.js';

const goodCommand = { id: 'x-rule', description: 'x', score: 50, mitre: ['T1059'], match: { command: 'curl' } };

function check(section: RuleSection, rules: unknown[]) {
  return validateSection(rules, section, 'user.json', new Set());
}

function problemOf(section: RuleSection, rules: unknown[]) {
  const result = check(section, rules);
  if (result.ok) throw new Error('expected a problem');
  return result.problem;
}

describe('built-in rule files', () => {
  // Guards defaultScorer(): it throws only when these files are broken.
  it('are all valid and large enough to cover the seed study', () => {
    const defs = readBuiltInDefs();
    if (!defs.ok) throw new Error(defs.problem.message);
    expect(defs.value.commands.length).toBeGreaterThanOrEqual(157);
    expect(defs.value.safe.length).toBeGreaterThanOrEqual(20);
    expect(defs.value.paths.length).toBeGreaterThanOrEqual(41);
    expect(defs.value.urls.length).toBeGreaterThanOrEqual(27);
    expect(defs.value.scope.filter((r) => r.verdict === 'sensitive').length).toBeGreaterThanOrEqual(30);
  });

  it('name the broken file when one built-in file is broken', () => {
    const result = validateBuiltIn({ commands: { rules: [] }, safe: { rules: [] }, paths: { rules: 'nope' }, urls: { rules: [] }, scope: { rules: [], settings: {} }, mcp: { rules: [] } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.source).toBe('paths.json');
  });
});

describe('validateSection', () => {
  it('accepts a well-formed rule', () => {
    expect(check('commands', [goodCommand]).ok).toBe(true);
  });

  it.each([
    ['bad regex', 'commands', [{ ...goodCommand, match: { args: '(unclosed' } }], 'match.args', /invalid regular expression/],
    ['duplicate id', 'commands', [goodCommand, goodCommand], 'id', /duplicate id/],
    ['bad MITRE id', 'commands', [{ ...goodCommand, mitre: ['T59'] }], 'mitre', /MITRE ATT&CK technique id/],
    ['wrong field type', 'commands', [{ ...goodCommand, score: '50' }], 'score', /number from 0 to 100/],
    ['score out of range', 'commands', [{ ...goodCommand, score: 120 }], 'score', /number from 0 to 100/],
    ['unknown matcher key', 'commands', [{ ...goodCommand, match: { command: 'curl', pipeTo: 'sh' } }], 'match.pipeTo', /unknown key/],
    ['unknown rule key', 'commands', [{ ...goodCommand, severity: 'high' }], 'severity', /unknown key/],
    ['empty matcher', 'commands', [{ ...goodCommand, match: {} }], 'match', /at least one condition/],
    ['bad command names', 'commands', [{ ...goodCommand, match: { command: 'curl wget' } }], 'match.command', /separated by "\|"/],
    ['unknown origin', 'commands', [{ ...goodCommand, match: { origin: ['base64'] } }], 'match.origin', /unknown origin/],
    ['bad regex in adjust', 'commands', [{ ...goodCommand, adjust: [{ when: { text: '[' }, add: 5 }] }], 'adjust[0].when.text', /invalid regular expression/],
    ['bad regex in unless list', 'commands', [{ ...goodCommand, match: { command: 'rm', unless: [{ args: '(' }] } }], 'match.unless[0].args', /invalid/],
    ['not kebab-case', 'commands', [{ ...goodCommand, id: 'Bad_Id' }], 'id', /kebab-case/],
    ['missing description', 'paths', [{ id: 'p', score: 5, mitre: [], match: { path: 'x' } }], 'description', /non-empty string/],
    ['missing path regex', 'paths', [{ id: 'p', description: 'p', score: 5, mitre: [], match: {} }], 'match.path', /non-empty string/],
    ['url with score and modifier', 'urls', [{ id: 'u', description: 'u', score: 5, modifier: -5, mitre: [], match: { host: 'x' } }], 'score', /exactly one/],
    ['bad scope verdict', 'scope', [{ id: 's', description: 's', verdict: 'maybe', mitre: [], match: { path: 'x' } }], 'verdict', /sensitive/],
    ['bad mcp kind', 'mcp', [{ id: 'm', description: 'm', mitre: [], match: { tool: 'x' }, as: 'exec' }], 'as', /bash/],
  ] as const)('names file, rule and field for %s', (_name, section, rules, field, message) => {
    const problem = problemOf(section, [...rules]);
    expect(problem.code).toBe('security.invalid-rule');
    expect(problem.source).toBe('user.json');
    expect(problem.detail?.['field']).toBe(field);
    expect(problem.detail?.['ruleId']).toBe((rules[0] as { id: string }).id);
    expect(problem.message).toContain(`field "${field}"`);
    expect(problem.message).toMatch(message);
  });

  it('rejects a section that is not an array', () => {
    expect(problemOf('urls', { rules: [] } as unknown as unknown[]).message).toMatch(/array of rules/);
  });
});
