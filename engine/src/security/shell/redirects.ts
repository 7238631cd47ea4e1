/**
 * Redirections (`>`, `2>&1`, `&>`, `<<<`, `<<EOF`) and heredoc bodies. A body fed to a shell (`bash <<EOF`,
 * `cat <<EOF | sh`) is shell code and is parsed as such; a body fed to `base64 -d` is decoded; an unquoted body elsewhere is
 * still expanded by the shell, so its `$(…)` run and are parsed.
 */
import { decodePrintableBase64, isBase64Decoder } from './base64.js';
import { SHELL_NAMES, shellReadsStdin } from './innerScript.js';
import { createScan, isWordEnd, skipBlanks, warn, type CommandDraft, type PendingHeredoc, type Scan } from './scan.js';
import type { Redirect } from './types.js';
import { readDoubleQuoted, readWord } from './words.js';

/** Parses the redirection at s.pos, or returns null (leaving s.pos alone) when there is none. */
export function tryRedirect(s: Scan): Redirect | null {
  const src = s.src;
  let i = s.pos;
  while (i < s.end && i - s.pos < 4 && isDigit(src.charCodeAt(i))) i++;
  const c = src.charCodeAt(i);
  const next = src.charCodeAt(i + 1);
  let opEnd: number;
  if (c === 38 /* & */) {
    if (i > s.pos || next !== 62) return null;
    opEnd = src.charCodeAt(i + 2) === 62 ? i + 3 : i + 2;
  } else if (c === 60 /* < */) {
    if (next === 40) return null; // `<(…)` is a word
    if (next === 60) opEnd = src.charCodeAt(i + 2) === 60 || src.charCodeAt(i + 2) === 45 ? i + 3 : i + 2;
    else opEnd = next === 62 || next === 38 ? i + 2 : i + 1;
  } else if (c === 62 /* > */) {
    if (next === 40) return null;
    opEnd = next === 62 || next === 124 || next === 38 ? i + 2 : i + 1;
  } else return null;
  const op = src.slice(s.pos, opEnd);
  s.pos = opEnd;
  skipBlanks(s);
  if (isWordEnd(s, s.pos) && !startsProcessSubstitution(s)) {
    warn(s.sink, `redirect ${op} without a target`);
    return { op, target: '' };
  }
  const target = readWord(s);
  if ((op.endsWith('<<') && !op.endsWith('<<<')) || op.endsWith('<<-')) {
    s.heredocs.push({ delimiter: target, stripTabs: op.endsWith('-'), quoted: s.wordQuoted, command: null });
  }
  return { op, target };
}

function startsProcessSubstitution(s: Scan): boolean {
  const c = s.src.charCodeAt(s.pos);
  return (c === 60 || c === 62) && s.src.charCodeAt(s.pos + 1) === 40;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Consumes a newline and, if heredocs are pending, their bodies (which start on the next line). */
export function consumeNewline(s: Scan): void {
  s.pos++;
  if (s.heredocs.length > 0) readHeredocBodies(s);
}

function readHeredocBodies(s: Scan): void {
  const src = s.src;
  const pending = s.heredocs;
  s.heredocs = [];
  for (const heredoc of pending) {
    const bodyStart = s.pos;
    let bodyEnd = -1;
    while (s.pos < s.end) {
      const lineBegin = s.pos;
      let lineEnd = src.indexOf('\n', s.pos);
      if (lineEnd < 0 || lineEnd > s.end) lineEnd = s.end;
      let lineStart = lineBegin;
      if (heredoc.stripTabs) while (src.charCodeAt(lineStart) === 9) lineStart++;
      const isDelimiter = lineEnd - lineStart === heredoc.delimiter.length && src.startsWith(heredoc.delimiter, lineStart);
      s.pos = lineEnd < s.end ? lineEnd + 1 : s.end;
      if (isDelimiter) {
        bodyEnd = lineBegin;
        break;
      }
    }
    if (bodyEnd < 0) {
      warn(s.sink, `unterminated heredoc (missing ${heredoc.delimiter})`);
      bodyEnd = s.end;
    }
    useHeredocBody(s, heredoc, bodyStart, bodyEnd);
  }
}

function useHeredocBody(s: Scan, heredoc: PendingHeredoc, from: number, to: number): void {
  const command = heredoc.command;
  if (command !== null && (readsAsShell(command) || (command.name === 'cat' && pipesIntoShell(s, command)))) {
    s.hooks.nested(s, s.src.slice(from, to), 'shell-c', false);
    return;
  }
  if (command !== null && isBase64Decoder(command)) {
    const decoded = decodePrintableBase64(s.src.slice(from, to));
    if (decoded !== null) s.hooks.nested(s, decoded, 'decoded', false);
    return;
  }
  if (heredoc.quoted) return;
  const body = s.src.slice(from, to);
  if (!body.includes('$(') && !body.includes('`')) return;
  const place = { origin: s.origin, depth: s.depth, nest: s.nest, reparse: s.reparse, from, to };
  readDoubleQuoted(createScan(s.sink, s.hooks, s.src, place), false);
}

function readsAsShell(command: CommandDraft): boolean {
  return SHELL_NAMES.has(command.name) && shellReadsStdin(command.argv);
}

/** `cat <<EOF | sh`: the command's pipeline has closed by now, so the next command in it is known. */
function pipesIntoShell(s: Scan, command: CommandDraft): boolean {
  const members = s.sink.pipelines[command.pipeline]?.commands;
  if (members === undefined) return false;
  const at = members.indexOf(s.sink.commands.indexOf(command));
  const next = at < 0 ? undefined : members[at + 1];
  return next !== undefined && readsAsShell(s.sink.commands[next]!);
}

/** Heredocs still waiting for a body when the text ends. */
export function reportUnreadHeredocs(s: Scan): void {
  for (const heredoc of s.heredocs) warn(s.sink, `unterminated heredoc (missing ${heredoc.delimiter})`);
  s.heredocs = [];
}
