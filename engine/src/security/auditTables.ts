/**
 * The two security tables from the scored tool calls: `security_events` (each audited action with the bonuses of
 * the chains and correlations it belongs to) and `security_findings`. Pure: recomputed whole on every derive,
 * so a chain completed by a live event updates the earlier steps' rows too.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { finalScore, analyzeSequences } from './sequence/analyze.js';
import type { SequenceRuleSet } from './sequence/rules.js';
import type { ActionKind, AuditEvent } from './types.js';

/** A tool call as the worker scored it (argument already redacted). */
export interface ScoredCall {
  readonly id: string;
  readonly sessionId: string;
  readonly rootSessionId: string;
  readonly projectId: string | null;
  readonly kind: ActionKind;
  readonly tool: string;
  readonly target: string | null;
  readonly score: number;
  readonly reasons: string | null;
  readonly mitre: readonly string[];
  readonly scope: string | null;
  readonly status: string;
  readonly atMs: number;
}

export interface SecurityTables {
  readonly events: RowOf<'security_events'>[];
  readonly findings: RowOf<'security_findings'>[];
}

const joinOrNull = (values: readonly string[]): string | null => (values.length > 0 ? values.join(',') : null);

export function buildSecurityTables(calls: readonly ScoredCall[], rules: SequenceRuleSet): SecurityTables {
  const auditEvents: AuditEvent[] = calls.map((c) => ({
    id: c.id,
    sessionId: c.sessionId,
    rootSessionId: c.rootSessionId,
    projectId: c.projectId,
    timeMs: c.atMs,
    kind: c.kind,
    target: c.target ?? '',
    score: c.score,
    mitre: c.mitre,
  }));
  const { findings, bonuses } = analyzeSequences(auditEvents, rules);
  const events = calls.map((c): RowOf<'security_events'> => {
    const bonus = bonuses.get(c.id);
    const final = finalScore(c, bonus);
    const mitre = bonus ? [...new Set([...c.mitre, ...bonus.mitre])].sort() : c.mitre;
    return {
      id: c.id,
      session_id: c.sessionId,
      root_session_id: c.rootSessionId,
      project_id: c.projectId,
      kind: c.kind,
      tool: c.tool,
      target: c.target,
      base_score: c.score,
      sequence_bonus: bonus?.sequenceBonus ?? 0,
      correlation_bonus: bonus?.correlationBonus ?? 0,
      score: final.score,
      level: final.level,
      reasons: c.reasons,
      mitre: joinOrNull(mitre),
      scope: c.scope,
      finding_ids: joinOrNull(bonus?.findingIds ?? []),
      status: c.status,
      at: c.atMs,
    };
  });
  return {
    events,
    findings: findings.map((f) => ({
      id: f.id,
      type: f.type,
      name: f.name,
      technique: f.technique,
      event_ids: f.eventIds.join(','),
      session_ids: f.sessionIds.join(','),
      root_session_id: f.rootSessionId,
      cross_session: f.crossSession,
      first_at: f.firstTimeMs,
      last_at: f.lastTimeMs,
      bonus: f.bonus,
      score: f.score,
      level: f.level,
    })),
  };
}
