/**
 * Security scoring inside the ingest workers: each audited tool call is scored as it is parsed, with the
 * session's project directory as scope. The raw argument is scored here and never leaves the worker; the
 * row keeps only the redacted argument and the verdict.
 */
import os from 'node:os';
import { workerData } from 'piscina';
import type { RowOf } from '../../../shared/src/index.js';
import { createScorer, defaultScorer, levelForScore, loadRuleSet, type AuditAction, type RiskAssessment, type Scorer } from '../security/index.js';

/** What the pool hands every worker at start. */
export interface AuditWorkerData {
  readonly securityRulesFile: string | undefined;
}

let cachedScorer: Scorer | undefined;

/**
 * The worker's scorer: built-in rules plus the user's file when the pool names one. A broken user file leaves
 * the built-ins in force; the main thread validates the same file and reports the problem once.
 */
export function workerScorer(): Scorer {
  if (cachedScorer) return cachedScorer;
  const file = (workerData as AuditWorkerData | undefined)?.securityRulesFile;
  const rules = file ? loadRuleSet({ userRulesFile: file }) : undefined;
  cachedScorer = rules?.ok ? createScorer(rules.value) : defaultScorer();
  return cachedScorer;
}

export type ToolCallAuditor = (action: AuditAction, sessionId: string) => RiskAssessment;

/** Session id → its project directory (OpenCode's `session.directory`), or undefined when unknown. */
export type DirectoryLookup = (sessionId: string) => string | undefined;

/** Scores every target of an action (a patch may touch several files) and keeps the riskiest. */
export function createToolCallAuditor(directoryOf: DirectoryLookup, scorer: Scorer = workerScorer(), home = os.homedir()): ToolCallAuditor {
  return (action, sessionId) => {
    const cwd = directoryOf(sessionId);
    let worst: RiskAssessment | undefined;
    for (const target of action.targets) {
      const assessed = scorer.score({ kind: action.kind, target, tool: action.tool, home, ...(cwd ? { cwd } : {}) });
      if (!worst || assessed.score > worst.score) worst = assessed;
    }
    return worst ?? { score: 0, level: levelForScore(0), reasons: [], mitre: [], ruleIds: [] };
  };
}

/** Writes a verdict into a tool call row (the row's argument is already redacted; reasons never hold raw secrets). */
export function applyRisk(row: RowOf<'tool_calls'>, action: AuditAction, risk: RiskAssessment): void {
  row.risk_kind = action.kind;
  row.risk_score = risk.score;
  row.risk_level = risk.level;
  row.risk_reasons = risk.reasons.length > 0 ? risk.reasons.join('; ') : null;
  row.mitre = risk.mitre.length > 0 ? risk.mitre.join(',') : null;
  row.risk_scope = risk.scope ?? null;
}
