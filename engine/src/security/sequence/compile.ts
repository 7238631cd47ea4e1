/**
 * Rules compiled for speed: every distinct regex source is compiled once and shared between rules, and step
 * kinds become bit masks, so classifying an event is a few integer tests and cached regex runs.
 */
import type { ActionKind } from '../types.js';
import type { CountRule, DistinctRule, SequenceRule, SequenceStep, StepKind, StepsRule } from './ruleTypes.js';

/** One bit per kind class; `edit` shares the `write` bit because write steps match edits too. */
export const KIND_BITS: Readonly<Record<ActionKind, number>> = { bash: 1, read: 2, write: 4, edit: 4, webfetch: 8, mcp: 16 };

const STEP_KIND_BITS: Readonly<Record<StepKind, number>> = { bash: 1, read: 2, write: 4, webfetch: 8, any: 31 };

/** Pattern index meaning "no pattern": the empty target matches everything, a missing notTarget excludes nothing. */
export const NO_PATTERN = -1;

export interface CompiledStep {
  readonly kindBits: number;
  readonly target: number;
  readonly notTarget: number;
}

export type CompiledRule =
  | { readonly shape: 'steps'; readonly rule: StepsRule; readonly steps: readonly CompiledStep[] }
  | { readonly shape: 'count'; readonly rule: CountRule; readonly steps: readonly [CompiledStep] }
  | { readonly shape: 'distinct'; readonly rule: DistinctRule; readonly techniques: ReadonlySet<string> };

export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  /** Distinct case-insensitive regexes referenced by the steps' pattern indices. */
  readonly patterns: readonly RegExp[];
}

/** Compiles already validated rules (an invalid regex here is a bug: validation compiled it first). */
export function compileRules(rules: readonly SequenceRule[]): CompiledRules {
  const patterns: RegExp[] = [];
  const indexOf = new Map<string, number>();
  const pattern = (source: string | undefined): number => {
    if (source === undefined || source === '') return NO_PATTERN;
    let index = indexOf.get(source);
    if (index === undefined) {
      index = patterns.push(new RegExp(source, 'i')) - 1;
      indexOf.set(source, index);
    }
    return index;
  };
  const step = (s: SequenceStep): CompiledStep => ({ kindBits: STEP_KIND_BITS[s.kind], target: pattern(s.target), notTarget: pattern(s.notTarget) });
  const compiled = rules.map((rule): CompiledRule => {
    if ('steps' in rule) return { shape: 'steps', rule, steps: rule.steps.map(step) };
    if ('count' in rule) return { shape: 'count', rule, steps: [step(rule.count)] };
    return { shape: 'distinct', rule, techniques: new Set(rule.distinct.mitre) };
  });
  return { rules: compiled, patterns };
}

/** The techniques of `mitre` that a distinct rule counts; sub-techniques count as their parent (T1087.001 → T1087). */
export function countedTechniques(mitre: readonly string[], techniques: ReadonlySet<string>): string[] {
  const counted: string[] = [];
  for (const id of mitre) {
    const dot = id.indexOf('.');
    const base = dot < 0 ? id : id.slice(0, dot);
    if (techniques.has(id)) counted.push(id);
    else if (techniques.has(base)) counted.push(base);
  }
  return counted;
}
