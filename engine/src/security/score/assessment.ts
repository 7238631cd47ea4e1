/**
 * Builds RiskAssessment values: the final score is clamped and the level is always recomputed from it
 * (seed study §9.4: the old monitor kept a stale level after bonuses).
 */
import { clampScore, levelForScore, type RiskAssessment, type ScopeVerdict } from '../types.js';

/** A rule that matched, with the score it contributed (adjusted score or modifier). */
export interface RuleHit {
  readonly id: string;
  readonly description: string;
  readonly mitre: readonly string[];
  readonly score: number;
}

export const NO_RISK: RiskAssessment = Object.freeze({ score: 0, level: 'low', reasons: [], mitre: [], ruleIds: [] });

export function buildAssessment(
  score: number,
  dangers: readonly RuleHit[],
  modifiers: readonly RuleHit[],
  extraReasons: readonly string[] = [],
  extraMitre: readonly string[] = [],
  scope?: ScopeVerdict,
): RiskAssessment {
  const final = clampScore(score);
  const ordered = [...dangers].sort((a, b) => b.score - a.score);
  const reasons: string[] = [];
  const ruleIds: string[] = [];
  const mitre = new Set<string>(extraMitre);
  for (const hit of ordered) {
    if (!ruleIds.includes(hit.id)) {
      ruleIds.push(hit.id);
      reasons.push(hit.description);
      for (const m of hit.mitre) mitre.add(m);
    }
  }
  reasons.push(...extraReasons);
  for (const hit of modifiers) {
    if (ruleIds.includes(hit.id)) continue;
    ruleIds.push(hit.id);
    reasons.push(`${hit.score > 0 ? '+' : ''}${hit.score}: ${hit.description}`);
    for (const m of hit.mitre) mitre.add(m);
  }
  const base = { score: final, level: levelForScore(final), reasons, mitre: [...mitre].sort(), ruleIds };
  return scope === undefined ? base : { ...base, scope };
}
