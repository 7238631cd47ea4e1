/**
 * The security corpus (issue 4, "Quality, measured"): hand-labelled malicious and benign actions scored by
 * the engine's default scorer. Prints the figures and the misclassified cases, and holds the scorer to the
 * goals: recall ≥ 0.95 on the malicious half, false positives ≤ 2 % on the benign half.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../shared/src/index.js';
import { defaultScorer } from '../../engine/src/security/index.js';
import { describeOutcome, formatFigures } from './formatFigures.js';
import { loadCorpus } from './loadCorpus.js';
import { CORPUS_HOME, measureCorpus, type CorpusFigures } from './measure.js';

const corpus = loadCorpus();
let measured: CorpusFigures | undefined;
/** Scored once, shared by the assertions below. */
const figures = (): CorpusFigures => (measured ??= measureCorpus(corpus.cases, defaultScorer(), CORPUS_HOME));

describe('security corpus', () => {
  it('has only well-formed cases', () => {
    expect(corpus.files.length).toBeGreaterThan(0);
    expect(corpus.problems.map(formatProblem)).toEqual([]);
  });

  it('has no case twice', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const c of corpus.cases) {
      const key = `${c.kind} ${c.cwd ?? ''} ${c.target}`;
      const first = seen.get(key);
      if (first !== undefined) duplicates.push(`${c.source} repeats ${first}`);
      else seen.set(key, c.source);
    }
    expect(duplicates).toEqual([]);
  });

  it('is large and balanced: at least 300 cases, at least 40 % of each class', () => {
    const malicious = corpus.cases.filter((c) => c.class === 'malicious').length;
    const benign = corpus.cases.length - malicious;
    expect(corpus.cases.length).toBeGreaterThanOrEqual(300);
    expect(malicious / corpus.cases.length).toBeGreaterThanOrEqual(0.4);
    expect(benign / corpus.cases.length).toBeGreaterThanOrEqual(0.4);
  });

  it('is scored by the default scorer within the goals', () => {
    const result = figures();
    console.log(formatFigures(result));
    const wrong = (cls: 'malicious' | 'benign'): string =>
      result.misclassified.filter((o) => o.case.class === cls).map(describeOutcome).join('\n');
    expect(result.scorerErrors.map(describeOutcome)).toEqual([]);
    expect(result.maliciousRecall, `missed malicious cases:\n${wrong('malicious')}`).toBeGreaterThanOrEqual(0.95);
    expect(result.benignFalsePositiveRate, `benign cases flagged:\n${wrong('benign')}`).toBeLessThanOrEqual(0.02);
  });

  // The seed monitor kept a stale level after adding bonuses (seed study §9.4); the level must be the score's band.
  it('gets levels that match the score bands', () => {
    expect(figures().inconsistentLevels.map(describeOutcome)).toEqual([]);
  });
});
