/**
 * Loads the built-in rule files that sit next to this module, merges the user's optional rule file over them
 * and compiles the result once. A broken user file never stops the audit: the built-in set comes back with
 * the problem, for the caller to log in one line.
 */
import { readFileSync } from 'node:fs';
import type { Problem } from '../../../../shared/src/index.js';
import { compileRuleSet } from './compile.js';
import { ruleProblem, validateSection, type SectionDef } from './validate.js';
import { RULE_SECTIONS, type RuleDefs, type RuleSection, type RuleSet, type ScopeSettingsDef } from './types.js';

/** `ok: true` may still carry problems (from the user file, whose rules were then left out). */
export type RuleSetResult =
  | { readonly ok: true; readonly value: RuleSet; readonly problems: readonly Problem[] }
  | { readonly ok: false; readonly problem: Problem };

type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const BUILT_IN_FILES: Readonly<Record<RuleSection, string>> = {
  commands: 'commands.json',
  safe: 'safe.json',
  paths: 'paths.json',
  urls: 'urls.json',
  scope: 'scope.json',
  mcp: 'mcp.json',
};

const SETTINGS_KEYS: readonly (keyof ScopeSettingsDef)[] = ['neutralRead', 'neutralWrite', 'writeBonusSensitive', 'writeBonusSuspicious', 'cap'];

function checkSettings(raw: unknown, file: string): Checked<ScopeSettingsDef> {
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  for (const key of SETTINGS_KEYS) {
    const value = obj[key];
    if (typeof value !== 'number' || value < 0 || value > 100) {
      return { ok: false, problem: ruleProblem(file, 'settings', key, 'must be a number from 0 to 100') };
    }
  }
  return { ok: true, value: obj as unknown as ScopeSettingsDef };
}

/** Validates the parsed built-in files (file name → JSON); pure, so tests can feed broken copies. */
export function validateBuiltIn(files: Readonly<Record<RuleSection, unknown>>): Checked<RuleDefs> {
  const seen = new Set<string>();
  const sections: Partial<Record<RuleSection, SectionDef[]>> = {};
  let settings: ScopeSettingsDef | undefined;
  for (const section of RULE_SECTIONS) {
    const file = BUILT_IN_FILES[section];
    const raw = files[section] as { rules?: unknown; settings?: unknown } | undefined;
    const checked = validateSection(raw?.rules, section, file, seen);
    if (!checked.ok) return checked;
    sections[section] = checked.value;
    if (section === 'scope') {
      const s = checkSettings(raw?.settings, file);
      if (!s.ok) return s;
      settings = s.value;
    }
  }
  return { ok: true, value: { ...(sections as unknown as Omit<RuleDefs, 'scopeSettings'>), scopeSettings: settings as ScopeSettingsDef } };
}

/**
 * Merges a user rule file `{commands?, safe?, paths?, urls?, scope?, mcp?}` (each an array in the built-in
 * format): a rule with a known id replaces it, `"disabled": true` removes it, new ids are added.
 */
export function mergeUserRules(defs: RuleDefs, raw: unknown, file: string): Checked<RuleDefs> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: ruleProblem(file, '-', '-', `must be an object with any of ${RULE_SECTIONS.join(', ')}`) };
  }
  const obj = raw as Record<string, unknown>;
  // `sequences` belongs to the same user file but is read by the sequence analyser (security/sequence/rules.ts).
  const unknownKey = Object.keys(obj).find((k) => !(RULE_SECTIONS as readonly string[]).includes(k) && k !== '$comment' && k !== 'sequences');
  if (unknownKey !== undefined) return { ok: false, problem: ruleProblem(file, '-', unknownKey, `unknown section (expected ${RULE_SECTIONS.join(', ')} or sequences)`) };
  const sectionOf = new Map<string, RuleSection>();
  for (const section of RULE_SECTIONS) for (const rule of defs[section]) sectionOf.set(rule.id, section);
  const merged = Object.fromEntries(RULE_SECTIONS.map((s) => [s, [...defs[s]] as SectionDef[]])) as Record<RuleSection, SectionDef[]>;
  const seen = new Set<string>();
  for (const section of RULE_SECTIONS) {
    if (obj[section] === undefined) continue;
    const checked = validateSection(obj[section], section, file, seen);
    if (!checked.ok) return checked;
    for (const rule of checked.value) {
      const existing = sectionOf.get(rule.id);
      if (existing !== undefined && existing !== section) {
        return { ok: false, problem: ruleProblem(file, rule.id, 'id', `already names a built-in rule in "${existing}", not "${section}"`) };
      }
      const list = merged[section];
      const at = list.findIndex((r) => r.id === rule.id);
      if (rule.disabled === true) {
        if (at < 0) return { ok: false, problem: ruleProblem(file, rule.id, 'disabled', 'no built-in rule has this id') };
        list.splice(at, 1);
      } else if (at >= 0) list[at] = rule;
      else list.push(rule);
    }
  }
  return { ok: true, value: { ...(merged as unknown as Omit<RuleDefs, 'scopeSettings'>), scopeSettings: defs.scopeSettings } };
}

function readJson(url: URL | string, file: string): Checked<unknown> {
  try {
    return { ok: true, value: JSON.parse(readFileSync(url, 'utf8')) as unknown };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, problem: ruleProblem(file, '-', '-', e instanceof SyntaxError ? `invalid JSON: ${e.message}` : `unreadable: ${e.code ?? e.message}`) };
  }
}

export function readBuiltInDefs(): Checked<RuleDefs> {
  const files: Partial<Record<RuleSection, unknown>> = {};
  for (const section of RULE_SECTIONS) {
    const name = BUILT_IN_FILES[section];
    const json = readJson(new URL(`./${name}`, import.meta.url), name);
    if (!json.ok) return json;
    files[section] = json.value;
  }
  return validateBuiltIn(files as Record<RuleSection, unknown>);
}

export interface LoadRuleSetOptions {
  /** Path of the user's rule file; a missing file means no user rules, any other failure is a problem. */
  readonly userRulesFile?: string;
}

export function loadRuleSet(options: LoadRuleSetOptions = {}): RuleSetResult {
  const builtIn = readBuiltInDefs();
  if (!builtIn.ok) return builtIn;
  const problems: Problem[] = [];
  let defs = builtIn.value;
  const file = options.userRulesFile;
  if (file !== undefined) {
    const json = readJson(file, file);
    const missing = !json.ok && json.problem.message.includes('ENOENT');
    if (!json.ok && !missing) problems.push(json.problem);
    if (json.ok) {
      const merged = mergeUserRules(defs, json.value, file);
      if (merged.ok) defs = merged.value;
      else problems.push({ ...merged.problem, message: `${merged.problem.message}; user rules ignored, built-in rules in use` });
    }
  }
  return { ok: true, value: compileRuleSet(defs), problems };
}
