/**
 * Sequence rules (kill chains, correlations, bursts) as data: the shapes, the built-in file loaded once at
 * module load, and the merge with a user's rule file. A broken user file never disables the built-ins.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fail, ok, type Problem, type Result } from '../../../../shared/src/index.js';
import { compileRules, type CompiledRules } from './compile.js';
import { parseSequenceRules } from './validate.js';

export { STEP_KINDS } from './ruleTypes.js';
export type { CountRule, CountSpec, DistinctRule, DistinctSpec, SequenceRule, SequenceRuleBase, SequenceStep, StepKind, StepsRule } from './ruleTypes.js';
import type { SequenceRule } from './ruleTypes.js';

/** Validated rules with their regexes compiled once, ready for `analyzeSequences`. */
export interface SequenceRuleSet {
  readonly rules: readonly SequenceRule[];
  readonly compiled: CompiledRules;
}

export const BUILTIN_RULES_FILE = fileURLToPath(new URL('./sequences.json', import.meta.url));

/** Parses and compiles rule-file JSON (`{ "rules": [...] }`); `source` names the file in problems. */
export function sequenceRulesFromJson(raw: unknown, source: string): Result<SequenceRuleSet> {
  const parsed = parseSequenceRules(raw, source, { allowDisable: false });
  if (!parsed.ok) return parsed;
  return ok(toRuleSet(parsed.value.rules));
}

function loadBuiltinRules(): Result<SequenceRuleSet> {
  let text: string;
  try {
    text = readFileSync(BUILTIN_RULES_FILE, 'utf8');
  } catch (error) {
    return fail(invalidFile(BUILTIN_RULES_FILE, `cannot read the built-in rules: ${(error as Error).message}`));
  }
  const json = parseJson(text, BUILTIN_RULES_FILE);
  return json.ok ? sequenceRulesFromJson(json.value, BUILTIN_RULES_FILE) : json;
}

/** The shipped rules, read and validated once when this module loads. */
export const BUILTIN_SEQUENCE_RULES: Result<SequenceRuleSet> = loadBuiltinRules();

export interface MergedRules {
  readonly ruleSet: SequenceRuleSet;
  /** Problems found; when the user file is broken the built-ins are used alone. */
  readonly problems: readonly Problem[];
}

/**
 * Built-ins plus a user's rules (`userRules` is the parsed JSON of the user file, or a JSON string).
 * A user rule with a built-in id replaces it; `{ "id": "…", "disabled": true }` (as in the action-rule sections) switches a built-in off.
 */
export function sequenceRulesWith(userRules: unknown, source: string): MergedRules {
  if (!BUILTIN_SEQUENCE_RULES.ok) return { ruleSet: toRuleSet([]), problems: [BUILTIN_SEQUENCE_RULES.problem] };
  const builtins = BUILTIN_SEQUENCE_RULES.value;
  if (userRules === undefined || userRules === null) return { ruleSet: builtins, problems: [] };
  const json = typeof userRules === 'string' ? parseJson(userRules, source) : ok(userRules);
  const parsed = json.ok ? parseSequenceRules(json.value, source, { allowDisable: true }) : json;
  if (!parsed.ok) {
    const problem = { ...parsed.problem, message: `${parsed.problem.message}; built-in rules are used instead` };
    return { ruleSet: builtins, problems: [problem] };
  }
  const overrides = new Map(parsed.value.rules.map((rule) => [rule.id, rule]));
  const disabled = new Set(parsed.value.disabled);
  const merged: SequenceRule[] = [];
  for (const rule of builtins.rules) {
    if (disabled.has(rule.id)) continue;
    merged.push(overrides.get(rule.id) ?? rule);
    overrides.delete(rule.id);
  }
  merged.push(...overrides.values());
  return { ruleSet: toRuleSet(merged), problems: [] };
}

/** Compiles rules already validated (a rule set's `rules`, handed to a worker thread). */
export function ruleSetOf(rules: readonly SequenceRule[]): SequenceRuleSet {
  return toRuleSet(rules);
}

function toRuleSet(rules: readonly SequenceRule[]): SequenceRuleSet {
  return { rules, compiled: compileRules(rules) };
}

function parseJson(text: string, source: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return fail(invalidFile(source, `not valid JSON: ${(error as Error).message}`));
  }
}

function invalidFile(source: string, message: string): Problem {
  return { code: 'security.invalid-rule', message, source };
}
