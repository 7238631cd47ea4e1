/**
 * The shapes of the security rules: what the JSON files hold (`*Def`, validated at load) and what the scorer
 * runs (`Compiled*`, regexes built once, command rules indexed by command name). Pure types.
 */
import type { CommandOrigin } from '../shell/types.js';

/**
 * Conditions on one simple command of a parsed line; every key given must hold. Names are `|`-separated
 * lower-case command names, a trailing `*` matches a prefix (`python*`, `mkfs*`). Regexes are
 * case-insensitive unless the rule sets `caseSensitive`.
 */
export interface CommandMatchDef {
  /** Command names (SimpleCommand.name); the index key that keeps scoring cheap. */
  readonly command?: string;
  /** Regex over the arguments after the command name, joined by single spaces. */
  readonly args?: string;
  /** Regex over SimpleCommand.text (name, arguments, redirects). */
  readonly text?: string;
  /** Regex over the whole raw line; checked once per line, so use it only for what parsing cannot see. */
  readonly line?: string;
  /** Each entry is `|`-separated spellings of one flag (`"r|R|recursive"`); all entries must be present. */
  readonly flags?: readonly string[];
  /** A later command of the same pipeline has one of these names (`curl x | tee f | sh`). */
  readonly pipedTo?: string;
  /** An earlier command of the same pipeline has one of these names. */
  readonly pipedFrom?: string;
  /** The command was reached through one of these layers. */
  readonly origin?: readonly CommandOrigin[];
  /** A wrapper in front of the command (`sudo`, `doas`, …). */
  readonly prefix?: string;
  /** Regex over the targets of output redirects (`>`, `>>`, `&>`, …). */
  readonly redirectTo?: string;
  /** A deeper `$(…)`, backtick or `<(…)` command of the line has one of these names (`bash -c "$(curl …)"`). */
  readonly nested?: string;
  /** An argument or redirect of this command is a process substitution `<(…)`. */
  readonly readsFromProcessSubstitution?: boolean;
  /** The rule does not match when this nested condition (or any of these) holds. */
  readonly unless?: CommandMatchDef | readonly CommandMatchDef[];
}

export interface AdjustDef<M> {
  readonly when: M;
  readonly add: number;
}

interface RuleBaseDef {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  /** Only meaningful in a user file: switches off the built-in rule with the same id. */
  readonly disabled?: boolean;
  readonly caseSensitive?: boolean;
}

/** A dangerous command pattern (commands.json). */
export interface CommandRuleDef extends RuleBaseDef {
  readonly score: number;
  readonly match: CommandMatchDef;
  readonly adjust?: readonly AdjustDef<CommandMatchDef>[];
  /** The danger lies in the structure (pipe to a shell, decoded payload, …): safe modifiers cannot lower it. */
  readonly structural?: boolean;
}

/** A score modifier (safe.json, and URL modifiers in urls.json): added when the action already scores > 0. */
export interface CommandModifierDef extends RuleBaseDef {
  readonly modifier: number;
  readonly match: CommandMatchDef;
}

export interface PathMatchDef {
  /** Regex over the canonical path: absolute, `~/…` when under the home directory. */
  readonly path: string;
  readonly unless?: string;
}

export interface PathRuleDef extends RuleBaseDef {
  readonly score: number;
  readonly match: PathMatchDef;
  /** Added when the path lies inside the project (scope in_scope): ordinary project files are the agent's job. */
  readonly inScopeAdd?: number;
}

export interface UrlMatchDef {
  /** Regex over the host name. */
  readonly host?: string;
  /** Regex over the path (no query string). */
  readonly path?: string;
  /** Extensions of the path's last segment, without the dot (`sh`, `tar.gz`). */
  readonly ext?: readonly string[];
  /** Regex over the whole URL as given. */
  readonly url?: string;
  /** Regex over the query string (without `?`). */
  readonly query?: string;
  /** The host is loopback, private, link-local or unspecified. */
  readonly localHost?: boolean;
}

export interface UrlRuleDef extends RuleBaseDef {
  readonly score?: number;
  readonly modifier?: number;
  readonly match: UrlMatchDef;
}

export type ScopeKind = 'sensitive' | 'allowed' | 'suspicious';

export interface ScopeRuleDef extends RuleBaseDef {
  readonly verdict: ScopeKind;
  readonly score?: number;
  readonly match: PathMatchDef;
}

export interface ScopeSettingsDef {
  readonly neutralRead: number;
  readonly neutralWrite: number;
  readonly writeBonusSensitive: number;
  readonly writeBonusSuspicious: number;
  readonly cap: number;
}

/** How an MCP (or unknown) tool is scored: as which kind of action, from which argument. */
export interface McpRuleDef extends RuleBaseDef {
  readonly score?: number;
  readonly match: { readonly tool: string };
  readonly as?: 'bash' | 'read' | 'write' | 'webfetch';
  /** Argument names holding the command, path or URL, first present wins. */
  readonly argument?: readonly string[];
}

/** Everything the rule files define, validated but not yet compiled. */
export interface RuleDefs {
  readonly commands: readonly CommandRuleDef[];
  readonly safe: readonly CommandModifierDef[];
  readonly paths: readonly PathRuleDef[];
  readonly urls: readonly UrlRuleDef[];
  readonly scope: readonly ScopeRuleDef[];
  readonly scopeSettings: ScopeSettingsDef;
  readonly mcp: readonly McpRuleDef[];
}

export type RuleSection = 'commands' | 'safe' | 'paths' | 'urls' | 'scope' | 'mcp';
export const RULE_SECTIONS: readonly RuleSection[] = ['commands', 'safe', 'paths', 'urls', 'scope', 'mcp'];

/** A compiled set of command names: exact names plus prefixes from `name*`. */
export interface NameSet {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export interface CompiledCommandMatch {
  readonly names?: NameSet;
  readonly args?: RegExp;
  readonly text?: RegExp;
  readonly line?: RegExp;
  readonly flags?: readonly (readonly string[])[];
  readonly pipedTo?: NameSet;
  readonly pipedFrom?: NameSet;
  readonly origin?: ReadonlySet<CommandOrigin>;
  readonly prefix?: NameSet;
  readonly redirectTo?: RegExp;
  readonly nested?: NameSet;
  readonly readsFromProcessSubstitution?: boolean;
  readonly unless?: readonly CompiledCommandMatch[];
}

export interface CompiledCommandRule {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  /** Base score for dangerous rules, modifier for safe rules. */
  readonly score: number;
  readonly structural: boolean;
  readonly match: CompiledCommandMatch;
  readonly adjust: readonly { readonly when: CompiledCommandMatch; readonly add: number }[];
}

/** Command rules bucketed so a command only meets the rules that can apply to it. */
export interface CommandIndex {
  readonly byName: ReadonlyMap<string, readonly CompiledCommandRule[]>;
  readonly byPrefix: readonly { readonly prefix: string; readonly rules: readonly CompiledCommandRule[] }[];
  /** Rules without a command name whose `text` regex must match: tried only when `gateFilter` matches. */
  readonly gated: readonly CompiledCommandRule[];
  /** Union of the gated rules' `text` regexes (null: test every gated rule). */
  readonly gateFilter: RegExp | null;
  /** Other rules without a command name, tried on every command (prefix, origin, redirect conditions). */
  readonly ungated: readonly CompiledCommandRule[];
  /** Rules with only a `line` condition, tried once per line. */
  readonly lineOnly: readonly CompiledCommandRule[];
}

export interface CompiledPathRule {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  readonly score: number;
  readonly path: RegExp;
  readonly unless: RegExp | null;
  readonly inScopeAdd: number;
}

export interface CompiledUrlRule {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  /** Score for a danger rule; modifier when `isModifier`. */
  readonly score: number;
  readonly isModifier: boolean;
  readonly host: RegExp | null;
  readonly path: RegExp | null;
  readonly ext: readonly string[] | null;
  readonly url: RegExp | null;
  readonly query: RegExp | null;
  readonly localHost: boolean | null;
}

export interface CompiledScopeRule {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  readonly verdict: ScopeKind;
  readonly score: number;
  readonly path: RegExp;
  readonly unless: RegExp | null;
}

export interface CompiledMcpRule {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  readonly score: number;
  readonly tool: RegExp;
  readonly as: 'bash' | 'read' | 'write' | 'webfetch' | null;
  readonly argument: readonly string[];
}

/** Everything the scorer needs, compiled once. */
export interface RuleSet {
  readonly commands: CommandIndex;
  readonly safe: CommandIndex;
  readonly paths: readonly CompiledPathRule[];
  readonly urls: readonly CompiledUrlRule[];
  readonly scope: readonly CompiledScopeRule[];
  readonly scopeSettings: ScopeSettingsDef;
  readonly mcp: readonly CompiledMcpRule[];
  /** Number of enabled rules per section, for logs and docs. */
  readonly counts: Readonly<Record<RuleSection, number>>;
}
