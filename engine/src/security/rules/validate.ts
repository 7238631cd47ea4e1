/**
 * Validates rule JSON (built-in files and the user's file) into typed definitions. The first problem found
 * is returned as data naming the file, the rule id and the field, so a bad user file costs one log line.
 */
import type { Problem } from '../../../../shared/src/index.js';
import type { CommandOrigin } from '../shell/types.js';
import type {
  CommandMatchDef,
  CommandModifierDef,
  CommandRuleDef,
  McpRuleDef,
  PathMatchDef,
  PathRuleDef,
  RuleSection,
  ScopeRuleDef,
  UrlMatchDef,
  UrlRuleDef,
} from './types.js';

export type SectionDef = CommandRuleDef | CommandModifierDef | PathRuleDef | UrlRuleDef | ScopeRuleDef | McpRuleDef;

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MITRE_PATTERN = /^T\d{4}(?:\.\d{3})?$/;
const NAME_LIST_PATTERN = /^[^\s|*]+\*?(?:\|[^\s|*]+\*?)*$/;
const ORIGINS: ReadonlySet<CommandOrigin> = new Set<CommandOrigin>([
  'top', 'shell-c', 'substitution', 'process-substitution', 'eval', 'decoded', 'subshell',
]);
const MAX_ADD = 100;

/** Thrown only inside this module and turned into a Problem at its edge; never escapes. */
class RuleError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function ruleProblem(file: string, ruleId: string, field: string, message: string): Problem {
  return {
    code: 'security.invalid-rule',
    message: `rule "${ruleId}", field "${field}": ${message}`,
    source: file,
    detail: { file, ruleId, field },
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(obj: Json, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new RuleError(`${path}${key}`, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function str(obj: Json, key: string, path: string, required: boolean): string | undefined {
  const value = obj[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new RuleError(path + key, 'must be a non-empty string');
  return value;
}

function regex(obj: Json, key: string, path: string, flags: string, required = false): string | undefined {
  const source = str(obj, key, path, required);
  if (source === undefined) return undefined;
  try {
    new RegExp(source, flags);
  } catch (error) {
    throw new RuleError(path + key, `invalid regular expression: ${(error as Error).message}`);
  }
  return source;
}

function names(obj: Json, key: string, path: string): string | undefined {
  const value = str(obj, key, path, false);
  if (value !== undefined && !NAME_LIST_PATTERN.test(value)) {
    throw new RuleError(path + key, 'must be command names separated by "|" (a trailing "*" matches a prefix)');
  }
  return value;
}

function num(obj: Json, key: string, path: string, min: number, max: number, required: boolean): number | undefined {
  const value = obj[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RuleError(path + key, `must be a number from ${min} to ${max}`);
  }
  return value;
}

function bool(obj: Json, key: string, path: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new RuleError(path + key, 'must be true or false');
  return value;
}

function stringList(obj: Json, key: string, path: string): string[] | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new RuleError(path + key, 'must be an array of non-empty strings');
  }
  return value as string[];
}

function objectAt(obj: Json, key: string, path: string): Json {
  const value = obj[key];
  if (!isObject(value)) throw new RuleError(path + key, 'must be an object');
  return value;
}

const COMMAND_MATCH_KEYS = [
  'command', 'args', 'text', 'line', 'flags', 'pipedTo', 'pipedFrom', 'origin', 'prefix', 'redirectTo', 'nested',
  'readsFromProcessSubstitution', 'unless',
];

function commandMatch(obj: Json, path: string, flags: string): CommandMatchDef {
  checkKeys(obj, COMMAND_MATCH_KEYS, path);
  if (Object.keys(obj).length === 0) throw new RuleError(path.replace(/\.$/, ''), 'needs at least one condition');
  const origin = stringList(obj, 'origin', path);
  const bad = origin?.find((o) => !ORIGINS.has(o as CommandOrigin));
  if (bad !== undefined) throw new RuleError(`${path}origin`, `unknown origin "${bad}" (expected ${[...ORIGINS].join(', ')})`);
  const flagList = stringList(obj, 'flags', path);
  const rawUnless = obj['unless'];
  const unless = rawUnless === undefined
    ? undefined
    : Array.isArray(rawUnless)
      ? rawUnless.map((u: unknown, i: number) => {
          if (!isObject(u)) throw new RuleError(`${path}unless[${i}]`, 'must be an object');
          return commandMatch(u, `${path}unless[${i}].`, flags);
        })
      : commandMatch(objectAt(obj, 'unless', path), `${path}unless.`, flags);
  return {
    command: names(obj, 'command', path),
    args: regex(obj, 'args', path, flags),
    text: regex(obj, 'text', path, flags),
    line: regex(obj, 'line', path, flags),
    flags: flagList,
    pipedTo: names(obj, 'pipedTo', path),
    pipedFrom: names(obj, 'pipedFrom', path),
    origin: origin as CommandOrigin[] | undefined,
    prefix: names(obj, 'prefix', path),
    redirectTo: regex(obj, 'redirectTo', path, flags),
    nested: names(obj, 'nested', path),
    readsFromProcessSubstitution: bool(obj, 'readsFromProcessSubstitution', path),
    unless,
  };
}

function pathMatch(obj: Json, path: string, flags: string): PathMatchDef {
  checkKeys(obj, ['path', 'unless'], path);
  return { path: regex(obj, 'path', path, flags, true) as string, unless: regex(obj, 'unless', path, flags) };
}

function urlMatch(obj: Json, path: string, flags: string): UrlMatchDef {
  checkKeys(obj, ['host', 'path', 'ext', 'url', 'query', 'localHost'], path);
  if (Object.keys(obj).length === 0) throw new RuleError(path.replace(/\.$/, ''), 'needs at least one condition');
  return {
    host: regex(obj, 'host', path, flags),
    path: regex(obj, 'path', path, flags),
    ext: stringList(obj, 'ext', path)?.map((e) => e.toLowerCase().replace(/^\./, '')),
    url: regex(obj, 'url', path, flags),
    query: regex(obj, 'query', path, flags),
    localHost: bool(obj, 'localHost', path),
  };
}

const BASE_KEYS = ['id', 'description', 'mitre', 'disabled', 'caseSensitive'];
const SECTION_KEYS: Record<RuleSection, readonly string[]> = {
  commands: [...BASE_KEYS, 'score', 'match', 'adjust', 'structural'],
  safe: [...BASE_KEYS, 'modifier', 'match'],
  paths: [...BASE_KEYS, 'score', 'match', 'inScopeAdd'],
  urls: [...BASE_KEYS, 'score', 'modifier', 'match'],
  scope: [...BASE_KEYS, 'verdict', 'score', 'match'],
  mcp: [...BASE_KEYS, 'score', 'match', 'as', 'argument'],
};

function base(obj: Json, section: RuleSection) {
  checkKeys(obj, SECTION_KEYS[section], '');
  const disabled = bool(obj, 'disabled', '');
  const caseSensitive = bool(obj, 'caseSensitive', '');
  const mitre = stringList(obj, 'mitre', '') ?? [];
  const badMitre = mitre.find((m) => !MITRE_PATTERN.test(m));
  if (badMitre !== undefined) throw new RuleError('mitre', `"${badMitre}" is not a MITRE ATT&CK technique id like T1059 or T1059.004`);
  // A user rule that only disables a built-in needs nothing else.
  const description = disabled === true && obj['description'] === undefined ? '' : (str(obj, 'description', '', true) as string);
  return { id: obj['id'] as string, description, mitre, disabled, caseSensitive, flags: caseSensitive === true ? '' : 'i' };
}

function sectionRule(obj: Json, section: RuleSection): SectionDef {
  const b = base(obj, section);
  const { flags, ...common } = b;
  if (b.disabled === true && obj['match'] === undefined) return { ...common, score: 0, modifier: 0, match: {} } as unknown as SectionDef;
  switch (section) {
    case 'commands': {
      const adjustRaw = obj['adjust'];
      if (adjustRaw !== undefined && !Array.isArray(adjustRaw)) throw new RuleError('adjust', 'must be an array');
      const adjust = (adjustRaw ?? []).map((item: unknown, i: number) => {
        if (!isObject(item)) throw new RuleError(`adjust[${i}]`, 'must be an object {when, add}');
        checkKeys(item, ['when', 'add'], `adjust[${i}].`);
        return {
          when: commandMatch(objectAt(item, 'when', `adjust[${i}].`), `adjust[${i}].when.`, flags),
          add: num(item, 'add', `adjust[${i}].`, -MAX_ADD, MAX_ADD, true) as number,
        };
      });
      return {
        ...common,
        score: num(obj, 'score', '', 0, 100, true) as number,
        match: commandMatch(objectAt(obj, 'match', ''), 'match.', flags),
        adjust,
        structural: bool(obj, 'structural', ''),
      };
    }
    case 'safe':
      return { ...common, modifier: num(obj, 'modifier', '', -100, 100, true) as number, match: commandMatch(objectAt(obj, 'match', ''), 'match.', flags) };
    case 'paths':
      return {
        ...common,
        score: num(obj, 'score', '', 0, 100, true) as number,
        match: pathMatch(objectAt(obj, 'match', ''), 'match.', flags),
        inScopeAdd: num(obj, 'inScopeAdd', '', -100, 100, false),
      };
    case 'urls': {
      const score = num(obj, 'score', '', 0, 100, false);
      const modifier = num(obj, 'modifier', '', -100, 100, false);
      if ((score === undefined) === (modifier === undefined)) throw new RuleError('score', 'give exactly one of "score" and "modifier"');
      return { ...common, score, modifier, match: urlMatch(objectAt(obj, 'match', ''), 'match.', flags) };
    }
    case 'scope': {
      const verdict = obj['verdict'];
      if (verdict !== 'sensitive' && verdict !== 'allowed' && verdict !== 'suspicious') {
        throw new RuleError('verdict', 'must be "sensitive", "allowed" or "suspicious"');
      }
      return { ...common, verdict, score: num(obj, 'score', '', 0, 100, verdict !== 'allowed'), match: pathMatch(objectAt(obj, 'match', ''), 'match.', flags) };
    }
    case 'mcp': {
      const as = obj['as'];
      if (as !== undefined && as !== 'bash' && as !== 'read' && as !== 'write' && as !== 'webfetch') {
        throw new RuleError('as', 'must be "bash", "read", "write" or "webfetch"');
      }
      const match = objectAt(obj, 'match', '');
      checkKeys(match, ['tool'], 'match.');
      return {
        ...common,
        score: num(obj, 'score', '', 0, 100, false),
        match: { tool: regex(match, 'tool', 'match.', flags, true) as string },
        as,
        argument: stringList(obj, 'argument', ''),
      };
    }
  }
}

/** Validates one section's rule array; ids must be kebab-case and unique within `seen` (shared across files). */
export function validateSection(
  raw: unknown,
  section: RuleSection,
  file: string,
  seen: Set<string>,
): { ok: true; value: SectionDef[] } | { ok: false; problem: Problem } {
  if (!Array.isArray(raw)) return { ok: false, problem: ruleProblem(file, '-', section, 'must be an array of rules') };
  const out: SectionDef[] = [];
  for (const [index, item] of raw.entries()) {
    const id = isObject(item) && typeof item['id'] === 'string' ? item['id'] : `#${index}`;
    if (!isObject(item)) return { ok: false, problem: ruleProblem(file, id, section, 'each rule must be an object') };
    if (!ID_PATTERN.test(id)) return { ok: false, problem: ruleProblem(file, id, 'id', 'must be kebab-case (a-z, 0-9, "-")') };
    if (seen.has(id)) return { ok: false, problem: ruleProblem(file, id, 'id', 'duplicate id') };
    seen.add(id);
    try {
      out.push(sectionRule(item, section));
    } catch (error) {
      if (error instanceof RuleError) return { ok: false, problem: ruleProblem(file, id, error.field, error.message) };
      throw error;
    }
  }
  return { ok: true, value: out };
}

export { ruleProblem };
