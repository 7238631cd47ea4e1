/**
 * Validation of a sequence rule file. The first problem wins and names the rule id and the field, so a user
 * can fix their file from the message alone. Unknown fields are rejected because a typo such as `windowMS`
 * would otherwise silently fall back to nothing.
 */
import { fail, ok, type Problem, type Result } from '../../../../shared/src/index.js';
import type { CountSpec, DistinctSpec, SequenceRule, SequenceRuleBase, SequenceStep, StepKind } from './ruleTypes.js';
import { STEP_KINDS } from './ruleTypes.js';

const RULE_TYPES: readonly string[] = ['kill_chain', 'correlation'];
const TECHNIQUE = /^T\d{4}(?:\.\d{3})?$/;
const RULE_ID = /^[a-z0-9][a-z0-9_.-]*$/i;
const MAX_STEPS = 8; // step matches are kept in a byte mask per event
const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;
const RULE_FIELDS = new Set(['id', 'type', 'description', 'technique', 'windowMs', 'bonus', 'steps', 'samePath', 'allowSameKind', 'count', 'distinct']);
const STEP_FIELDS = new Set(['kind', 'target', 'notTarget']);
const COUNT_FIELDS = new Set([...STEP_FIELDS, 'minCount']);
const DISTINCT_FIELDS = new Set(['mitre', 'minDistinct']);

export interface ParsedRuleFile {
  readonly rules: readonly SequenceRule[];
  /** Ids switched off with `{ "id": "…", "disabled": true }` (as in the action-rule sections) (user files only). */
  readonly disabled: readonly string[];
}

type Obj = Readonly<Record<string, unknown>>;

class Where {
  constructor(
    readonly source: string,
    readonly ruleId: string,
  ) {}
  problem(field: string, message: string): Problem {
    return {
      code: 'security.invalid-rule',
      message: `rule '${this.ruleId}': field '${field}': ${message}`,
      source: this.source,
      detail: { ruleId: this.ruleId, field },
    };
  }
}

export function parseSequenceRules(raw: unknown, source: string, options: { allowDisable: boolean }): Result<ParsedRuleFile> {
  const file = new Where(source, '(file)');
  if (!isObject(raw) || !Array.isArray(raw['rules'])) return fail(file.problem('rules', 'expected an object with a "rules" array'));
  const rules: SequenceRule[] = [];
  const disabled: string[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (raw['rules'] as unknown[]).entries()) {
    const id = isObject(entry) && typeof entry['id'] === 'string' ? entry['id'] : `#${index}`;
    const where = new Where(source, id);
    if (!isObject(entry)) return fail(where.problem('', 'expected an object'));
    if (!RULE_ID.test(id)) return fail(where.problem('id', 'expected a name of letters, digits, "_", "-" or "."'));
    if (seen.has(id)) return fail(where.problem('id', 'duplicate rule id in this file'));
    seen.add(id);
    if (options.allowDisable && entry['disabled'] === true && Object.keys(entry).length === 2) {
      disabled.push(id);
      continue;
    }
    const rule = parseRule(entry, where);
    if (!rule.ok) return rule;
    rules.push(rule.value);
  }
  return ok({ rules, disabled });
}

function parseRule(entry: Obj, where: Where): Result<SequenceRule> {
  const unknown = Object.keys(entry).find((key) => !RULE_FIELDS.has(key));
  if (unknown !== undefined) return fail(where.problem(unknown, 'unknown field'));
  const type = entry['type'];
  if (typeof type !== 'string' || !RULE_TYPES.includes(type)) return fail(where.problem('type', 'expected "kill_chain" or "correlation"'));
  const description = entry['description'];
  if (typeof description !== 'string' || description.trim() === '') return fail(where.problem('description', 'expected a non-empty string'));
  const technique = entry['technique'];
  if (typeof technique !== 'string' || !TECHNIQUE.test(technique)) return fail(where.problem('technique', 'expected a MITRE id such as "T1048" or "T1059.004"'));
  const windowMs = entry['windowMs'];
  if (!isInteger(windowMs, 1, MAX_WINDOW_MS)) return fail(where.problem('windowMs', `expected an integer number of ms between 1 and ${MAX_WINDOW_MS}`));
  const bonus = entry['bonus'];
  if (!isInteger(bonus, 0, 100)) return fail(where.problem('bonus', 'expected an integer between 0 and 100'));
  const base: SequenceRuleBase = { id: where.ruleId, type: type as SequenceRule['type'], description, technique, windowMs, bonus };

  const shapes = ['steps', 'count', 'distinct'].filter((key) => entry[key] !== undefined);
  if (shapes.length !== 1) return fail(where.problem('steps', 'expected exactly one of "steps", "count" or "distinct"'));
  if (shapes[0] !== 'steps' && (entry['samePath'] !== undefined || entry['allowSameKind'] !== undefined)) {
    return fail(where.problem(entry['samePath'] !== undefined ? 'samePath' : 'allowSameKind', 'only allowed with "steps"'));
  }
  if (shapes[0] === 'count') {
    const count = parseCount(entry['count'], where);
    return count.ok ? ok({ ...base, count: count.value }) : count;
  }
  if (shapes[0] === 'distinct') {
    const distinct = parseDistinct(entry['distinct'], where);
    return distinct.ok ? ok({ ...base, distinct: distinct.value }) : distinct;
  }
  return parseStepsRule(entry, base, where);
}

function parseStepsRule(entry: Obj, base: SequenceRuleBase, where: Where): Result<SequenceRule> {
  const raw = entry['steps'];
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > MAX_STEPS) return fail(where.problem('steps', `expected an array of 2 to ${MAX_STEPS} steps`));
  const steps: SequenceStep[] = [];
  for (const [index, item] of (raw as unknown[]).entries()) {
    const step = parseStep(item, `steps[${index}]`, STEP_FIELDS, where);
    if (!step.ok) return step;
    steps.push(step.value);
  }
  const samePath = entry['samePath'];
  const allowSameKind = entry['allowSameKind'];
  if (samePath !== undefined && typeof samePath !== 'boolean') return fail(where.problem('samePath', 'expected true or false'));
  if (allowSameKind !== undefined && typeof allowSameKind !== 'boolean') return fail(where.problem('allowSameKind', 'expected true or false'));
  if (samePath === true && (steps.length !== 2 || (steps[0]!.kind !== 'read' && steps[0]!.kind !== 'write'))) {
    return fail(where.problem('samePath', 'needs exactly two steps, the first a "read" or "write" of the path'));
  }
  if (base.type === 'correlation' && allowSameKind !== true) {
    const kinds = steps.map((step) => step.kind).filter((kind) => kind !== 'any');
    if (new Set(kinds).size !== kinds.length) return fail(where.problem('allowSameKind', 'two steps share a kind; set "allowSameKind": true or change a kind'));
  }
  return ok({
    ...base,
    steps,
    ...(samePath !== undefined ? { samePath } : {}),
    ...(allowSameKind !== undefined ? { allowSameKind } : {}),
  });
}

function parseStep(raw: unknown, field: string, fields: ReadonlySet<string>, where: Where): Result<SequenceStep> {
  if (!isObject(raw)) return fail(where.problem(field, 'expected an object with "kind" and "target"'));
  const unknown = Object.keys(raw).find((key) => !fields.has(key));
  if (unknown !== undefined) return fail(where.problem(`${field}.${unknown}`, 'unknown field'));
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !(STEP_KINDS as readonly string[]).includes(kind)) return fail(where.problem(`${field}.kind`, `expected one of ${STEP_KINDS.join(', ')}`));
  const target = checkRegex(raw['target'], `${field}.target`, where);
  if (!target.ok) return target;
  const step: SequenceStep = { kind: kind as StepKind, target: target.value };
  if (raw['notTarget'] === undefined) return ok(step);
  const notTarget = checkRegex(raw['notTarget'], `${field}.notTarget`, where);
  return notTarget.ok ? ok({ ...step, notTarget: notTarget.value }) : notTarget;
}

function parseCount(raw: unknown, where: Where): Result<CountSpec> {
  const step = parseStep(raw, 'count', COUNT_FIELDS, where);
  if (!step.ok) return step;
  const minCount = (raw as Obj)['minCount'];
  if (!isInteger(minCount, 2, 10_000)) return fail(where.problem('count.minCount', 'expected an integer between 2 and 10000'));
  return ok({ ...step.value, minCount });
}

function parseDistinct(raw: unknown, where: Where): Result<DistinctSpec> {
  if (!isObject(raw)) return fail(where.problem('distinct', 'expected an object with "mitre" and "minDistinct"'));
  const unknown = Object.keys(raw).find((key) => !DISTINCT_FIELDS.has(key));
  if (unknown !== undefined) return fail(where.problem(`distinct.${unknown}`, 'unknown field'));
  const mitre = raw['mitre'];
  if (!Array.isArray(mitre) || mitre.length === 0 || !mitre.every((id) => typeof id === 'string' && TECHNIQUE.test(id))) {
    return fail(where.problem('distinct.mitre', 'expected a non-empty array of MITRE ids'));
  }
  const minDistinct = raw['minDistinct'];
  if (!isInteger(minDistinct, 1, mitre.length)) return fail(where.problem('distinct.minDistinct', `expected an integer between 1 and ${mitre.length}`));
  return ok({ mitre: mitre as string[], minDistinct });
}

function checkRegex(raw: unknown, field: string, where: Where): Result<string> {
  if (typeof raw !== 'string') return fail(where.problem(field, 'expected a regular expression string'));
  try {
    new RegExp(raw, 'i');
    return ok(raw);
  } catch (error) {
    return fail(where.problem(field, `invalid regular expression: ${(error as Error).message}`));
  }
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
