/**
 * The held-out security set (issue 4, "Quality, measured"): cases written blind — without reading the training
 * corpus in ./cases or the scorer's rules — so the figures say how the risk scorer generalises to commands,
 * paths and URLs its rules were never tuned on. The training corpus's figures are training figures; these are
 * the honest ones, and they are recorded in docs/security.md.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../shared/src/index.js';
import { defaultScorer } from '../../engine/src/security/index.js';
import type { LocatedCase } from './corpusCase.js';
import { describeOutcome, formatFigures } from './formatFigures.js';
import { loadCorpus } from './loadCorpus.js';
import { CORPUS_HOME, measureCorpus, type CorpusFigures } from './measure.js';

const HOLDOUT_DIR = fileURLToPath(new URL('./holdout/', import.meta.url));
const PROJECT_DIR = '/home/dev/project';

/*
 * Looser bars than the training corpus (recall ≥ 0.95, false positives ≤ 2 %): these cases were never seen by
 * whoever tuned the rules, so some misses are expected and a held-out bar as tight as the training bar would
 * only invite tuning the rules to this set, which would turn it into a second training set. Recall ≥ 0.80 and
 * false positives ≤ 5 % are the floor below which the scorer is not generalising; the measured figures are
 * recorded in docs/security.md.
 */
const MIN_CASES = 200;
const MIN_CLASS_SHARE = 0.4;
const MIN_MALICIOUS_RECALL = 0.8;
const MAX_BENIGN_FALSE_POSITIVE_RATE = 0.05;

const holdout = loadCorpus(HOLDOUT_DIR);
let measured: CorpusFigures | undefined;
/** Scored once, shared by the assertions below. */
const figures = (): CorpusFigures => (measured ??= measureCorpus(holdout.cases, defaultScorer(), CORPUS_HOME));

const keyOf = (c: LocatedCase): string => `${c.kind} ${c.cwd ?? ''} ${c.target}`;

/** `file#index repeats file#index` for every case whose key was already seen in `earlier` or in `cases` itself. */
function repeatedCases(cases: readonly LocatedCase[], earlier: ReadonlyMap<string, string> = new Map()): string[] {
  const seen = new Map(earlier);
  const repeats: string[] = [];
  for (const c of cases) {
    const first = seen.get(keyOf(c));
    if (first !== undefined) repeats.push(`${c.source} repeats ${first}`);
    else seen.set(keyOf(c), c.source);
  }
  return repeats;
}

describe('security hold-out set', () => {
  it('has only well-formed cases, all run from the project directory', () => {
    expect(holdout.files.length).toBeGreaterThan(0);
    expect(holdout.problems.map(formatProblem)).toEqual([]);
    expect(holdout.cases.filter((c) => c.cwd !== PROJECT_DIR).map((c) => c.source)).toEqual([]);
  });

  it('has no case twice', () => {
    expect(repeatedCases(holdout.cases)).toEqual([]);
  });

  // A hold-out case that also sits in the training corpus measures memory, not generalisation.
  it('shares no case with the training corpus', () => {
    const training = loadCorpus();
    const trainingKeys = new Map(training.cases.map((c) => [keyOf(c), `cases/${c.source}`] as const));
    expect(repeatedCases(holdout.cases, trainingKeys).filter((line) => line.includes(' repeats cases/'))).toEqual([]);
  });

  it(`is large and balanced: at least ${MIN_CASES} cases, at least 40 % of each class`, () => {
    const malicious = holdout.cases.filter((c) => c.class === 'malicious').length;
    const benign = holdout.cases.length - malicious;
    expect(holdout.cases.length).toBeGreaterThanOrEqual(MIN_CASES);
    expect(malicious / holdout.cases.length).toBeGreaterThanOrEqual(MIN_CLASS_SHARE);
    expect(benign / holdout.cases.length).toBeGreaterThanOrEqual(MIN_CLASS_SHARE);
  });

  it('is scored by the default scorer within the held-out bars', () => {
    const result = figures();
    console.log(`HOLD-OUT (bars: recall ≥ 80 %, false positives ≤ 5 %)\n${formatFigures(result)}`);
    const wrong = (cls: 'malicious' | 'benign'): string =>
      result.misclassified.filter((o) => o.case.class === cls).map(describeOutcome).join('\n');
    expect(result.scorerErrors.map(describeOutcome)).toEqual([]);
    expect(result.maliciousRecall, `missed malicious cases:\n${wrong('malicious')}`).toBeGreaterThanOrEqual(MIN_MALICIOUS_RECALL);
    expect(result.benignFalsePositiveRate, `benign cases flagged:\n${wrong('benign')}`).toBeLessThanOrEqual(
      MAX_BENIGN_FALSE_POSITIVE_RATE,
    );
  });

  it('gets levels that match the score bands', () => {
    expect(figures().inconsistentLevels.map(describeOutcome)).toEqual([]);
  });
});
