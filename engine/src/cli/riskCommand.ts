/**
 * `opencode-monitor risk <bash|read|write|edit|webfetch|mcp> <target> [--cwd DIR] [--json]`: scores one action the
 * way the audit scores an agent's tool call, with the user's rule file from the config dir merged in.
 */
import os from 'node:os';
import { formatProblem } from '../../../shared/src/index.js';
import { ACTION_KINDS, createScorer, loadRuleSet, redact, type ActionKind, type RiskAssessment } from '../security/index.js';
import type { CliIo } from './io.js';
import { userRulesFile } from './securityRules.js';

export interface RiskOptions {
  readonly kind: string;
  readonly target: string;
  readonly cwd: string;
  readonly configDir: string;
  readonly json: boolean;
}

export function riskCommand(options: RiskOptions, io: CliIo): number {
  if (!(ACTION_KINDS as readonly string[]).includes(options.kind)) {
    io.logger.error(`config.invalid-argument: unknown kind "${options.kind}"; expected one of ${ACTION_KINDS.join(', ')}`);
    return 2;
  }
  const rules = loadRuleSet({ userRulesFile: userRulesFile(options.configDir) });
  if (!rules.ok) {
    io.logger.error(formatProblem(rules.problem));
    return 1;
  }
  for (const problem of rules.problems) io.logger.warn(formatProblem(problem));
  const risk = createScorer(rules.value).score({ kind: options.kind as ActionKind, target: options.target, cwd: options.cwd, home: os.homedir() });
  io.stdout(options.json ? `${JSON.stringify(riskJson(risk))}\n` : riskText(options.kind, options.target, risk));
  return 0;
}

export function riskJson(risk: RiskAssessment): { score: number; level: string; reasons: readonly string[]; mitre: readonly string[]; scope?: string } {
  return { score: risk.score, level: risk.level, reasons: risk.reasons, mitre: risk.mitre, ...(risk.scope ? { scope: risk.scope } : {}) };
}

function riskText(kind: string, target: string, risk: RiskAssessment): string {
  const lines = [`${risk.level.toUpperCase()} ${risk.score}/100  ${kind} ${redact(target) ?? ''}`];
  if (risk.mitre.length > 0) lines.push(`MITRE ATT&CK: ${risk.mitre.join(', ')}`);
  if (risk.scope) lines.push(`Scope: ${risk.scope}`);
  for (const reason of risk.reasons) lines.push(`  - ${reason}`);
  return `${lines.join('\n')}\n`;
}
