import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScorer } from '../score/createScorer.js';
import { loadRuleSet, mergeUserRules, readBuiltInDefs } from './loadRuleSet.js';

const dir = mkdtempSync(join(tmpdir(), 'ocm-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function userFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function builtIn() {
  const defs = readBuiltInDefs();
  if (!defs.ok) throw new Error(defs.problem.message);
  return defs.value;
}

describe('loadRuleSet', () => {
  it('loads and indexes the built-in rules when there is no user file', () => {
    const result = loadRuleSet();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.problems).toEqual([]);
    expect(result.value.commands.byName.get('rm')?.length).toBeGreaterThan(3);
    // Every command rule lands in exactly one bucket family, and few are tried on every command.
    expect(result.value.commands.ungated.length).toBeLessThan(20);
  });

  it('treats a missing user file as no user rules', () => {
    const result = loadRuleSet({ userRulesFile: join(dir, 'absent.json') });
    expect(result.ok && result.problems).toEqual([]);
  });

  it('overrides a built-in rule by id and disables another', () => {
    const file = userFile('override.json', {
      commands: [
        { id: 'user-discovery', description: 'whoami is fine here', score: 0, mitre: [], match: { command: 'whoami' } },
        { id: 'sudo', disabled: true },
        { id: 'deploy-prod', description: 'deploys to production', score: 70, mitre: ['T1072'], match: { command: 'deploy', args: '\\bprod\\b' } },
      ],
    });
    const result = loadRuleSet({ userRulesFile: file });
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.problems).toEqual([]);
    const scorer = createScorer(result.value);
    expect(scorer.score({ kind: 'bash', target: 'whoami' }).score).toBe(0);
    expect(scorer.score({ kind: 'bash', target: 'sudo ls /root' }).ruleIds).not.toContain('sudo');
    expect(scorer.score({ kind: 'bash', target: 'deploy --env prod' })).toMatchObject({ score: 70, level: 'high', mitre: ['T1072'] });
  });

  it('keeps the built-in rules and reports one problem for a broken user file', () => {
    const file = userFile('broken.json', { commands: [{ id: 'bad', description: 'b', score: 10, mitre: [], match: { text: '(' } }] });
    const result = loadRuleSet({ userRulesFile: file });
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'security.invalid-rule', source: file, detail: { ruleId: 'bad', field: 'match.text' } });
    expect(result.problems[0]?.message).toMatch(/built-in rules in use/);
    expect(createScorer(result.value).score({ kind: 'bash', target: 'rm -rf /' }).level).toBe('critical');
  });

  it('reports invalid JSON in the user file', () => {
    const result = loadRuleSet({ userRulesFile: userFile('syntax.json', '{ "commands": [') });
    expect(result.ok && result.problems[0]?.message).toMatch(/invalid JSON/);
  });
});

describe('mergeUserRules', () => {
  it('rejects disabling an id that does not exist', () => {
    const merged = mergeUserRules(builtIn(), { commands: [{ id: 'no-such-rule', disabled: true }] }, 'u.json');
    expect(!merged.ok && merged.problem.detail).toMatchObject({ ruleId: 'no-such-rule', field: 'disabled' });
  });

  it('rejects reusing a built-in id in another section', () => {
    const merged = mergeUserRules(builtIn(), { paths: [{ id: 'sudo', description: 's', score: 5, mitre: [], match: { path: 'x' } }] }, 'u.json');
    expect(!merged.ok && merged.problem.message).toMatch(/"commands"/);
  });

  it('rejects an unknown section', () => {
    const merged = mergeUserRules(builtIn(), { command: [] }, 'u.json');
    expect(!merged.ok && merged.problem.detail?.['field']).toBe('command');
  });

  it('leaves the sequences section of the shared user file to the sequence analyser', () => {
    const file = userFile('with-sequences.json', { sequences: [{ id: 'x' }], commands: [{ id: 'git-reset-hard', disabled: true }] });
    const loaded = loadRuleSet({ userRulesFile: file });
    expect(loaded.ok && loaded.problems).toEqual([]);
    expect(loaded.ok && createScorer(loaded.value).score({ kind: 'bash', target: 'git reset --hard' }).score).toBe(0);
  });

  it('adds new path, url and scope rules', () => {
    const merged = mergeUserRules(builtIn(), {
      paths: [{ id: 'vault-file', description: 'team vault', score: 90, mitre: ['T1552.001'], match: { path: '/team-vault/' } }],
      urls: [{ id: 'intranet', description: 'internal wiki', score: 5, mitre: [], match: { host: '^wiki\\.corp$' } }],
      scope: [{ id: 'scope-team-vault', description: 'team vault', verdict: 'sensitive', score: 90, mitre: [], match: { path: '^/srv/team-vault/' } }],
    }, 'u.json');
    expect(merged.ok).toBe(true);
    if (merged.ok) expect(merged.value.paths.at(-1)?.id).toBe('vault-file');
  });
});
