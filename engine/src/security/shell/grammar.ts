/**
 * The recursive grammar: lists of pipelines of commands, where a command is a simple command, a `( … )`
 * subshell, a `{ …; }` group, or a compound statement (`if`, `while`, `for`, `case`, functions). Compound
 * statements are not modelled: their keywords are stepped over and the commands inside them are reported
 * like any other, which is all the audit needs.
 */
import { decodedPayloadsOf, literalOutputOf } from './base64.js';
import { innerScriptOf, SHELL_NAMES, shellReadsStdin } from './innerScript.js';
import { consumeNewline, tryRedirect } from './redirects.js';
import {
  CH_NL, CHAR_CLASS, C_META, MAX_NEST, commandName, isAssignmentWord, peekBareWord, pushCommand, skipBalanced,
  skipBlanks, warn, type CommandDraft, type PipelineDraft, type Scan,
} from './scan.js';
import type { Redirect } from './types.js';
import { readWord } from './words.js';
import { unwrapCommand } from './wrappers.js';

/** What ends a list besides the end of the text. */
export const STOP_PAREN = 1;
const STOP_BRACE = 2;
const STOP_CASE = 4;

const NO_REDIRECTS: Redirect[] = [];

export function parseList(s: Scan, stops: number): void {
  const src = s.src;
  while (s.pos < s.end) {
    skipBlanks(s);
    if (s.pos >= s.end) return;
    const start = s.pos;
    const c = src.charCodeAt(s.pos);
    if (c === CH_NL) consumeNewline(s);
    else if (c === 35 /* # */) skipComment(s);
    else if (c === 41 /* ) */) {
      if ((stops & STOP_PAREN) !== 0) return;
      warn(s.sink, 'unexpected )');
      s.pos++;
    } else if (c === 59 /* ; */) {
      if ((stops & STOP_CASE) !== 0 && isCaseEnd(s)) return;
      s.pos++;
    } else if ((c === 124 || c === 38) && src.charCodeAt(s.pos + 1) !== 62) {
      warn(s.sink, `unexpected ${src[s.pos]}`);
      s.pos++;
    } else if ((stops & (STOP_BRACE | STOP_CASE)) !== 0 && isListEndWord(peekBareWord(s), stops)) return;
    else {
      const pipeline = parsePipeline(s, stops);
      skipBlanks(s);
      const op = readListOperator(s, stops);
      if (pipeline !== null) pipeline.next = op;
      if (s.pos === start) s.pos++; // never loop without progress on input we do not understand
    }
  }
}

function isListEndWord(word: string, stops: number): boolean {
  return (word === '}' && (stops & STOP_BRACE) !== 0) || (word === 'esac' && (stops & STOP_CASE) !== 0);
}

function isCaseEnd(s: Scan): boolean {
  const next = s.src.charCodeAt(s.pos + 1);
  return next === 59 || next === 38;
}

function skipComment(s: Scan): void {
  const nl = s.src.indexOf('\n', s.pos);
  s.pos = nl < 0 || nl > s.end ? s.end : nl;
}

function readListOperator(s: Scan, stops: number): string {
  const src = s.src;
  const c = src.charCodeAt(s.pos);
  const next = src.charCodeAt(s.pos + 1);
  if (c === 38 && next === 38) return take(s, '&&');
  if (c === 124 && next === 124) return take(s, '||');
  if (c === 59) return (stops & STOP_CASE) !== 0 && isCaseEnd(s) ? '' : take(s, ';');
  if (c === 38) return take(s, '&');
  if (c === CH_NL) {
    consumeNewline(s);
    return '\n';
  }
  return '';
}

function take(s: Scan, op: string): string {
  s.pos += op.length;
  return op;
}

function parsePipeline(s: Scan, stops: number): PipelineDraft | null {
  const sink = s.sink;
  const members: number[] = [];
  const owned: number[] = [];
  let elements = 0;
  for (;;) {
    skipBlanks(s);
    const before = sink.commands.length;
    const index = parseElement(s, stops);
    if (index >= 0) {
      sink.commands[index]!.position = members.length;
      members.push(index);
      owned.push(index);
      elements++;
    } else if (sink.commands.length > before) {
      for (let i = before; i < sink.commands.length; i++) members.push(i);
      elements++;
    }
    skipBlanks(s);
    if (s.src.charCodeAt(s.pos) !== 124 /* | */ || s.src.charCodeAt(s.pos + 1) === 124) break;
    s.pos += s.src.charCodeAt(s.pos + 1) === 38 ? 2 : 1;
    skipBlanksAndNewlines(s);
  }
  // A lone `( … )` or `{ …; }` already produced its own pipelines; only a real pipe makes an outer one.
  if (owned.length === 0 && elements <= 1) return null;
  const pipeline: PipelineDraft = { commands: elements > 1 ? members : owned, next: '', depth: s.depth };
  const pipelineIndex = sink.pipelines.length;
  sink.pipelines.push(pipeline);
  for (const index of owned) sink.commands[index]!.pipeline = pipelineIndex;
  if (pipeline.commands.length > 1) feedLiteralsToShells(s, pipeline.commands);
  if (hasDecoder(sink.commands, pipeline.commands)) {
    const payloads = decodedPayloadsOf(pipeline.commands.map((i) => sink.commands[i]!));
    for (const text of payloads) s.hooks.nested(s, text, 'decoded', false);
  }
  return pipeline;
}

/** `echo 'curl x' | sh`: literal text piped into a shell is shell code. */
function feedLiteralsToShells(s: Scan, members: readonly number[]): void {
  const commands = s.sink.commands;
  for (let i = 1; i < members.length; i++) {
    const shell = commands[members[i]!]!;
    if (!SHELL_NAMES.has(shell.name) || !shellReadsStdin(shell.argv)) continue;
    const text = literalOutputOf(commands[members[i - 1]!]!);
    if (text !== null) s.hooks.nested(s, text, 'shell-c', true);
  }
}

function hasDecoder(commands: readonly CommandDraft[], indices: readonly number[]): boolean {
  for (const i of indices) {
    const name = commands[i]!.name;
    if (name === 'base64' || name === 'openssl' || name === 'gbase64') return true;
  }
  return false;
}

function skipBlanksAndNewlines(s: Scan): void {
  for (;;) {
    skipBlanks(s);
    const c = s.src.charCodeAt(s.pos);
    if (c === CH_NL) consumeNewline(s);
    else if (c === 35) skipComment(s);
    else return;
  }
}

/** Parses one element of a pipeline; returns the index of the simple command it made, or -1 for compounds. */
function parseElement(s: Scan, stops: number): number {
  const src = s.src;
  for (let guard = 0; guard < 1000; guard++) {
    skipBlanks(s);
    if (s.pos >= s.end) return -1;
    const c = src.charCodeAt(s.pos);
    if (c === 40 /* ( */) {
      if (src.charCodeAt(s.pos + 1) === 40) s.pos = skipBalanced(src, s.pos + 1, s.end); // `(( arithmetic ))`
      else parseNestedList(s, STOP_PAREN | (stops & STOP_CASE), 41);
      skipTrailingRedirects(s);
      return -1;
    }
    const word = (c >= 97 && c <= 122) || c === 33 || c === 123 || c === 125 ? peekBareWord(s) : '';
    switch (word) {
      case 'if': case 'then': case 'else': case 'elif': case 'do': case 'while': case 'until': case '!':
        s.pos += word.length;
        continue;
      case 'fi': case 'done': case 'esac': case '}':
        s.pos += word.length;
        skipTrailingRedirects(s);
        return -1;
      case '{':
        s.pos++;
        parseNestedList(s, STOP_BRACE, 125);
        skipTrailingRedirects(s);
        return -1;
      case 'for': case 'select':
        skipForHeader(s, word.length);
        continue;
      case 'case':
        parseCase(s, stops);
        return -1;
      case 'function':
        s.pos += word.length;
        skipBlanks(s);
        readWord(s);
        skipBlanks(s);
        if (src.startsWith('()', s.pos)) s.pos += 2;
        continue;
      default:
        return parseSimple(s, stops);
    }
  }
  return -1;
}

/** `( list )` or `{ list; }`: s.pos is on (or just after, for `{`) the opener; `close` is `)` or `}`. */
function parseNestedList(s: Scan, stops: number, close: number): void {
  if (close === 41) s.pos++;
  if (s.nest >= MAX_NEST) {
    warn(s.sink, 'nesting limit reached: deeper commands were not parsed');
    s.pos = skipBalanced(s.src, s.pos, s.end);
    return;
  }
  const origin = s.origin;
  s.origin = 'subshell';
  s.nest++;
  parseList(s, stops);
  s.nest--;
  s.origin = origin;
  if (s.src.charCodeAt(s.pos) === close) s.pos++;
  else warn(s.sink, close === 41 ? 'unterminated (' : 'unterminated {');
}

function skipTrailingRedirects(s: Scan): void {
  for (;;) {
    skipBlanks(s);
    if (tryRedirect(s) === null) return;
  }
}

/** `for x in a b c;` / `for ((…));`: the header is not a command, but `$(…)` in its words still runs. */
function skipForHeader(s: Scan, keywordLength: number): void {
  s.pos += keywordLength;
  for (;;) {
    skipBlanks(s);
    if (s.pos >= s.end) return;
    const c = s.src.charCodeAt(s.pos);
    if (c === 59 || c === CH_NL) return void (c === 59 ? s.pos++ : consumeNewline(s));
    if (peekBareWord(s) === 'do') return;
    if (c === 40) s.pos = skipBalanced(s.src, s.pos + 1, s.end);
    else if (c < 128 && (CHAR_CLASS[c]! & C_META) !== 0) return;
    else readWord(s);
  }
}

/** `case word in pattern) list ;; … esac`. */
function parseCase(s: Scan, stops: number): void {
  s.pos += 4;
  skipBlanks(s);
  readWord(s);
  skipBlanksAndNewlines(s);
  if (peekBareWord(s) === 'in') s.pos += 2;
  for (let guard = 0; guard < 10_000; guard++) {
    skipBlanksAndNewlines(s);
    if (s.pos >= s.end) return warn(s.sink, 'unterminated case');
    if (peekBareWord(s) === 'esac') {
      s.pos += 4;
      skipTrailingRedirects(s);
      return;
    }
    if (s.src.charCodeAt(s.pos) === 41 && (stops & STOP_PAREN) !== 0) return warn(s.sink, 'unterminated case');
    skipCasePattern(s);
    parseList(s, STOP_CASE | (stops & STOP_PAREN));
    if (s.src.charCodeAt(s.pos) === 59) s.pos += s.src.startsWith(';;&', s.pos) ? 3 : 2;
  }
}

function skipCasePattern(s: Scan): void {
  if (s.src.charCodeAt(s.pos) === 40) s.pos++;
  while (s.pos < s.end) {
    skipBlanks(s);
    const c = s.src.charCodeAt(s.pos);
    const before = s.pos;
    if (c === 41) return void s.pos++;
    if (c === 124) s.pos++;
    else if (c === CH_NL) return;
    else readWord(s);
    if (s.pos === before) s.pos++;
  }
}

function parseSimple(s: Scan, stops: number): number {
  const src = s.src;
  const words: string[] = [];
  const assignments: string[] = [];
  let redirects: Redirect[] | null = null;
  let conditional = false; // inside `[[ … ]]`, `<`, `>`, `&&`, `(` are operands
  const heredocsBefore = s.heredocs.length;
  while (s.pos < s.end) {
    skipBlanks(s);
    if (s.pos >= s.end) break;
    const c = src.charCodeAt(s.pos);
    if (conditional && (c === 60 || c === 62 || c === 38 || c === 124 || c === 40 || c === 41)) {
      words.push(readOperatorRun(s));
      continue;
    }
    if (c === 60 || c === 62 || c === 38 || (c >= 48 && c <= 57)) {
      const redirect = tryRedirect(s);
      if (redirect !== null) {
        (redirects ??= []).push(redirect);
        continue;
      }
    }
    if (c < 128 && (CHAR_CLASS[c]! & C_META) !== 0 && c !== 60 && c !== 62) {
      if (c === 40 && words.length === 1 && assignments.length === 0) return parseFunctionBody(s, stops);
      break;
    }
    if (c === 35 /* # */) {
      skipComment(s);
      break;
    }
    const before = s.pos;
    const word = readWord(s);
    if (s.pos === before) {
      s.pos++;
      continue;
    }
    if (words.length === 0 && isAssignmentWord(word, s.wordPlainPrefix)) assignments.push(word);
    else {
      words.push(word);
      if (words.length === 1 && word === '[[' && !s.wordQuoted) conditional = true;
      else if (conditional && word === ']]') conditional = false;
    }
  }
  if (words.length === 0 && assignments.length === 0 && redirects === null) return -1;
  return finishCommand(s, words, assignments, redirects ?? NO_REDIRECTS, heredocsBefore);
}

function readOperatorRun(s: Scan): string {
  const start = s.pos;
  const c = s.src.charCodeAt(s.pos);
  s.pos += s.src.charCodeAt(s.pos + 1) === c && c !== 40 && c !== 41 ? 2 : 1;
  return s.src.slice(start, s.pos);
}

/** `name() body`: the name is a definition, not a command; the body's commands are reported. */
function parseFunctionBody(s: Scan, stops: number): number {
  let i = s.pos + 1;
  while (s.src.charCodeAt(i) === 32 || s.src.charCodeAt(i) === 9) i++;
  if (s.src.charCodeAt(i) !== 41) {
    warn(s.sink, 'unexpected (');
    return -1;
  }
  s.pos = i + 1;
  skipBlanksAndNewlines(s);
  if (s.nest >= MAX_NEST) return -1;
  s.nest++;
  const body = parsePipeline(s, stops);
  s.nest--;
  if (body !== null) body.next = ';';
  return -1;
}

function finishCommand(s: Scan, words: string[], assignments: string[], redirects: Redirect[], heredocsBefore: number): number {
  const { argv, prefixes } = unwrapCommand(words, assignments);
  const name = commandName(argv[0]);
  const command: CommandDraft = {
    argv, name, prefixes, assignments, redirects, pipeline: -1, position: 0, depth: s.depth, origin: s.origin,
    text: commandText(argv, redirects),
  };
  const index = pushCommand(s.sink, command);
  if (index < 0) return -1;
  for (let i = heredocsBefore; i < s.heredocs.length; i++) if (s.heredocs[i]!.command === null) s.heredocs[i]!.command = command;
  const inner = innerScriptOf(name, argv, prefixes);
  if (inner !== null) s.hooks.nested(s, inner.text, inner.origin, true);
  if (redirects.length > 0 && SHELL_NAMES.has(name) && shellReadsStdin(argv)) {
    for (const redirect of redirects) if (redirect.op === '<<<') s.hooks.nested(s, redirect.target, 'shell-c', true);
  }
  return index;
}

function commandText(argv: readonly string[], redirects: readonly Redirect[]): string {
  let text = argv.length === 1 ? argv[0]! : argv.join(' ');
  for (const { op, target } of redirects) {
    if (text !== '') text += ' ';
    // `2>&1` reads as one token in every rule written for it; `>& /dev/tcp/…` keeps its space like `>`.
    text += op.endsWith('&') && isFdTarget(target) ? op + target : `${op} ${target}`;
  }
  return text;
}

function isFdTarget(target: string): boolean {
  if (target === '-') return true;
  if (target === '') return false;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (!(c >= 48 && c <= 57) && !(c === 45 && i === target.length - 1 && i > 0)) return false;
  }
  return true;
}
