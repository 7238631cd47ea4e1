/**
 * The `audit` command's report from the security tables: counts by level, the findings, and the riskiest events
 * since a point in time. Pure; targets are already redacted in the tables.
 */
import type { RowOf } from '../../../shared/src/index.js';
import { RISK_LEVELS, type RiskLevel } from './types.js';

export interface AuditFindingSummary {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly technique: string;
  readonly sessionIds: string[];
  readonly eventIds: string[];
  readonly rootSessionId: string;
  readonly crossSession: boolean;
  readonly score: number;
  readonly level: string;
  readonly firstAt: string;
  readonly lastAt: string;
}

export interface AuditTopEvent {
  readonly id: string;
  readonly sessionId: string;
  readonly rootSessionId: string;
  readonly kind: string;
  readonly tool: string;
  readonly target: string | null;
  readonly score: number;
  readonly level: string;
  readonly baseScore: number;
  readonly sequenceBonus: number;
  readonly correlationBonus: number;
  readonly mitre: string[];
  readonly reasons: string[];
  readonly scope: string | null;
  readonly at: string;
}

export interface AuditReport {
  readonly since: string | null;
  readonly events: Record<RiskLevel, number>;
  readonly findings: AuditFindingSummary[];
  readonly top: AuditTopEvent[];
}

const list = (text: string | null): string[] => (text ? text.split(',').filter(Boolean) : []);
const iso = (ms: number) => new Date(ms).toISOString();

export function auditReport(
  events: readonly RowOf<'security_events'>[],
  findings: readonly RowOf<'security_findings'>[],
  options: { readonly sinceMs?: number; readonly top?: number } = {},
): AuditReport {
  const since = options.sinceMs ?? -Infinity;
  const counts = Object.fromEntries(RISK_LEVELS.map((l) => [l, 0])) as Record<RiskLevel, number>;
  const recent = events.filter((e) => e.at >= since);
  for (const e of recent) counts[e.level as RiskLevel] = (counts[e.level as RiskLevel] ?? 0) + 1;
  const top = recent
    .filter((e) => e.score > 0)
    .sort((a, b) => b.score - a.score || b.at - a.at || (a.id < b.id ? -1 : 1))
    .slice(0, options.top ?? 20)
    .map((e) => ({
      id: e.id,
      sessionId: e.session_id,
      rootSessionId: e.root_session_id,
      kind: e.kind,
      tool: e.tool,
      target: e.target,
      score: e.score,
      level: e.level,
      baseScore: e.base_score,
      sequenceBonus: e.sequence_bonus,
      correlationBonus: e.correlation_bonus,
      mitre: list(e.mitre),
      reasons: e.reasons ? e.reasons.split('; ') : [],
      scope: e.scope,
      at: iso(e.at),
    }));
  return {
    since: Number.isFinite(since) ? iso(since) : null,
    events: counts,
    findings: findings
      .filter((f) => f.last_at >= since)
      .sort((a, b) => b.score - a.score || b.last_at - a.last_at || (a.id < b.id ? -1 : 1))
      .map((f) => ({
        id: f.id,
        type: f.type,
        name: f.name,
        technique: f.technique,
        sessionIds: list(f.session_ids),
        eventIds: list(f.event_ids),
        rootSessionId: f.root_session_id,
        crossSession: f.cross_session,
        score: f.score,
        level: f.level,
        firstAt: iso(f.first_at),
        lastAt: iso(f.last_at),
      })),
    top,
  };
}

/** `7d`, `24h`, `30m`, `2w` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
