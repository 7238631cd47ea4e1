/** The shapes of sequence rules as the JSON files hold them (validated by validate.ts, compiled by compile.ts). */
import type { FindingType } from '../types.js';

export type StepKind = 'read' | 'write' | 'bash' | 'webfetch' | 'any';

export const STEP_KINDS: readonly StepKind[] = ['read', 'write', 'bash', 'webfetch', 'any'];

/** One step: an action kind (`write` also matches `edit`) and case-insensitive regexes over its target. */
export interface SequenceStep {
  readonly kind: StepKind;
  /** Regex source; the empty string matches every target. */
  readonly target: string;
  /** Regex source; an event whose target matches it does not fill the step (e.g. `.env.example`). */
  readonly notTarget?: string;
}

/** At least `minCount` matching events within the rule's window (mass deletion). */
export interface CountSpec extends SequenceStep {
  readonly minCount: number;
}

/** At least `minDistinct` different techniques from `mitre`, among the events' own MITRE ids, within the window. */
export interface DistinctSpec {
  readonly mitre: readonly string[];
  readonly minDistinct: number;
}

/** What every rule has, whatever its shape. */
export interface SequenceRuleBase {
  readonly id: string;
  readonly type: FindingType;
  readonly description: string;
  readonly technique: string;
  readonly windowMs: number;
  readonly bonus: number;
}

/** Ordered steps, each filled by a later event than the one before, all within `windowMs`. */
export interface StepsRule extends SequenceRuleBase {
  readonly steps: readonly SequenceStep[];
  /** Two-step rules only: the second event must name the path the first event touched. */
  readonly samePath?: boolean;
  /** Correlations only: by default their member events must be of different kinds. */
  readonly allowSameKind?: boolean;
}

export interface CountRule extends SequenceRuleBase {
  readonly count: CountSpec;
}

export interface DistinctRule extends SequenceRuleBase {
  readonly distinct: DistinctSpec;
}

export type SequenceRule = StepsRule | CountRule | DistinctRule;
