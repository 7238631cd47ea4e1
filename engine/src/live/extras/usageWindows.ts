/**
 * The Claude subscription usage the seed showed in its menu: utilisation of the 5-hour and the 7-day window and
 * when each resets. Pure parsing of the usage endpoint's JSON into plain data for the tray and dashboard.
 */
import type { Result } from '../../../../shared/src/index.js';

export interface UsageWindow {
  /** Whole percent used, truncated as the seed did (45.9 → 45). */
  readonly utilizationPercent: number;
  /** Epoch ms when the window resets, or null when the API gave none (a window that has not started). */
  readonly resetsAtMs: number | null;
}

export interface ClaudeUsage {
  readonly fiveHour: UsageWindow | null;
  readonly sevenDay: UsageWindow | null;
  /** Epoch ms of the answer this was read from; cached values keep the time of their fetch. */
  readonly fetchedAtMs: number;
}

/** The seed's title colours by 5-hour utilisation: ≥90 red, ≥70 orange, ≥50 yellow, else green. */
export type UsageLevel = 'green' | 'yellow' | 'orange' | 'red';

export function usageLevel(utilizationPercent: number): UsageLevel {
  if (utilizationPercent >= 90) return 'red';
  if (utilizationPercent >= 70) return 'orange';
  if (utilizationPercent >= 50) return 'yellow';
  return 'green';
}

function parseWindow(raw: unknown): UsageWindow | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { utilization, resets_at: resetsAt } = raw as { utilization?: unknown; resets_at?: unknown };
  if (typeof utilization !== 'number' || !Number.isFinite(utilization)) return null;
  const resetsAtMs = typeof resetsAt === 'string' ? Date.parse(resetsAt) : Number.NaN;
  return {
    utilizationPercent: Math.max(0, Math.trunc(utilization)),
    resetsAtMs: Number.isFinite(resetsAtMs) ? resetsAtMs : null,
  };
}

/** `{five_hour: {utilization, resets_at}, seven_day: {…}}`; other fields of the answer are ignored. */
export function parseUsageBody(body: unknown, fetchedAtMs: number): Result<ClaudeUsage> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: { code: 'live.bad-response', message: 'the usage endpoint answered with something that is not a JSON object' } };
  }
  const doc = body as { five_hour?: unknown; seven_day?: unknown };
  const fiveHour = parseWindow(doc.five_hour);
  const sevenDay = parseWindow(doc.seven_day);
  if (fiveHour === null && sevenDay === null) {
    return { ok: false, problem: { code: 'live.bad-response', message: 'usage unavailable: the answer had neither a 5-hour nor a 7-day window' } };
  }
  return { ok: true, value: { fiveHour, sevenDay, fetchedAtMs } };
}
