/**
 * Pre-classification: each event is tested against each rule's steps once, before any window scan, so the
 * scans only compare small integers. Regex runs are the whole cost, so three things keep their number down:
 * only the steps of the event's kind are tried, a pattern shared by several rules runs once per event, and
 * verdicts are memoised per (kind, target) because agents repeat the same commands and paths a lot.
 */
import type { AuditEvent } from '../types.js';
import { countedTechniques, KIND_BITS, NO_PATTERN, type CompiledRules } from './compile.js';

/** Memo entries kept before the memo is dropped and rebuilt; bounds memory on streams of unique targets. */
const MEMO_LIMIT = 20_000;
/** Targets longer than this are not memoised: they are rarely repeated and would pin large strings. */
const MEMO_MAX_TARGET = 512;

interface Verdicts {
  /** Flattened (rule index, step bit) pairs. */
  readonly pairs: readonly number[];
  readonly rules: readonly number[];
}

interface StepTest {
  readonly rule: number;
  readonly bit: number;
  readonly target: number;
  readonly notTarget: number;
}

export interface Classification {
  /**
   * One byte array per rule (same order as `compiled.rules`), one byte per event: bit i set when the event
   * fills step i. Count and distinct rules use bit 0 for "the event counts".
   */
  readonly masks: readonly Uint8Array[];
  /** Per event, the indices of the rules it takes part in (possibly repeated), so scans can skip the rest. */
  readonly rulesOf: readonly (readonly number[])[];
}

export function classifyEvents(events: readonly AuditEvent[], compiled: CompiledRules): Classification {
  const masks = compiled.rules.map(() => new Uint8Array(events.length));
  const rulesOf: (readonly number[])[] = new Array<readonly number[]>(events.length);
  const distinctRules = compiled.rules.flatMap((rule, r) => (rule.shape === 'distinct' ? [{ r, techniques: rule.techniques }] : []));
  const testsByKind = new Map<number, StepTest[]>();
  const testsFor = (kindBit: number): StepTest[] => {
    let tests = testsByKind.get(kindBit);
    if (!tests) {
      tests = stepTestsFor(compiled, kindBit);
      testsByKind.set(kindBit, tests);
    }
    return tests;
  };
  // stamp[p] === run means verdict[p] already holds pattern p's result for the current target.
  const stamp = new Int32Array(compiled.patterns.length);
  const verdict = new Uint8Array(compiled.patterns.length);
  let run = 0;
  let target = '';
  const matches = (pattern: number): boolean => {
    if (stamp[pattern] !== run) {
      stamp[pattern] = run;
      verdict[pattern] = compiled.patterns[pattern]!.test(target) ? 1 : 0;
    }
    return verdict[pattern] === 1;
  };
  // One memo per kind bit, keyed by the target itself (no key concatenation per event).
  const memos = new Map<number, Map<string, Verdicts>>();
  let memoSize = 0;

  for (let e = 0; e < events.length; e++) {
    const event = events[e]!;
    const kindBit = KIND_BITS[event.kind] ?? 0;
    const memoable = event.target.length <= MEMO_MAX_TARGET;
    let memo = memos.get(kindBit);
    if (!memo) {
      memo = new Map();
      memos.set(kindBit, memo);
    }
    let filled = memoable ? memo.get(event.target) : undefined;
    if (filled === undefined) {
      run++;
      target = event.target;
      const pairs: number[] = []; // flattened (rule index, step bit) pairs
      const rules: number[] = [];
      for (const test of testsFor(kindBit)) {
        if (test.target !== NO_PATTERN && !matches(test.target)) continue;
        if (test.notTarget !== NO_PATTERN && matches(test.notTarget)) continue;
        pairs.push(test.rule, test.bit);
        if (rules[rules.length - 1] !== test.rule) rules.push(test.rule);
      }
      filled = { pairs, rules };
      if (memoable) {
        if (memoSize >= MEMO_LIMIT) {
          for (const kindMemo of memos.values()) kindMemo.clear();
          memoSize = 0;
        }
        memo.set(event.target, filled);
        memoSize++;
      }
    }
    const { pairs } = filled;
    for (let i = 0; i < pairs.length; i += 2) masks[pairs[i]!]![e]! |= pairs[i + 1]!;
    rulesOf[e] = filled.rules;
    if (event.mitre.length > 0) {
      const withDistinct = [...filled.rules];
      for (const { r, techniques } of distinctRules) {
        if (countedTechniques(event.mitre, techniques).length === 0) continue;
        masks[r]![e] = 1;
        withDistinct.push(r);
      }
      rulesOf[e] = withDistinct;
    }
  }
  return { masks, rulesOf };
}

function stepTestsFor(compiled: CompiledRules, kindBit: number): StepTest[] {
  const tests: StepTest[] = [];
  compiled.rules.forEach((rule, r) => {
    if (rule.shape === 'distinct') return;
    rule.steps.forEach((step, s) => {
      if ((step.kindBits & kindBit) !== 0) tests.push({ rule: r, bit: 1 << s, target: step.target, notTarget: step.notTarget });
    });
  });
  return tests;
}
