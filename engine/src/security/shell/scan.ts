/**
 * Shared state of one parse and the low-level character scanning the grammar and the word reader both need.
 * Everything works on char codes and string slices rather than regexes: the scorer parses every shell command
 * an agent ran, so this is the hot path of the security audit.
 */
import type { CommandOrigin, Redirect } from './types.js';

/** Input beyond this is ignored (with a warning): hostile lines must not cost unbounded CPU. */
export const MAX_INPUT_CHARS = 64 * 1024;
/** Layers of `bash -c` / `$(…)` / `eval` / decoded payloads parsed; deeper layers are skipped with a warning. */
export const MAX_DEPTH = 8;
/** Syntactic nesting (subshells, groups, substitutions) bound, so recursion cannot exhaust the stack. */
export const MAX_NEST = 48;
/** Commands recorded per parse; the rest is dropped with a warning. */
export const MAX_COMMANDS = 20_000;

/** A SimpleCommand while it is being built (pipeline and position are patched once its pipeline closes). */
export interface CommandDraft {
  argv: string[];
  name: string;
  prefixes: string[];
  assignments: string[];
  redirects: Redirect[];
  pipeline: number;
  position: number;
  depth: number;
  origin: CommandOrigin;
  text: string;
}

export interface PipelineDraft {
  commands: number[];
  next: string;
  depth: number;
}

/** Results of one parseShell call, shared by every nested source it parses. */
export interface Sink {
  readonly commands: CommandDraft[];
  readonly pipelines: PipelineDraft[];
  readonly warnings: string[];
  /** Raw `$(…)` texts already parsed, so re-parsing `bash -c "$(x)"` does not report `x` twice. */
  readonly seenSubstitutions: Set<string>;
}

export interface PendingHeredoc {
  readonly delimiter: string;
  readonly stripTabs: boolean;
  /** A quoted delimiter (`<<'EOF'`) means the body is not expanded. */
  readonly quoted: boolean;
  /** The command the body is fed to; set once the command is finished. */
  command: CommandDraft | null;
}

/** Cursor over one source text (the line, or a `bash -c` string, a backtick body, a decoded payload). */
export interface Scan {
  readonly src: string;
  pos: number;
  readonly end: number;
  depth: number;
  origin: CommandOrigin;
  nest: number;
  /** True when `src` was itself taken from a word of an outer command (bash -c, eval): see Sink.seenSubstitutions. */
  readonly reparse: boolean;
  readonly sink: Sink;
  readonly hooks: Hooks;
  heredocs: PendingHeredoc[];
  /** Set by readWord: whether any part of the last word was quoted or escaped. */
  wordQuoted: boolean;
  /** Set by readWord: length of the leading run of the last word that came from plain unquoted characters. */
  wordPlainPrefix: number;
}

/** Entry points into the grammar, passed around instead of imported so words.ts and grammar.ts stay acyclic. */
export interface Hooks {
  /** Parses a list at s.pos (just after `(`) up to and including the matching `)`. */
  substitution(s: Scan, origin: CommandOrigin, rawStart: number): void;
  /** Parses a separate text (a `bash -c` string, a backtick body, …) as commands one layer deeper. */
  nested(s: Scan, text: string, origin: CommandOrigin, reparse: boolean): void;
}

export interface ScanPlace {
  readonly origin: CommandOrigin;
  readonly depth: number;
  readonly nest: number;
  readonly reparse: boolean;
  /** Range of src to scan; the whole text by default. */
  readonly from?: number;
  readonly to?: number;
}

export function createScan(sink: Sink, hooks: Hooks, src: string, place: ScanPlace): Scan {
  return {
    src, pos: place.from ?? 0, end: place.to ?? src.length, depth: place.depth, origin: place.origin,
    nest: place.nest, reparse: place.reparse, sink, hooks, heredocs: [], wordQuoted: false, wordPlainPrefix: 0,
  };
}

/** Records a finished command; returns its index, or -1 once the command budget is spent. */
export function pushCommand(sink: Sink, command: CommandDraft): number {
  if (sink.commands.length >= MAX_COMMANDS) {
    warn(sink, `command limit reached: only the first ${MAX_COMMANDS} commands are reported`);
    return -1;
  }
  sink.commands.push(command);
  return sink.commands.length - 1;
}

export function warn(sink: Sink, message: string): void {
  // Hostile input can repeat the same problem thousands of times; one line of each kind is enough.
  if (sink.warnings.length < 50 && !sink.warnings.includes(message)) sink.warnings.push(message);
}

/** Character classes for codes below 128: 0 = plain word character. */
export const C_META = 1; // ends a word: blank, newline, | & ; ( ) < >
export const C_SPECIAL = 2; // needs attention inside a word: \ ' " $ `
export const C_BLANK = 4;
export const CHAR_CLASS = buildCharClasses();

function buildCharClasses(): Uint8Array {
  const table = new Uint8Array(128);
  const mark = (chars: string, flag: number): void => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = (table[chars.charCodeAt(i)] ?? 0) | flag;
  };
  mark(' \t\r\n|&;()<>', C_META);
  mark('\\\'"$`', C_SPECIAL);
  // A stray CR (Windows line ends) is a blank, not part of a word.
  mark(' \t\r', C_BLANK);
  return table;
}

export const CH_NL = 10;
export const CH_BACKSLASH = 92;

/** Skips spaces, tabs and backslash-newline continuations (not newlines: they separate commands). */
export function skipBlanks(s: Scan): void {
  const src = s.src;
  while (s.pos < s.end) {
    const c = src.charCodeAt(s.pos);
    if (c < 128 && (CHAR_CLASS[c]! & C_BLANK) !== 0) s.pos++;
    else if (c === CH_BACKSLASH && src.charCodeAt(s.pos + 1) === CH_NL) s.pos += 2;
    else return;
  }
}

/** True when the char at `i` ends a word (a metacharacter or the end of the text). */
export function isWordEnd(s: Scan, i: number): boolean {
  if (i >= s.end) return true;
  const c = s.src.charCodeAt(i);
  return c < 128 && (CHAR_CLASS[c]! & C_META) !== 0;
}

/** The unquoted reserved-looking word at s.pos (letters, `!`, `{`, `}`, `[[`), or '' when there is none. */
export function peekBareWord(s: Scan): string {
  const src = s.src;
  let i = s.pos;
  while (i < s.end && i - s.pos < 9) {
    const c = src.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c === 33 || c === 123 || c === 125 || c === 91 || c === 93) i++;
    else break;
  }
  if (i === s.pos || !isWordEnd(s, i)) return '';
  return src.slice(s.pos, i);
}

/**
 * Index just after the `)` matching an already-consumed `(` at `from`, or `end` when unbalanced. Used to step
 * over text without parsing it (beyond the nesting limit, arithmetic, array literals). Quotes are respected;
 * `case` patterns with a lone `)` are not, which only matters for text we skip anyway.
 */
export function skipBalanced(src: string, from: number, end: number): number {
  let open = 1;
  let i = from;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === CH_BACKSLASH) i += 2;
    else if (c === 39 /* ' */) {
      const close = src.indexOf("'", i + 1);
      i = close < 0 || close >= end ? end : close + 1;
    } else if (c === 34 /* " */) i = skipDoubleQuoted(src, i + 1, end);
    else if (c === 40 /* ( */) { open++; i++; }
    else if (c === 41 /* ) */) {
      i++;
      if (--open === 0) return i;
    } else i++;
  }
  return end;
}

function skipDoubleQuoted(src: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === CH_BACKSLASH) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return end;
}

/**
 * Lower-cased basename: `/usr/bin/Curl` → `curl`. A name that is itself a substitution (`$(curl x/y)`, run as a
 * command by `bash -c "$(…)"`) is kept whole: its "basename" would be a meaningless tail.
 */
export function commandName(word: string | undefined): string {
  if (word === undefined || word === '') return '';
  if (word.startsWith('$(') || word.charCodeAt(0) === 96) return word.toLowerCase();
  const slash = word.lastIndexOf('/');
  return (slash < 0 ? word : word.slice(slash + 1)).toLowerCase();
}

/** `NAME=…` or `NAME+=…` or `NAME[i]=…` whose name part was written unquoted (`'A'=1` is a command word). */
export function isAssignmentWord(word: string, plainPrefix: number): boolean {
  const eq = word.indexOf('=');
  if (eq <= 0 || eq >= plainPrefix) return false;
  let nameEnd = eq;
  if (word.charCodeAt(eq - 1) === 43 /* + */) nameEnd--;
  if (word.charCodeAt(nameEnd - 1) === 93 /* ] */) {
    const bracket = word.indexOf('[');
    if (bracket <= 0 || bracket > nameEnd) return false;
    nameEnd = bracket;
  }
  if (nameEnd <= 0) return false;
  for (let i = 0; i < nameEnd; i++) {
    const c = word.charCodeAt(i);
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!alpha && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}
