/**
 * Scores an MCP (or unknown) tool call by its name and arguments: a tool that runs commands has its command
 * argument scored like bash, a fetcher like webfetch, a file tool like read/write. Arguments no rule claims
 * are still looked at: URL-like strings as fetches and home or absolute paths as reads.
 */
import type { RiskAssessment } from '../types.js';
import type { RuleSet } from '../rules/types.js';
import { buildAssessment, NO_RISK, type RuleHit } from './assessment.js';

export type ScoreAs = (kind: 'bash' | 'read' | 'write' | 'webfetch', target: string) => RiskAssessment;

interface McpCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly rawArgs: string;
}

/** `target` is `<tool> <json args>`; `tool` (when OpenCode recorded it) wins over the first word. */
export function parseMcpTarget(target: string, tool?: string): McpCall {
  const trimmed = target.trim();
  const space = trimmed.search(/\s/);
  const head = space < 0 ? trimmed : trimmed.slice(0, space);
  const looksLikeJson = head.startsWith('{');
  const rawArgs = looksLikeJson ? trimmed : space < 0 ? '' : trimmed.slice(space + 1).trim();
  let args: Record<string, unknown> = {};
  try {
    const parsed: unknown = rawArgs === '' ? {} : JSON.parse(rawArgs);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
  } catch {
    args = {};
  }
  return { tool: tool ?? (looksLikeJson ? '' : head), args, rawArgs };
}

function stringValues(value: unknown, out: string[], depth = 0): string[] {
  if (depth > 4 || out.length > 50) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringValues(v, out, depth + 1);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringValues(v, out, depth + 1);
  return out;
}

function better(a: RiskAssessment, b: RiskAssessment): RiskAssessment {
  return b.score > a.score ? b : a;
}

export function scoreMcpCall(rules: RuleSet, target: string, tool: string | undefined, scoreAs: ScoreAs): RiskAssessment {
  const call = parseMcpTarget(target, tool);
  let worst: RiskAssessment = NO_RISK;
  const toolHits: RuleHit[] = [];
  let claimed = false;
  for (const rule of rules.mcp) {
    if (!rule.tool.test(call.tool)) continue;
    if (rule.score > 0) toolHits.push({ id: rule.id, description: rule.description, mitre: rule.mitre, score: rule.score });
    if (rule.as === null) continue;
    const key = rule.argument.find((k) => typeof call.args[k] === 'string');
    if (key === undefined) continue;
    claimed = true;
    worst = better(worst, scoreAs(rule.as, call.args[key] as string));
  }
  if (!claimed) {
    for (const value of stringValues(call.args, [])) {
      if (/^(?:https?|ftp|wss?):\/\//i.test(value)) worst = better(worst, scoreAs('webfetch', value));
      else if (/^(?:~|\/|\$HOME)/.test(value) && !/\s/.test(value)) worst = better(worst, scoreAs('read', value));
    }
  }
  if (toolHits.length === 0) return worst;
  const toolScore = Math.max(...toolHits.map((h) => h.score));
  const tools = buildAssessment(toolScore, toolHits, []);
  const [first, second] = worst.score >= toolScore ? [worst, tools] : [tools, worst];
  const merged = buildAssessment(Math.max(toolScore, worst.score), [], [], [...first.reasons, ...second.reasons], [...worst.mitre, ...tools.mitre], worst.scope);
  return { ...merged, ruleIds: [...new Set([...first.ruleIds, ...second.ruleIds])] };
}
