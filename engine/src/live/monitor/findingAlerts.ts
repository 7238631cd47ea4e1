/**
 * Turns new critical security findings (a kill chain or correlation the audit just found in OpenCode's storage)
 * into `security.critical` live notifications. Findings present when the engine starts are history, not news:
 * the first call only remembers them. Pure apart from the remembered ids.
 */
import type { LiveNotification, RowOf } from '../../../../shared/src/index.js';

export type FindingRow = Pick<RowOf<'security_findings'>, 'id' | 'name' | 'technique' | 'root_session_id' | 'score' | 'level' | 'last_at' | 'event_ids'>;

export interface FindingAlerts {
  /** The notifications for findings not seen before (none on the first call). */
  next(findings: readonly FindingRow[]): LiveNotification[];
}

/** Instance id of notifications that come from the audit of stored history rather than a live instance. */
export const AUDIT_SOURCE_ID = 'audit';

export function createFindingAlerts(): FindingAlerts {
  let seen: Set<string> | undefined;
  return {
    next(findings) {
      if (!seen) {
        seen = new Set(findings.map((f) => f.id));
        return [];
      }
      const fresh: LiveNotification[] = [];
      for (const f of findings) {
        if (seen.has(f.id)) continue;
        seen.add(f.id);
        if (f.level !== 'critical') continue;
        fresh.push({
          type: 'security.critical',
          instanceId: AUDIT_SOURCE_ID,
          sessionId: f.root_session_id,
          summary: `${f.name.replace(/_/g, ' ')} (${f.technique}), ${f.event_ids.split(',').length} steps`,
          risk: { score: f.score, level: 'critical', reasons: [`${f.name} kill chain or correlation`] },
          timeMs: f.last_at,
        });
      }
      return fresh;
    },
  };
}
