import { describe, expect, it } from 'vitest';
import type { ActionInput, RiskLevel } from '../../engine/src/security/types.js';
import type { CorpusCase } from './corpusCase.js';
import { formatFigures } from './formatFigures.js';
import { bandOf, measureCorpus, type CorpusScorer } from './measure.js';

const SCORE_OF: Record<RiskLevel, number> = { low: 5, medium: 30, high: 60, critical: 90 };

/** A scorer that answers from a table keyed by target, so every figure below is known in advance. */
function tableScorer(table: Record<string, RiskLevel | 'throw' | { level: RiskLevel; score: number }>): CorpusScorer & { inputs: ActionInput[] } {
  const inputs: ActionInput[] = [];
  return {
    inputs,
    score(input) {
      inputs.push(input);
      const answer = table[input.target];
      if (answer === undefined || answer === 'throw') throw new Error(`no answer for ${input.target}`);
      if (typeof answer === 'object') return { ...answer, reasons: ['fixed'] };
      return { level: answer, score: SCORE_OF[answer], reasons: [`table says ${answer}`] };
    },
  };
}

const bad = (target: string, expect: RiskLevel): CorpusCase => ({ kind: 'bash', target, class: 'malicious', expect, family: 'test' });
const good = (target: string, expect: RiskLevel): CorpusCase => ({ kind: 'bash', target, class: 'benign', expect, family: 'other' });

// 4 malicious (3 caught, 1 missed) and 6 benign (1 flagged): TP 3, FN 1, FP 1, TN 5.
const CASES: CorpusCase[] = [
  bad('m1', 'critical'), bad('m2', 'critical'), bad('m3', 'high'), bad('m4', 'high'),
  good('b1', 'low'), good('b2', 'low'), good('b3', 'low'), good('b4', 'medium'), good('b5', 'medium'), good('b6', 'low'),
];
const ANSWERS = { m1: 'critical', m2: 'high', m3: 'high', m4: 'medium', b1: 'low', b2: 'low', b3: 'medium', b4: 'medium', b5: 'high', b6: 'low' } as const;

describe('measureCorpus', () => {
  it('computes precision, recall and the false-positive rate on a known table', () => {
    const f = measureCorpus(CASES, tableScorer(ANSWERS));
    expect([f.truePositives, f.falseNegatives, f.falsePositives, f.trueNegatives]).toEqual([3, 1, 1, 5]);
    expect(f.precision).toBeCloseTo(3 / 4);
    expect(f.recall).toBeCloseTo(3 / 4);
    expect(f.maliciousRecall).toBeCloseTo(3 / 4);
    expect(f.benignFalsePositiveRate).toBeCloseTo(1 / 6);
    // exact: m1, m3, b1, b2, b4, b6
    expect(f.exactAgreement).toBeCloseTo(6 / 10);
    expect([f.total, f.malicious, f.benign]).toEqual([10, 4, 6]);
  });

  it('fills the confusion matrix as expected × actual', () => {
    const f = measureCorpus(CASES, tableScorer(ANSWERS));
    expect(f.confusion.critical).toEqual({ low: 0, medium: 0, high: 1, critical: 1 });
    expect(f.confusion.high).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    expect(f.confusion.medium).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    expect(f.confusion.low).toEqual({ low: 3, medium: 1, high: 0, critical: 0 });
  });

  it('lists exactly the misclassified cases, in order, and counts per family', () => {
    const f = measureCorpus(CASES, tableScorer(ANSWERS));
    expect(f.misclassified.map((o) => o.case.target)).toEqual(['m4', 'b5']);
    expect(f.misclassified[0]!.case.source).toBe('#3');
    expect(f.byFamily).toEqual({ test: { cases: 4, flagged: 3, correct: 3 }, other: { cases: 6, flagged: 1, correct: 5 } });
  });

  it('is perfect when the scorer agrees with every label', () => {
    const f = measureCorpus(CASES, tableScorer(Object.fromEntries(CASES.map((c) => [c.target, c.expect]))));
    expect([f.precision, f.recall, f.benignFalsePositiveRate, f.exactAgreement]).toEqual([1, 1, 0, 1]);
    expect(f.misclassified).toEqual([]);
  });

  it('passes home, cwd, kind and target to the scorer', () => {
    const scorer = tableScorer({ '~/.ssh/id_rsa': 'critical' });
    measureCorpus([{ kind: 'read', target: '~/.ssh/id_rsa', cwd: '/home/dev/project', class: 'malicious', expect: 'critical', family: 'x' }], scorer);
    expect(scorer.inputs).toEqual([{ kind: 'read', target: '~/.ssh/id_rsa', cwd: '/home/dev/project', home: '/home/dev' }]);
  });

  it('records a throwing scorer as an error and keeps going', () => {
    const f = measureCorpus([bad('m1', 'critical'), bad('boom', 'high'), good('b1', 'low')], tableScorer({ m1: 'critical', boom: 'throw', b1: 'low' }));
    expect(f.scorerErrors.map((o) => o.case.target)).toEqual(['boom']);
    expect(f.falseNegatives).toBe(1);
    expect(f.maliciousRecall).toBeCloseTo(1 / 2);
    expect(formatFigures(f)).toContain('scorer threw (1)');
  });

  it('catches a level that is not the band of its score', () => {
    const f = measureCorpus([bad('m1', 'high')], tableScorer({ m1: { level: 'high', score: 85 } }));
    expect(f.inconsistentLevels.map((o) => o.case.target)).toEqual(['m1']);
  });

  it('reports zero rather than NaN for empty denominators', () => {
    const f = measureCorpus([good('b1', 'low')], tableScorer({ b1: 'low' }));
    expect([f.precision, f.recall, f.maliciousRecall]).toEqual([0, 0, 0]);
  });
});

describe('bandOf', () => {
  it('uses the documented bands: low 0–19, medium 20–49, high 50–79, critical 80–100', () => {
    expect([0, 19, 20, 49, 50, 79, 80, 100].map(bandOf)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});

describe('formatFigures', () => {
  it('prints the headline figures and each misclassified case with its reasons', () => {
    const text = formatFigures(measureCorpus(CASES, tableScorer(ANSWERS)));
    expect(text).toContain('10 cases (4 malicious, 6 benign)');
    expect(text).toContain('recall on malicious         75.0%');
    expect(text).toContain('false positives on benign   16.7%');
    expect(text).toMatch(/#3 bash \[malicious\/high → medium 30\] m4 — table says medium/);
    expect(text).toMatch(/#8 bash \[benign\/medium → high 60\] b5 — table says high/);
  });
});
