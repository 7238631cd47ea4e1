import { describe, expect, it } from 'vitest';
import { createFindingAlerts, type FindingRow } from './findingAlerts.js';

const finding = (id: string, level: string, extra: Partial<FindingRow> = {}): FindingRow => ({
  id,
  name: 'credential_harvest',
  technique: 'T1552',
  root_session_id: 'ses_r',
  score: level === 'critical' ? 95 : 60,
  level,
  last_at: 1_800_000_000_000,
  event_ids: 'a,b',
  ...extra,
});

describe('critical finding alerts', () => {
  it('treats what exists at start as history, then announces each new critical finding once', () => {
    const alerts = createFindingAlerts();
    expect(alerts.next([finding('old', 'critical')])).toEqual([]);
    const fresh = alerts.next([finding('old', 'critical'), finding('new', 'critical'), finding('minor', 'high')]);
    expect(fresh).toEqual([
      {
        type: 'security.critical',
        instanceId: 'audit',
        sessionId: 'ses_r',
        summary: 'credential harvest (T1552), 2 steps',
        risk: { score: 95, level: 'critical', reasons: ['credential_harvest kill chain or correlation'] },
        timeMs: 1_800_000_000_000,
      },
    ]);
    expect(alerts.next([finding('old', 'critical'), finding('new', 'critical')])).toEqual([]);
  });
});
