/**
 * The shape of a parsed shell command line. The parser (parseShell) turns one string into every simple
 * command it would run, including the ones hidden in `bash -c '…'`, `$(…)`, backticks, `<(…)`, `eval`, and
 * base64 payloads piped into a shell, so rules can judge what runs rather than how it is spelled.
 */

/** How a simple command was reached from the top-level line. */
export type CommandOrigin =
  | 'top'
  /** `bash -c '…'`, `sh -c`, `zsh -c`, … */
  | 'shell-c'
  /** `$(…)` or backticks */
  | 'substitution'
  /** `<(…)` or `>(…)` */
  | 'process-substitution'
  | 'eval'
  /** A literal base64 payload decoded because its output feeds a shell (`echo … | base64 -d | sh`). */
  | 'decoded'
  /** `( … )` subshell or `{ …; }` group */
  | 'subshell';

export interface Redirect {
  /** `>`, `>>`, `<`, `2>`, `&>`, `<<<`, `<<`, … */
  readonly op: string;
  readonly target: string;
}

export interface SimpleCommand {
  /** Words after quote removal and with wrapper prefixes (see `prefixes`) removed. May be empty (`VAR=x`). */
  readonly argv: readonly string[];
  /** Lower-cased basename of argv[0] (`/usr/bin/Curl` → `curl`), or '' when argv is empty. */
  readonly name: string;
  /** Wrappers stripped in front, in order: `sudo`, `doas`, `env`, `command`, `exec`, `nohup`, `time`, `nice`, `xargs`, `timeout`, … */
  readonly prefixes: readonly string[];
  /** Leading `NAME=value` assignments (including those given to `env`). */
  readonly assignments: readonly string[];
  readonly redirects: readonly Redirect[];
  /** Index of the pipeline (within the whole parse) this command belongs to. */
  readonly pipeline: number;
  /** Position inside its pipeline, 0-based; the pipeline's length is on the pipeline. */
  readonly position: number;
  /** Nesting depth: 0 at top level, +1 per shell-c / substitution / eval / decoded layer. */
  readonly depth: number;
  readonly origin: CommandOrigin;
  /** argv joined by single spaces, redirects appended (`> target`): a normalised text for regex rules. */
  readonly text: string;
}

export interface Pipeline {
  /** Indices into ParsedShell.commands, in pipe order. */
  readonly commands: readonly number[];
  /** The operator that follows this pipeline: `&&`, `||`, `;`, `&`, newline, or '' at the end. */
  readonly next: string;
  readonly depth: number;
}

export interface ParsedShell {
  readonly commands: readonly SimpleCommand[];
  readonly pipelines: readonly Pipeline[];
  /** Problems met while parsing (unterminated quote, nesting limit reached, …). Parsing never throws. */
  readonly warnings: readonly string[];
}
