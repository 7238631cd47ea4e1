/**
 * Scores a shell command line: every simple command the parser found (at every nesting level) meets the
 * rules indexed under its name; the line's score is the worst command's, plus a small bonus for several
 * distinct dangers and an obfuscation bonus when the danger only shows after decoding or a nested shell.
 */
import type { ParsedShell } from '../shell/types.js';
import type { RiskAssessment } from '../types.js';
import type { CommandIndex, CompiledCommandRule, RuleSet } from '../rules/types.js';
import { matchesCommand, type CommandContext } from './matchCommand.js';
import { buildAssessment, NO_RISK, type RuleHit } from './assessment.js';

export type ParseShell = (line: string) => ParsedShell;

/** Extra points per additional distinct danger (score ≥ 20) on the same line, and their cap. */
const MULTI_DANGER_STEP = 5;
const MULTI_DANGER_CAP = 10;
const MULTI_DANGER_MIN = 20;
const DECODED_BONUS = 15;
const NESTED_BONUS = 5;

function candidates(index: CommandIndex, ctx: CommandContext, gateOpen: () => boolean): CompiledCommandRule[] {
  const name = ctx.command.name;
  const out: CompiledCommandRule[] = [];
  const named = index.byName.get(name);
  if (named !== undefined) out.push(...named);
  for (const bucket of index.byPrefix) if (name.startsWith(bucket.prefix)) out.push(...bucket.rules);
  out.push(...index.ungated);
  if (index.gated.length > 0 && gateOpen()) out.push(...index.gated);
  return out;
}

function hitsFor(index: CommandIndex, ctx: CommandContext): RuleHit[] & { structuralFloor?: number } {
  const filter = index.gateFilter;
  const gate = () => filter === null || filter.test(ctx.command.text);
  const hits: RuleHit[] & { structuralFloor?: number } = [];
  let floor = 0;
  for (const rule of candidates(index, ctx, gate)) {
    if (!matchesCommand(rule.match, ctx)) continue;
    let score = rule.score;
    for (const a of rule.adjust) if (matchesCommand(a.when, ctx)) score += a.add;
    hits.push({ id: rule.id, description: rule.description, mitre: rule.mitre, score });
    if (rule.structural && score > floor) floor = score;
  }
  hits.structuralFloor = floor;
  return hits;
}

interface CommandVerdict {
  readonly score: number;
  readonly dangers: readonly RuleHit[];
  readonly modifiers: readonly RuleHit[];
  readonly origin: string;
  /** Id of the rule that set this command's danger, so one command counts once towards the multi-danger bonus. */
  readonly topId: string;
}

function scoreOne(rules: RuleSet, ctx: CommandContext): CommandVerdict | null {
  const dangers = hitsFor(rules.commands, ctx);
  if (dangers.length === 0) return null;
  const danger = Math.max(...dangers.map((h) => h.score));
  if (danger <= 0) return null;
  const modifiers = hitsFor(rules.safe, ctx);
  const sum = modifiers.reduce((total, h) => total + h.score, 0);
  // Structural danger (pipe to a shell, decoded payload, …) is not softened by a reassuring detail such as a loopback URL.
  const score = Math.max(dangers.structuralFloor ?? 0, Math.min(100, danger + sum));
  const top = dangers.reduce((a, b) => (b.score > a.score ? b : a));
  return { score, dangers, modifiers: score === danger ? [] : modifiers, origin: ctx.command.origin, topId: top.id };
}

export function scoreCommandLine(rules: RuleSet, line: string, parse: ParseShell): RiskAssessment {
  if (line.trim() === '') return NO_RISK;
  const parsed = parse(line);
  const verdicts: CommandVerdict[] = [];
  for (const command of parsed.commands) {
    const verdict = scoreOne(rules, { line, parsed, command });
    if (verdict !== null) verdicts.push(verdict);
  }
  const lineHits: RuleHit[] = [];
  for (const rule of rules.commands.lineOnly) {
    if (rule.match.line?.test(line) === true) lineHits.push({ id: rule.id, description: rule.description, mitre: rule.mitre, score: rule.score });
  }
  if (verdicts.length === 0 && lineHits.length === 0) return NO_RISK;

  let best = 0;
  let bestOrigins = new Set<string>();
  for (const v of verdicts) {
    if (v.score > best) {
      best = v.score;
      bestOrigins = new Set([v.origin]);
    } else if (v.score === best) bestOrigins.add(v.origin);
  }
  for (const h of lineHits) {
    if (h.score > best) {
      best = h.score;
      bestOrigins = new Set(['top']);
    } else if (h.score === best) bestOrigins.add('top');
  }
  const dangers = [...verdicts.flatMap((v) => v.dangers), ...lineHits];
  const modifiers = verdicts.flatMap((v) => v.modifiers);
  const distinct = new Set([
    ...verdicts.filter((v) => v.score >= MULTI_DANGER_MIN).map((v) => v.topId),
    ...lineHits.filter((h) => h.score >= MULTI_DANGER_MIN).map((h) => h.id),
  ]).size;
  const reasons: string[] = [];
  const mitre: string[] = [];
  let score = best;
  if (distinct > 1) score += Math.min(MULTI_DANGER_CAP, MULTI_DANGER_STEP * (distinct - 1));
  if (best > 0 && !bestOrigins.has('top') && !bestOrigins.has('subshell') && !bestOrigins.has('substitution')) {
    if (bestOrigins.has('decoded')) {
      score += DECODED_BONUS;
      reasons.push('hidden in an encoded payload that is decoded and run');
      mitre.push('T1027', 'T1140');
    } else {
      score += NESTED_BONUS;
      reasons.push('run through eval or a nested shell');
    }
  }
  return buildAssessment(score, dangers, modifiers, reasons, mitre);
}
