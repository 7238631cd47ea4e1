/**
 * Measures a risk scorer against the labelled corpus. Pure: give it cases and a scorer, get the figures the
 * issue asks for (precision and recall with high+critical as the positive class, recall on the malicious
 * half, false-positive rate on the benign half, exact-level agreement, an expect×actual confusion matrix)
 * and the cases it got wrong. Docs and benchmarks reuse it, so nothing here prints or touches the disk.
 */
import type { ActionInput, RiskLevel } from '../../engine/src/security/types.js';
import { isFlagged, type CorpusCase, type LocatedCase } from './corpusCase.js';

/** The part of the engine's scorer the corpus needs. */
export interface CorpusScorer {
  score(input: ActionInput): { readonly score: number; readonly level: RiskLevel; readonly reasons: readonly string[] };
}

export interface CaseOutcome {
  readonly case: LocatedCase;
  /** The scorer's level, or null when it threw on this case. */
  readonly actual: RiskLevel | null;
  readonly score: number | null;
  readonly reasons: readonly string[];
  readonly error?: string;
}

export type ConfusionMatrix = Record<RiskLevel, Record<RiskLevel, number>>;

export interface FamilyFigures {
  readonly cases: number;
  /** Cases scored high or critical. */
  readonly flagged: number;
  /** Cases whose flag (high|critical or not) matches their class. */
  readonly correct: number;
}

export interface CorpusFigures {
  readonly total: number;
  readonly malicious: number;
  readonly benign: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** TP / (TP + FP) over all cases; 0 when nothing was flagged. */
  readonly precision: number;
  /** TP / (TP + FN) over all cases whose expected level is high or critical. */
  readonly recall: number;
  /** Malicious cases scored high or critical / malicious cases. */
  readonly maliciousRecall: number;
  /** Benign cases scored high or critical / benign cases. */
  readonly benignFalsePositiveRate: number;
  /** Cases whose level equals the expected level exactly / all cases. */
  readonly exactAgreement: number;
  /** confusion[expected][actual]; cases where the scorer threw are left out. */
  readonly confusion: ConfusionMatrix;
  readonly byFamily: Readonly<Record<string, FamilyFigures>>;
  /** False negatives and false positives, in corpus order. */
  readonly misclassified: readonly CaseOutcome[];
  /** Cases where the returned level is not the band of the returned score (low 0–19 … critical 80–100). */
  readonly inconsistentLevels: readonly CaseOutcome[];
  readonly scorerErrors: readonly CaseOutcome[];
}

export const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];
export const CORPUS_HOME = '/home/dev';

/** Our own copy of the level bands, so the oracle does not trust the code it measures. */
export function bandOf(score: number): RiskLevel {
  if (score >= 80) return 'critical';
  if (score >= 50) return 'high';
  if (score >= 20) return 'medium';
  return 'low';
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function emptyMatrix(): ConfusionMatrix {
  const row = (): Record<RiskLevel, number> => ({ low: 0, medium: 0, high: 0, critical: 0 });
  return { low: row(), medium: row(), high: row(), critical: row() };
}

function scoreOne(testCase: LocatedCase, scorer: CorpusScorer, home: string): CaseOutcome {
  const input: ActionInput = {
    kind: testCase.kind,
    target: testCase.target,
    home,
    ...(testCase.cwd !== undefined ? { cwd: testCase.cwd } : {}),
  };
  try {
    const assessment = scorer.score(input);
    return { case: testCase, actual: assessment.level, score: assessment.score, reasons: assessment.reasons };
  } catch (error) {
    // A throw is a scorer bug; keep measuring the rest so the report shows every such case at once.
    const message = error instanceof Error ? error.message : String(error);
    return { case: testCase, actual: null, score: null, reasons: [], error: message };
  }
}

/** Scores every case and computes the figures. Cases without `source` are named by their index. */
export function measureCorpus(
  cases: readonly (CorpusCase | LocatedCase)[],
  scorer: CorpusScorer,
  home: string = CORPUS_HOME,
): CorpusFigures {
  const located = cases.map((c, index): LocatedCase => ('source' in c ? c : { ...c, source: `#${index}` }));
  const outcomes = located.map((c) => scoreOne(c, scorer, home));
  const confusion = emptyMatrix();
  const byFamily: Record<string, { cases: number; flagged: number; correct: number }> = {};
  let tp = 0, fp = 0, fn = 0, tn = 0, exact = 0, malicious = 0, benign = 0;
  const misclassified: CaseOutcome[] = [];
  for (const outcome of outcomes) {
    const expected = outcome.case.expect;
    const positive = isFlagged(expected);
    const flagged = outcome.actual !== null && isFlagged(outcome.actual);
    if (outcome.case.class === 'malicious') malicious += 1;
    else benign += 1;
    if (positive && flagged) tp += 1;
    else if (positive) fn += 1;
    else if (flagged) fp += 1;
    else tn += 1;
    if (positive !== flagged) misclassified.push(outcome);
    if (outcome.actual !== null) {
      confusion[expected][outcome.actual] += 1;
      if (outcome.actual === expected) exact += 1;
    }
    const family = (byFamily[outcome.case.family] ??= { cases: 0, flagged: 0, correct: 0 });
    family.cases += 1;
    if (flagged) family.flagged += 1;
    if (positive === flagged) family.correct += 1;
  }
  const maliciousFlagged = outcomes.filter((o) => o.case.class === 'malicious' && o.actual !== null && isFlagged(o.actual)).length;
  const benignFlagged = outcomes.filter((o) => o.case.class === 'benign' && o.actual !== null && isFlagged(o.actual)).length;
  return {
    total: outcomes.length,
    malicious,
    benign,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    maliciousRecall: ratio(maliciousFlagged, malicious),
    benignFalsePositiveRate: ratio(benignFlagged, benign),
    exactAgreement: ratio(exact, outcomes.length),
    confusion,
    byFamily,
    misclassified,
    inconsistentLevels: outcomes.filter((o) => o.score !== null && o.actual !== null && bandOf(o.score) !== o.actual),
    scorerErrors: outcomes.filter((o) => o.error !== undefined),
  };
}
