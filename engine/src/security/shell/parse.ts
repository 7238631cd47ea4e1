/**
 * parseShell: one command line → every simple command it would run, including those hidden in `bash -c '…'`,
 * `$(…)`, backticks, `<(…)`, `eval`, heredocs fed to a shell, and literal base64 payloads. Hand-written for
 * speed (the scorer parses every shell call) and bounded so hostile input cannot exhaust stack or CPU.
 *
 * Representation choices the scorer relies on:
 * - Words are quote-removed (`c\url`, `'c'url`, `$'\x63url'` all give `curl`) but never expanded: `$HOME`,
 *   `${IFS}` and `~` stay literal, so `curl${IFS}x` is one word named `curl${ifs}x`.
 * - Substitutions stay literal in their word (`sh <(curl x)` has argv `['sh', '<(curl x)']`) and their commands
 *   are reported separately, one layer deeper, with their own pipelines.
 * - A `( … )` or `{ …; }` that is part of a real pipe is flattened into that pipeline: `{ curl x; } | bash`
 *   gives a pipeline `[curl, bash]`. Each command's own `pipeline`/`position` still name its innermost pipeline.
 */
import { parseList, STOP_PAREN } from './grammar.js';
import { reportUnreadHeredocs } from './redirects.js';
import { MAX_DEPTH, MAX_INPUT_CHARS, MAX_NEST, createScan, skipBalanced, warn, type Hooks, type Scan, type Sink } from './scan.js';
import type { CommandOrigin, ParsedShell } from './types.js';

const HOOKS: Hooks = { substitution, nested };

export function parseShell(line: string): ParsedShell {
  const sink: Sink = { commands: [], pipelines: [], warnings: [], seenSubstitutions: new Set() };
  try {
    let src = typeof line === 'string' ? line : String(line ?? '');
    if (src.length > MAX_INPUT_CHARS) {
      warn(sink, `input longer than ${MAX_INPUT_CHARS} characters: only the start was parsed`);
      src = src.slice(0, MAX_INPUT_CHARS);
    }
    const scan = createScan(sink, HOOKS, src, { origin: 'top', depth: 0, nest: 0, reparse: false });
    parseList(scan, 0);
    reportUnreadHeredocs(scan);
  } catch (error) {
    // Last resort only: the parser is written not to throw, but one bad line must never stop an audit.
    sink.warnings.push(`internal parser error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { commands: sink.commands, pipelines: sink.pipelines, warnings: sink.warnings };
}

/** `$(…)`, `<(…)`, `>(…)`: parsed in place, s.pos just after the `(`. */
function substitution(s: Scan, origin: CommandOrigin, rawStart: number): void {
  if (s.depth >= MAX_DEPTH || s.nest >= MAX_NEST) {
    warn(s.sink, 'nesting limit reached: deeper commands were not parsed');
    s.pos = skipBalanced(s.src, s.pos, s.end);
    return;
  }
  if (s.reparse) {
    const end = skipBalanced(s.src, s.pos, s.end);
    if (s.sink.seenSubstitutions.has(s.src.slice(rawStart, end))) {
      s.pos = end;
      return;
    }
  }
  const outerOrigin = s.origin;
  s.origin = origin;
  s.depth++;
  s.nest++;
  parseList(s, STOP_PAREN);
  s.depth--;
  s.nest--;
  s.origin = outerOrigin;
  if (s.pos < s.end && s.src.charCodeAt(s.pos) === 41) s.pos++;
  else warn(s.sink, origin === 'substitution' ? 'unterminated $(' : 'unterminated process substitution');
  s.sink.seenSubstitutions.add(s.src.slice(rawStart, s.pos));
}

/** A separate text run as shell code one layer deeper (`bash -c`, eval, backticks, decoded payloads). */
function nested(s: Scan, text: string, origin: CommandOrigin, reparse: boolean): void {
  if (s.depth >= MAX_DEPTH || s.nest >= MAX_NEST) {
    warn(s.sink, 'nesting limit reached: deeper commands were not parsed');
    return;
  }
  const inner = createScan(s.sink, HOOKS, text, { origin, depth: s.depth + 1, nest: s.nest + 1, reparse });
  parseList(inner, 0);
  reportUnreadHeredocs(inner);
}
