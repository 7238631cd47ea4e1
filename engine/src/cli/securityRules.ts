/**
 * The user's security rules: one file, `<config dir>/security-rules.json`, with the action-rule sections
 * (commands, safe, paths, urls, scope, mcp) and a `sequences` section for kill chains and correlations. The main
 * thread validates it once and logs one line per problem; the workers merge the action rules themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatProblem } from '../../../shared/src/index.js';
import type { Logger } from '../log.js';
import { createScorer, defaultScorer, loadRuleSet, sequenceRulesWith, type Scorer, type SequenceRuleSet } from '../security/index.js';

export const userRulesFile = (configDir: string): string => path.join(configDir, 'security-rules.json');

export interface UserSecurityRules {
  /** Handed to the worker pool (which merges it over the built-in action rules). */
  readonly file: string;
  readonly sequences: SequenceRuleSet;
  /** Built-in plus user action rules, for scoring on the main thread (live permissions). */
  readonly scorer: Scorer;
}

export function loadUserSecurityRules(configDir: string, logger: Logger): UserSecurityRules {
  const file = userRulesFile(configDir);
  const actions = loadRuleSet({ userRulesFile: file });
  if (!actions.ok) logger.error(formatProblem(actions.problem));
  else for (const problem of actions.problems) logger.warn(formatProblem(problem));
  let sequencesJson: unknown;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { sequences?: unknown };
    sequencesJson = parsed && typeof parsed === 'object' && 'sequences' in parsed ? { rules: parsed.sequences } : undefined;
  } catch {
    sequencesJson = undefined; // missing or unreadable: the action-rule loader above already said so
  }
  const merged = sequenceRulesWith(sequencesJson, `${file} (sequences)`);
  for (const problem of merged.problems) logger.warn(formatProblem(problem));
  return { file, sequences: merged.ruleSet, scorer: actions.ok ? createScorer(actions.value) : defaultScorer() };
}
