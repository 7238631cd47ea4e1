/**
 * The sequence analyser: kill chains, correlations and bursts over audited events, as a pure function.
 *
 * 1. Per root session (sub-agent events merged into their root's stream), every rule runs in event-time order.
 * 2. A cross-session pass runs the ordered-step rules per project over all its root sessions and keeps only
 *    matches spanning at least two roots, so it adds slow multi-session chains without repeating step 1.
 * 3. Each distinct member set becomes one finding with a stable id; member events receive the bonuses.
 */
import type { AuditEvent, EventBonus, RiskLevel, SecurityFinding } from '../types.js';
import { clampScore, levelForScore } from '../types.js';
import { classifyEvents } from './classify.js';
import type { CompiledRule } from './compile.js';
import { hash64 } from './hash.js';
import { matchBursts } from './matchBursts.js';
import { matchSteps, type EmitMatch } from './matchSteps.js';
import type { SequenceRuleSet } from './rules.js';
import { ruleStreams, streamBy, type Stream } from './stream.js';

export interface SequenceAnalysis {
  /** Sorted by last member time, then first member time, then id. */
  readonly findings: SecurityFinding[];
  /** Keyed by event id; only events that belong to at least one finding. */
  readonly bonuses: Map<string, EventBonus>;
}

export function analyzeSequences(events: readonly AuditEvent[], rules: SequenceRuleSet): SequenceAnalysis {
  const { masks, rulesOf } = classifyEvents(events, rules.compiled);
  const ruleCount = rules.compiled.rules.length;
  const found = new Map<string, SecurityFinding>();
  const record = (compiled: CompiledRule, members: readonly number[], crossSession: boolean): void => {
    const finding = buildFinding(events, compiled, members, crossSession);
    if (!found.has(finding.id)) found.set(finding.id, finding);
  };

  const byRoot = ruleStreams(streamBy(events, (event) => event.rootSessionId), rulesOf, ruleCount);
  rules.compiled.rules.forEach((compiled, r) => {
    runRule(events, byRoot[r]!, compiled, masks[r]!, (members) => record(compiled, members, false));
  });

  const byProject = ruleStreams(streamBy(events, (event) => event.projectId), rulesOf, ruleCount);
  rules.compiled.rules.forEach((compiled, r) => {
    if (compiled.shape !== 'steps') return; // bursts across parallel sessions would mostly repeat per-root bursts
    runRule(events, byProject[r]!, compiled, masks[r]!, (members) => {
      if (spansRoots(events, members)) record(compiled, members, true);
    });
  });

  const findings = [...found.values()].sort(
    (a, b) => a.lastTimeMs - b.lastTimeMs || a.firstTimeMs - b.firstTimeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { findings, bonuses: bonusesOf(findings) };
}

/** The event's final score and level once its bonuses are added (the level is always recomputed). */
export function finalScore(event: Pick<AuditEvent, 'score'>, bonus: EventBonus | undefined): { score: number; level: RiskLevel } {
  const score = clampScore(event.score + (bonus?.sequenceBonus ?? 0) + (bonus?.correlationBonus ?? 0));
  return { score, level: levelForScore(score) };
}

function runRule(events: readonly AuditEvent[], stream: Stream, compiled: CompiledRule, mask: Uint8Array, emit: EmitMatch): void {
  if (compiled.shape === 'steps') matchSteps(events, stream, compiled, mask, emit);
  else matchBursts(events, stream, compiled, mask, emit);
}

function spansRoots(events: readonly AuditEvent[], members: readonly number[]): boolean {
  const root = events[members[0]!]!.rootSessionId;
  return members.some((e) => events[e]!.rootSessionId !== root);
}

function buildFinding(events: readonly AuditEvent[], compiled: CompiledRule, members: readonly number[], crossSession: boolean): SecurityFinding {
  const { rule } = compiled;
  const memberEvents = members.map((e) => events[e]!);
  const eventIds = memberEvents.map((event) => event.id);
  const sessionIds = [...new Set(memberEvents.map((event) => event.sessionId))];
  const last = memberEvents[memberEvents.length - 1]!;
  const score = clampScore(Math.max(...memberEvents.map((event) => event.score)) + rule.bonus);
  return {
    id: `seq-${hash64(`${rule.id}\u0000${eventIds.join('\u0000')}`)}`,
    type: rule.type,
    name: rule.id,
    technique: rule.technique,
    eventIds,
    sessionIds,
    // A cross-session finding belongs to the root session where it completed.
    rootSessionId: last.rootSessionId,
    crossSession,
    firstTimeMs: memberEvents[0]!.timeMs,
    lastTimeMs: last.timeMs,
    bonus: rule.bonus,
    score,
    level: levelForScore(score),
  };
}

interface BonusAccumulator {
  sequenceBonus: number;
  correlationBonus: number;
  readonly mitre: Set<string>;
  readonly findingIds: string[];
  /** A rule adds its bonus once per event even when the event is in several of its findings. */
  readonly rules: Set<string>;
}

function bonusesOf(findings: readonly SecurityFinding[]): Map<string, EventBonus> {
  const accumulators = new Map<string, BonusAccumulator>();
  for (const finding of findings) {
    for (const eventId of finding.eventIds) {
      let acc = accumulators.get(eventId);
      if (!acc) {
        acc = { sequenceBonus: 0, correlationBonus: 0, mitre: new Set(), findingIds: [], rules: new Set() };
        accumulators.set(eventId, acc);
      }
      acc.findingIds.push(finding.id);
      acc.mitre.add(finding.technique);
      if (acc.rules.has(finding.name)) continue;
      acc.rules.add(finding.name);
      if (finding.type === 'kill_chain') acc.sequenceBonus += finding.bonus;
      else acc.correlationBonus += finding.bonus;
    }
  }
  const bonuses = new Map<string, EventBonus>();
  for (const [eventId, acc] of accumulators) {
    bonuses.set(eventId, {
      sequenceBonus: acc.sequenceBonus,
      correlationBonus: acc.correlationBonus,
      mitre: [...acc.mitre].sort(),
      findingIds: acc.findingIds,
    });
  }
  return bonuses;
}
