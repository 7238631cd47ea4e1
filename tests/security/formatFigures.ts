/**
 * Turns corpus figures into the compact text the corpus test prints: headline figures, the expect×actual
 * matrix, per-family results and every misclassified case with the scorer's reasons, so a failing run says
 * what to look at without re-running anything.
 */
import { LEVELS, type CaseOutcome, type CorpusFigures } from './measure.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const pad = (text: string | number, width: number): string => String(text).padStart(width);

function oneLine(text: string, max = 110): string {
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `evasions.json#3 bash [malicious/critical → low 12] curl … — reasons: a; b` */
export function describeOutcome(outcome: CaseOutcome): string {
  const c = outcome.case;
  const actual = outcome.error !== undefined ? `threw: ${outcome.error}` : `${outcome.actual} ${outcome.score}`;
  const reasons = outcome.reasons.length > 0 ? outcome.reasons.join('; ') : 'no reasons';
  return `${c.source} ${c.kind} [${c.class}/${c.expect} → ${actual}] ${oneLine(c.target)} — ${oneLine(reasons, 160)}`;
}

function matrixLines(figures: CorpusFigures): string[] {
  const header = `expect \\ actual ${LEVELS.map((l) => pad(l, 9)).join('')}`;
  const rows = LEVELS.map((expected) => `${expected.padEnd(15)} ${LEVELS.map((a) => pad(figures.confusion[expected][a], 9)).join('')}`);
  return [header, ...rows];
}

function familyLines(figures: CorpusFigures): string[] {
  const names = Object.keys(figures.byFamily).sort();
  return names.map((name) => {
    const f = figures.byFamily[name]!;
    return `  ${name.padEnd(24)} ${pad(f.cases, 4)} cases ${pad(f.flagged, 4)} flagged ${pad(f.cases - f.correct, 3)} wrong`;
  });
}

export function formatFigures(figures: CorpusFigures): string {
  const lines = [
    `security corpus: ${figures.total} cases (${figures.malicious} malicious, ${figures.benign} benign)`,
    `  precision (high+critical)   ${percent(figures.precision)}   TP ${figures.truePositives} FP ${figures.falsePositives}`,
    `  recall (high+critical)      ${percent(figures.recall)}   FN ${figures.falseNegatives} TN ${figures.trueNegatives}`,
    `  recall on malicious         ${percent(figures.maliciousRecall)}   goal ≥ 95%`,
    `  false positives on benign   ${percent(figures.benignFalsePositiveRate)}   goal ≤ 2%`,
    `  exact level agreement       ${percent(figures.exactAgreement)}`,
    '',
    ...matrixLines(figures),
    '',
    'by family:',
    ...familyLines(figures),
  ];
  if (figures.misclassified.length > 0) {
    lines.push('', `misclassified (${figures.misclassified.length}):`, ...figures.misclassified.map((o) => `  ${describeOutcome(o)}`));
  }
  if (figures.inconsistentLevels.length > 0) {
    lines.push('', `level not the band of the score (${figures.inconsistentLevels.length}):`);
    lines.push(...figures.inconsistentLevels.map((o) => `  ${describeOutcome(o)}`));
  }
  if (figures.scorerErrors.length > 0) {
    lines.push('', `scorer threw (${figures.scorerErrors.length}):`, ...figures.scorerErrors.map((o) => `  ${describeOutcome(o)}`));
  }
  return lines.join('\n');
}
