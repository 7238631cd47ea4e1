/**
 * Scores a file read, write or edit: path rules (case-insensitive regexes over the real path, so `Cookies`
 * and `Downloads/` match as intended) and, when the project directory is known, the scope verdict of
 * seed study §5.6. Pure path arithmetic (posix), no file-system access.
 */
import { posix } from 'node:path';
import type { RiskAssessment, ScopeVerdict } from '../types.js';
import type { RuleSet } from '../rules/types.js';
import { buildAssessment, NO_RISK, type RuleHit } from './assessment.js';

export type FileMode = 'read' | 'write';

const WRITE_BONUS = 10;
/** Pattern and scope agree on a serious risk: a little more certainty. */
const AGREEMENT_BONUS = 5;
const AGREEMENT_MIN = 50;

export interface ResolvedPath {
  /** Absolute when it could be resolved, otherwise normalised as given. */
  readonly absolute: string;
  /** What rules match: `absolute` with the home directory written as `~`. */
  readonly canonical: string;
  readonly isAbsolute: boolean;
}

function slashes(path: string): string {
  return /^[a-zA-Z]:\\/.test(path) || path.includes('\\') ? path.replace(/\\/g, '/') : path;
}

function expandHome(path: string, home: string | undefined): string {
  if (home === undefined || home === '') return path;
  if (path === '~' || path === '$HOME' || path === '${HOME}') return home;
  const m = /^(~|\$HOME|\$\{HOME\})\//.exec(path);
  return m === null ? path : home.replace(/\/+$/, '') + path.slice(m[1]!.length);
}

export function resolvePath(target: string, cwd?: string, home?: string): ResolvedPath {
  const raw = slashes(target.trim().replace(/^file:\/\//, ''));
  const expanded = expandHome(raw, home);
  const base = cwd === undefined ? undefined : expandHome(slashes(cwd), home);
  const isAbsolute = posix.isAbsolute(expanded) || base !== undefined;
  const absolute = posix.isAbsolute(expanded) ? posix.normalize(expanded) : base !== undefined ? posix.resolve(base, expanded) : posix.normalize(expanded);
  const h = home?.replace(/\/+$/, '');
  const canonical = h !== undefined && h !== '' && (absolute === h || absolute.startsWith(`${h}/`)) ? `~${absolute.slice(h.length)}` : absolute;
  return { absolute, canonical, isAbsolute };
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

interface ScopeResult {
  readonly verdict: ScopeVerdict;
  readonly score: number;
  readonly hit: RuleHit | null;
}

function scopeOf(rules: RuleSet, path: ResolvedPath, root: string, mode: FileMode): ScopeResult {
  const settings = rules.scopeSettings;
  if (isInside(path.absolute, root)) return { verdict: 'in_scope', score: 0, hit: null };
  let best: Record<'sensitive' | 'allowed' | 'suspicious', RuleHit | null> = { sensitive: null, allowed: null, suspicious: null };
  for (const rule of rules.scope) {
    if (!rule.path.test(path.canonical) || (rule.unless !== null && rule.unless.test(path.canonical))) continue;
    const current = best[rule.verdict];
    if (current === null || rule.score > current.score) {
      best = { ...best, [rule.verdict]: { id: rule.id, description: rule.description, mitre: rule.mitre, score: rule.score } };
    }
  }
  const withWrite = (hit: RuleHit, bonus: number) => Math.min(settings.cap, hit.score + (mode === 'write' ? bonus : 0));
  if (best.sensitive !== null) return { verdict: 'out_of_scope_sensitive', score: withWrite(best.sensitive, settings.writeBonusSensitive), hit: best.sensitive };
  if (best.allowed !== null) return { verdict: 'out_of_scope_allowed', score: 0, hit: best.allowed };
  if (best.suspicious !== null) return { verdict: 'out_of_scope_suspicious', score: withWrite(best.suspicious, settings.writeBonusSuspicious), hit: best.suspicious };
  return { verdict: 'out_of_scope_neutral', score: mode === 'write' ? settings.neutralWrite : settings.neutralRead, hit: null };
}

export function scoreFilePath(rules: RuleSet, target: string, mode: FileMode, cwd?: string, home?: string): RiskAssessment {
  if (target.trim() === '') return NO_RISK;
  const path = resolvePath(target, cwd, home);
  const root = cwd === undefined ? undefined : resolvePath(cwd, undefined, home).absolute;
  const scope = root === undefined ? undefined : scopeOf(rules, path, root, mode);
  const inScope = scope?.verdict === 'in_scope';
  const hits: RuleHit[] = [];
  let pattern = 0;
  for (const rule of rules.paths) {
    if (!rule.path.test(path.canonical) || (rule.unless !== null && rule.unless.test(path.canonical))) continue;
    const score = Math.max(0, rule.score + (inScope ? rule.inScopeAdd : 0));
    hits.push({ id: rule.id, description: rule.description, mitre: rule.mitre, score });
    pattern = Math.max(pattern, score);
  }
  const reasons: string[] = [];
  if (mode === 'write' && pattern > 0) {
    pattern += WRITE_BONUS;
    reasons.push(`WRITE: modifying, not only reading (+${WRITE_BONUS})`);
  }
  let score = pattern;
  const modifiers: RuleHit[] = [];
  if (scope !== undefined && scope.verdict !== 'in_scope') {
    const description = scope.hit === null ? `outside the project (${scope.verdict})` : `outside the project: ${scope.hit.description}`;
    if (scope.score > 0) modifiers.push({ id: scope.hit?.id ?? `scope-${scope.verdict.replace(/_/g, '-')}`, description, mitre: scope.hit?.mitre ?? [], score: scope.score });
    else if (scope.hit !== null) modifiers.push({ ...scope.hit, description, score: 0 });
    score = Math.max(pattern, scope.score) + (pattern >= AGREEMENT_MIN && scope.score >= AGREEMENT_MIN ? AGREEMENT_BONUS : 0);
  }
  if (score <= 0 && hits.length === 0 && modifiers.length === 0) return scope === undefined ? NO_RISK : { ...NO_RISK, scope: scope.verdict };
  return buildAssessment(score, hits.filter((h) => h.score > 0), modifiers, reasons, [], scope?.verdict);
}
