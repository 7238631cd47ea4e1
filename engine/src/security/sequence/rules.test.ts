import { describe, expect, it } from 'vitest';
import { BUILTIN_SEQUENCE_RULES, sequenceRulesFromJson, sequenceRulesWith, type SequenceRule } from './rules.js';

const validRule = {
  id: 'my_rule',
  type: 'correlation',
  description: 'Reads a token, then fetches.',
  technique: 'T1048',
  windowMs: 60000,
  bonus: 10,
  steps: [
    { kind: 'read', target: 'token' },
    { kind: 'webfetch', target: '^https://' },
  ],
};

function withRule(patch: Record<string, unknown>): unknown {
  return { rules: [{ ...validRule, ...patch }] };
}

function problemOf(raw: unknown): { message: string; detail: unknown } {
  const result = sequenceRulesFromJson(raw, 'user-rules.json');
  if (result.ok) throw new Error('expected a problem');
  expect(result.problem.code).toBe('security.invalid-rule');
  expect(result.problem.source).toBe('user-rules.json');
  return { message: result.problem.message, detail: result.problem.detail };
}

describe('built-in sequence rules', () => {
  it('load: 10 kill chains, mass deletion, discovery burst and 9 correlations', () => {
    expect(BUILTIN_SEQUENCE_RULES.ok).toBe(true);
    if (!BUILTIN_SEQUENCE_RULES.ok) return;
    const rules: readonly SequenceRule[] = BUILTIN_SEQUENCE_RULES.value.rules;
    const chains = rules.filter((rule) => rule.type === 'kill_chain' && 'steps' in rule);
    const correlations = rules.filter((rule) => rule.type === 'correlation');
    expect(chains).toHaveLength(10);
    expect(correlations).toHaveLength(9);
    expect(rules.find((rule) => rule.id === 'mass_deletion')).toMatchObject({ count: { kind: 'bash', minCount: 5 }, windowMs: 30000 });
    expect(rules.find((rule) => rule.id === 'discovery_burst')).toMatchObject({ technique: 'T1082', distinct: { minDistinct: 2 } });
    expect(rules.find((rule) => rule.id === 'execution_preparation')).toMatchObject({ samePath: true });
    expect(rules.find((rule) => rule.id === 'cleanup_after_attack')).toMatchObject({ allowSameKind: true });
  });
});

describe('rule validation', () => {
  it('accepts a valid user rule', () => {
    const result = sequenceRulesFromJson(withRule({}), 'user-rules.json');
    expect(result.ok && result.value.rules.map((rule) => rule.id)).toEqual(['my_rule']);
  });

  it('names the rule and field of a bad regex', () => {
    const { message, detail } = problemOf(withRule({ steps: [{ kind: 'read', target: '(unclosed' }, { kind: 'bash', target: 'x' }] }));
    expect(message).toContain("rule 'my_rule'");
    expect(message).toContain("field 'steps[0].target'");
    expect(message).toContain('invalid regular expression');
    expect(detail).toEqual({ ruleId: 'my_rule', field: 'steps[0].target' });
  });

  it('names a missing field', () => {
    const { technique: _dropped, ...withoutTechnique } = validRule;
    const { message } = problemOf({ rules: [withoutTechnique] });
    expect(message).toContain("field 'technique'");
  });

  it('rejects an unknown step kind', () => {
    const { message } = problemOf(withRule({ steps: [{ kind: 'delete', target: 'x' }, { kind: 'bash', target: 'y' }] }));
    expect(message).toContain("field 'steps[0].kind'");
  });

  it('rejects unknown fields, so typos do not pass silently', () => {
    expect(problemOf(withRule({ windowMS: 5 })).message).toContain("field 'windowMS': unknown field");
  });

  it('rejects a rule with both steps and count, and one with neither', () => {
    expect(problemOf(withRule({ count: { kind: 'bash', target: 'rm', minCount: 3 } })).message).toContain('exactly one of');
    const { steps: _steps, ...bare } = validRule;
    expect(problemOf({ rules: [bare] }).message).toContain('exactly one of');
  });

  it('rejects a correlation whose steps share a kind unless allowSameKind is set', () => {
    const sameKind = { steps: [{ kind: 'bash', target: 'a' }, { kind: 'bash', target: 'b' }] };
    expect(problemOf(withRule(sameKind)).message).toContain("field 'allowSameKind'");
    expect(sequenceRulesFromJson(withRule({ ...sameKind, allowSameKind: true }), 'f').ok).toBe(true);
  });

  it('rejects samePath on a rule whose first step is not a file', () => {
    const { message } = problemOf(withRule({ samePath: true, steps: [{ kind: 'webfetch', target: 'a' }, { kind: 'bash', target: 'b' }] }));
    expect(message).toContain("field 'samePath'");
  });

  it('rejects duplicate ids, bad techniques, windows and bonuses', () => {
    expect(problemOf({ rules: [validRule, validRule] }).message).toContain('duplicate');
    expect(problemOf(withRule({ technique: 'X1' })).message).toContain("field 'technique'");
    expect(problemOf(withRule({ windowMs: -1 })).message).toContain("field 'windowMs'");
    expect(problemOf(withRule({ bonus: 101 })).message).toContain("field 'bonus'");
    expect(problemOf({ nope: [] }).message).toContain("field 'rules'");
  });

  it('validates count and distinct shapes', () => {
    expect(problemOf(withRule({ steps: undefined, count: { kind: 'bash', target: 'rm' } })).message).toContain("field 'count.minCount'");
    expect(problemOf(withRule({ steps: undefined, distinct: { mitre: ['nope'], minDistinct: 1 } })).message).toContain("field 'distinct.mitre'");
  });
});

describe('merging user rules with the built-ins', () => {
  it('adds new rules, overrides by id and disables with disabled:true', () => {
    const override = { ...validRule, id: 'exfiltration', bonus: 5 };
    const { ruleSet, problems } = sequenceRulesWith({ rules: [validRule, override, { id: 'dependency_confusion', disabled: true }] }, 'user.json');
    expect(problems).toEqual([]);
    const ids = ruleSet.rules.map((rule) => rule.id);
    expect(ids).toContain('my_rule');
    expect(ids).not.toContain('dependency_confusion');
    expect(ruleSet.rules.find((rule) => rule.id === 'exfiltration')?.bonus).toBe(5);
    expect(ruleSet.compiled.rules).toHaveLength(ruleSet.rules.length);
  });

  it('keeps the built-ins and reports the problem when the user file is broken', () => {
    const { ruleSet, problems } = sequenceRulesWith('{ "rules": [', 'user.json');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'security.invalid-rule', source: 'user.json' });
    expect(problems[0]!.message).toContain('built-in rules are used instead');
    expect(ruleSet.rules.length).toBe(BUILTIN_SEQUENCE_RULES.ok ? BUILTIN_SEQUENCE_RULES.value.rules.length : -1);
  });

  it('treats a missing user file as no extra rules', () => {
    expect(sequenceRulesWith(undefined, 'user.json').problems).toEqual([]);
  });
});
