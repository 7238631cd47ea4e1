/**
 * Decides whether a compiled command matcher holds for one simple command of a parsed line. Cheap structural
 * checks run before any regex, so a rule that cannot apply costs a few comparisons.
 */
import type { ParsedShell, SimpleCommand } from '../shell/types.js';
import { hasName } from '../rules/compile.js';
import type { CompiledCommandMatch, NameSet } from '../rules/types.js';

/** One command in its line, with the derived strings computed at most once. */
export interface CommandContext {
  readonly line: string;
  readonly parsed: ParsedShell;
  readonly command: SimpleCommand;
  /** Arguments after the name, joined by spaces (computed on first use). */
  argsText?: string;
}

export function argsOf(ctx: CommandContext): string {
  if (ctx.argsText === undefined) ctx.argsText = ctx.command.argv.slice(1).join(' ');
  return ctx.argsText;
}

function hasFlag(argv: readonly string[], spellings: readonly string[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.length < 2 || arg.charCodeAt(0) !== 45 /* - */) continue;
    const long = arg.charCodeAt(1) === 45;
    for (const spelling of spellings) {
      if (spelling.startsWith('-')) {
        if (arg === spelling) return true;
      } else if (spelling.length === 1) {
        if (!long && arg.includes(spelling)) return true;
      } else if (long && (arg === `--${spelling}` || arg.startsWith(`--${spelling}=`))) return true;
    }
  }
  return false;
}

function pipeNeighbour(ctx: CommandContext, names: NameSet, later: boolean): boolean {
  const { command, parsed } = ctx;
  const pipeline = parsed.pipelines[command.pipeline];
  if (pipeline === undefined || pipeline.commands.length < 2) return false;
  for (const index of pipeline.commands) {
    const other = parsed.commands[index];
    if (other === undefined) continue;
    const after = other.position > command.position;
    if (other.position !== command.position && after === later && hasName(names, other.name)) return true;
  }
  return false;
}

function hasNested(ctx: CommandContext, names: NameSet): boolean {
  for (const other of ctx.parsed.commands) {
    if (other.depth > ctx.command.depth && (other.origin === 'substitution' || other.origin === 'process-substitution') && hasName(names, other.name)) {
      return true;
    }
  }
  return false;
}

function readsProcessSubstitution(ctx: CommandContext): boolean {
  const { command } = ctx;
  if (command.argv.some((a) => a.startsWith('<('))) return true;
  if (command.redirects.some((r) => r.target.startsWith('<(') || r.target.startsWith('('))) return true;
  return ctx.parsed.commands.some((c) => c.origin === 'process-substitution' && c.depth === command.depth + 1);
}

function redirectsTo(ctx: CommandContext, pattern: RegExp): boolean {
  for (const r of ctx.command.redirects) if (r.op.includes('>') && pattern.test(r.target)) return true;
  return false;
}

export function matchesCommand(m: CompiledCommandMatch, ctx: CommandContext): boolean {
  const { command } = ctx;
  if (m.names !== undefined && !hasName(m.names, command.name)) return false;
  if (m.origin !== undefined && !m.origin.has(command.origin)) return false;
  if (m.prefix !== undefined && !command.prefixes.some((p) => hasName(m.prefix as NameSet, p.toLowerCase()))) return false;
  if (m.flags !== undefined && !m.flags.every((spellings) => hasFlag(command.argv, spellings))) return false;
  if (m.pipedTo !== undefined && !pipeNeighbour(ctx, m.pipedTo, true)) return false;
  if (m.pipedFrom !== undefined && !pipeNeighbour(ctx, m.pipedFrom, false)) return false;
  if (m.readsFromProcessSubstitution !== undefined && readsProcessSubstitution(ctx) !== m.readsFromProcessSubstitution) return false;
  if (m.nested !== undefined && !hasNested(ctx, m.nested)) return false;
  if (m.redirectTo !== undefined && !redirectsTo(ctx, m.redirectTo)) return false;
  if (m.args !== undefined && !m.args.test(argsOf(ctx))) return false;
  if (m.text !== undefined && !m.text.test(command.text)) return false;
  if (m.line !== undefined && !m.line.test(ctx.line)) return false;
  if (m.unless !== undefined && m.unless.some((u) => matchesCommand(u, ctx))) return false;
  return true;
}
