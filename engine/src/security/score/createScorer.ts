/**
 * The scorer: one compiled RuleSet in, `score(action)` out, pure and synchronous so Piscina workers and the
 * CLI can call it millions of times. `defaultScorer()` loads the built-in rules once per process.
 */
import { formatProblem } from '../../../../shared/src/index.js';
import { parseShell } from '../shell/parse.js';
import type { ActionInput, RiskAssessment } from '../types.js';
import { loadRuleSet } from '../rules/loadRuleSet.js';
import type { RuleSet } from '../rules/types.js';
import { scoreCommandLine, type ParseShell } from './scoreCommand.js';
import { scoreFilePath } from './scorePath.js';
import { scoreUrl } from './scoreUrl.js';
import { scoreMcpCall } from './scoreMcp.js';
import { NO_RISK } from './assessment.js';

export interface Scorer {
  readonly rules: RuleSet;
  score(input: ActionInput): RiskAssessment;
}

export interface ScorerOptions {
  /** The shell parser; tests may pass a stub. Defaults to parseShell. */
  readonly parse?: ParseShell;
}

export function createScorer(rules: RuleSet, options: ScorerOptions = {}): Scorer {
  const parse = options.parse ?? parseShell;
  const score = (input: ActionInput): RiskAssessment => {
    const { target, cwd, home } = input;
    switch (input.kind) {
      case 'bash':
        return scoreCommandLine(rules, target, parse);
      case 'read':
        return scoreFilePath(rules, target, 'read', cwd, home);
      case 'write':
      case 'edit':
        return scoreFilePath(rules, target, 'write', cwd, home);
      case 'webfetch':
        // A file:// fetch is a read by another name.
        return /^file:\/\//i.test(target.trim()) ? scoreFilePath(rules, target, 'read', cwd, home) : scoreUrl(rules, target);
      case 'mcp':
        return scoreMcpCall(rules, target, input.tool, (kind, value) => score({ kind, target: value, cwd, home }));
      default:
        // A kind from a newer recorder than this scorer: nothing to judge it by.
        return NO_RISK;
    }
  };
  return { rules, score };
}

let shared: Scorer | undefined;

/**
 * The scorer over the built-in rules, created on first use. Throws only when the built-in rule files are
 * broken, which is a bug in this repository (a test loads them on every run).
 */
export function defaultScorer(): Scorer {
  if (shared === undefined) {
    const loaded = loadRuleSet();
    if (!loaded.ok) throw new Error(`built-in security rules are invalid: ${formatProblem(loaded.problem)}`);
    shared = createScorer(loaded.value);
  }
  return shared;
}
