/**
 * Turns validated rule definitions into the RuleSet the scorer runs: every regex built once, command rules
 * bucketed by command name so that scoring a typical command touches a handful of rules, and one union regex
 * in front of the name-less rules so most commands skip them after a single test.
 */
import type {
  CommandIndex,
  CommandMatchDef,
  CommandModifierDef,
  CommandRuleDef,
  CompiledCommandMatch,
  CompiledCommandRule,
  NameSet,
  RuleDefs,
  RuleSet,
} from './types.js';

export function compileNames(list: string): NameSet {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of list.toLowerCase().split('|')) {
    if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  return { exact, prefixes };
}

export function hasName(set: NameSet, name: string): boolean {
  if (set.exact.has(name)) return true;
  for (const prefix of set.prefixes) if (name.startsWith(prefix)) return true;
  return false;
}

function re(source: string | undefined, flags: string): RegExp | undefined {
  return source === undefined ? undefined : new RegExp(source, flags);
}

export function compileCommandMatch(def: CommandMatchDef, flags: string): CompiledCommandMatch {
  return {
    names: def.command === undefined ? undefined : compileNames(def.command),
    args: re(def.args, flags),
    text: re(def.text, flags),
    line: re(def.line, flags),
    flags: def.flags?.map((f) => f.split('|')),
    pipedTo: def.pipedTo === undefined ? undefined : compileNames(def.pipedTo),
    pipedFrom: def.pipedFrom === undefined ? undefined : compileNames(def.pipedFrom),
    origin: def.origin === undefined ? undefined : new Set(def.origin),
    prefix: def.prefix === undefined ? undefined : compileNames(def.prefix),
    redirectTo: re(def.redirectTo, flags),
    nested: def.nested === undefined ? undefined : compileNames(def.nested),
    readsFromProcessSubstitution: def.readsFromProcessSubstitution,
    unless: def.unless === undefined ? undefined : (Array.isArray(def.unless) ? def.unless : [def.unless]).map((u: CommandMatchDef) => compileCommandMatch(u, flags)),
  };
}

function compileCommandRule(def: CommandRuleDef | CommandModifierDef): CompiledCommandRule {
  const flags = def.caseSensitive === true ? '' : 'i';
  const isDanger = 'score' in def;
  return {
    id: def.id,
    description: def.description,
    mitre: def.mitre,
    score: isDanger ? def.score : def.modifier,
    structural: isDanger ? def.structural === true : false,
    match: compileCommandMatch(def.match, flags),
    adjust: isDanger ? (def.adjust ?? []).map((a) => ({ when: compileCommandMatch(a.when, flags), add: a.add })) : [],
  };
}

/** True when a rule can only match through its `line` regex (nothing about the command itself). */
function isLineOnly(m: CompiledCommandMatch): boolean {
  return (
    m.line !== undefined && m.names === undefined && m.args === undefined && m.text === undefined &&
    m.flags === undefined && m.pipedTo === undefined && m.pipedFrom === undefined && m.origin === undefined &&
    m.prefix === undefined && m.redirectTo === undefined && m.nested === undefined &&
    m.readsFromProcessSubstitution === undefined
  );
}

/** Name-less rules whose only regex gate is `text` can share the union pre-filter. */
function needsText(m: CompiledCommandMatch): boolean {
  return m.text !== undefined && m.prefix === undefined && m.origin === undefined && m.redirectTo === undefined;
}

export function buildIndex(rules: readonly CompiledCommandRule[]): CommandIndex {
  const byName = new Map<string, CompiledCommandRule[]>();
  const byPrefix = new Map<string, CompiledCommandRule[]>();
  const gated: CompiledCommandRule[] = [];
  const ungated: CompiledCommandRule[] = [];
  const lineOnly: CompiledCommandRule[] = [];
  const textSources: string[] = [];
  let textFlags = 'i';
  for (const rule of rules) {
    const names = rule.match.names;
    if (isLineOnly(rule.match)) lineOnly.push(rule);
    else if (names === undefined) {
      if (needsText(rule.match) && rule.match.text !== undefined) {
        gated.push(rule);
        textSources.push(rule.match.text.source);
        if (!rule.match.text.flags.includes('i')) textFlags = '';
      } else ungated.push(rule);
    } else {
      for (const name of names.exact) byName.set(name, [...(byName.get(name) ?? []), rule]);
      for (const prefix of names.prefixes) byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), rule]);
    }
  }
  return {
    byName,
    byPrefix: [...byPrefix].map(([prefix, list]) => ({ prefix, rules: list })),
    gated,
    ungated,
    // A case-sensitive member would be wrongly widened by an `i` union: then there is no filter (null) rather than a wrong one.
    gateFilter: textSources.length === 0 || textFlags === '' ? null : new RegExp(textSources.map((s) => `(?:${s})`).join('|'), 'i'),
    lineOnly,
  };
}

export function compileRuleSet(defs: RuleDefs): RuleSet {
  const flagsOf = (d: { caseSensitive?: boolean }) => (d.caseSensitive === true ? '' : 'i');
  return {
    commands: buildIndex(defs.commands.map(compileCommandRule)),
    safe: buildIndex(defs.safe.map(compileCommandRule)),
    paths: defs.paths.map((d) => ({
      id: d.id, description: d.description, mitre: d.mitre, score: d.score,
      path: new RegExp(d.match.path, flagsOf(d)),
      unless: d.match.unless === undefined ? null : new RegExp(d.match.unless, flagsOf(d)),
      inScopeAdd: d.inScopeAdd ?? 0,
    })),
    urls: defs.urls.map((d) => ({
      id: d.id, description: d.description, mitre: d.mitre,
      score: d.score ?? d.modifier ?? 0,
      isModifier: d.score === undefined,
      host: d.match.host === undefined ? null : new RegExp(d.match.host, flagsOf(d)),
      path: d.match.path === undefined ? null : new RegExp(d.match.path, flagsOf(d)),
      ext: d.match.ext ?? null,
      url: d.match.url === undefined ? null : new RegExp(d.match.url, flagsOf(d)),
      query: d.match.query === undefined ? null : new RegExp(d.match.query, flagsOf(d)),
      localHost: d.match.localHost ?? null,
    })),
    scope: defs.scope.map((d) => ({
      id: d.id, description: d.description, mitre: d.mitre, verdict: d.verdict, score: d.score ?? 0,
      path: new RegExp(d.match.path, flagsOf(d)),
      unless: d.match.unless === undefined ? null : new RegExp(d.match.unless, flagsOf(d)),
    })),
    scopeSettings: defs.scopeSettings,
    mcp: defs.mcp.map((d) => ({
      id: d.id, description: d.description, mitre: d.mitre, score: d.score ?? 0,
      tool: new RegExp(d.match.tool, flagsOf(d)),
      as: d.as ?? null,
      argument: d.argument ?? [],
    })),
    counts: {
      commands: defs.commands.length, safe: defs.safe.length, paths: defs.paths.length,
      urls: defs.urls.length, scope: defs.scope.length, mcp: defs.mcp.length,
    },
  };
}
