/**
 * The vocabulary of the security audit, shared by the shell parser, the rule scorer, the sequence
 * analyser (kill chains, correlations) and the tables built from them. Pure types and one pure helper.
 */

/** Level bands of the 0–100 risk score (seed study §5.2). The level is always recomputed from the final score. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

export function levelForScore(score: number): RiskLevel {
  if (score >= 80) return 'critical';
  if (score >= 50) return 'high';
  if (score >= 20) return 'medium';
  return 'low';
}

export function clampScore(score: number): number {
  return Math.max(0, Math.min(100, Math.round(score)));
}

/**
 * What an audited action is. `edit` covers edit/patch/multiedit; `mcp` is any MCP or unknown tool scored by
 * its name and arguments (target = `<tool> <json args>`).
 */
export type ActionKind = 'bash' | 'read' | 'write' | 'edit' | 'webfetch' | 'mcp';

export const ACTION_KINDS: readonly ActionKind[] = ['bash', 'read', 'write', 'edit', 'webfetch', 'mcp'];

/** Where a file path lies relative to the session's project (seed study §5.6). */
export type ScopeVerdict =
  | 'in_scope'
  | 'out_of_scope_sensitive'
  | 'out_of_scope_allowed'
  | 'out_of_scope_suspicious'
  | 'out_of_scope_neutral';

/** One action to score: the tool's kind and its main argument (command, file path, URL). */
export interface ActionInput {
  readonly kind: ActionKind;
  readonly target: string;
  /** The session's project directory; relative paths resolve against it and scope is judged from it. */
  readonly cwd?: string;
  /** The user's home directory, for `~` expansion and `~/.ssh`-style rules. Defaults to none (no expansion). */
  readonly home?: string;
  /** For `mcp`: the tool's name as OpenCode recorded it. */
  readonly tool?: string;
}

/** The score of one action on its own, before any sequence or correlation bonus. */
export interface RiskAssessment {
  readonly score: number;
  readonly level: RiskLevel;
  /** Human reasons, most important first; never contain a raw secret. */
  readonly reasons: readonly string[];
  /** MITRE ATT&CK technique ids, e.g. `T1059.004`, de-duplicated, sorted. */
  readonly mitre: readonly string[];
  /** Ids of the rules that matched (dangerous, safe, path, url, scope), for explanations and tests. */
  readonly ruleIds: readonly string[];
  /** Only for read/write/edit with a cwd. */
  readonly scope?: ScopeVerdict;
}

/** One scored action in time, the unit the sequence analyser works on. */
export interface AuditEvent {
  readonly id: string;
  readonly sessionId: string;
  /** The root of the session's sub-agent tree: chains are evaluated per root, children merged in. */
  readonly rootSessionId: string;
  /** For the cross-session pass (same project, within the chain window). */
  readonly projectId: string | null;
  /** Event time in ms since the epoch. */
  readonly timeMs: number;
  readonly kind: ActionKind;
  /** The raw target (path, URL, command); the analyser matches on it but never emits it. */
  readonly target: string;
  readonly score: number;
  /** Techniques of the action on its own (from RiskAssessment.mitre); discovery bursts are found by these. */
  readonly mitre: readonly string[];
}

export type FindingType = 'kill_chain' | 'correlation';

/** One kill chain or correlation that fired: the events it is made of and what it means. */
export interface SecurityFinding {
  /** Stable id derived from the rule and member event ids, so re-deriving yields the same id. */
  readonly id: string;
  readonly type: FindingType;
  /** Rule name, e.g. `credential_harvest`, `exfiltration_read_webfetch`, `mass_deletion`. */
  readonly name: string;
  readonly technique: string;
  readonly eventIds: readonly string[];
  readonly sessionIds: readonly string[];
  readonly rootSessionId: string;
  /** True when the member events span more than one root session (the cross-session pass). */
  readonly crossSession: boolean;
  readonly firstTimeMs: number;
  readonly lastTimeMs: number;
  /** The bonus this finding adds to its member events' scores. */
  readonly bonus: number;
  /** Final score of the finding: max member score + bonus, clamped. */
  readonly score: number;
  readonly level: RiskLevel;
}

/** Bonus an event receives from the findings it belongs to. */
export interface EventBonus {
  readonly sequenceBonus: number;
  readonly correlationBonus: number;
  readonly mitre: readonly string[];
  readonly findingIds: readonly string[];
}
