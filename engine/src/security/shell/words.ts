/**
 * Reading one shell word: quote removal, backslash escapes, ANSI-C quoting, and the substitutions a word can
 * hold. Substitutions are parsed as commands (through Scan.hooks) but stay literal in the word, as do `$VAR`
 * and `${VAR}`: the audit judges what is spelled, never what a variable might hold.
 */
import { decodeAnsiC } from './ansiC.js';
import { CHAR_CLASS, C_META, CH_BACKSLASH, CH_NL, skipBalanced, warn, type Scan } from './scan.js';

/**
 * Reads the word at s.pos up to the next unquoted metacharacter. Sets s.wordQuoted and s.wordPlainPrefix.
 * A word starting with `<(` or `>(` is a process substitution, kept literally.
 */
export function readWord(s: Scan): string {
  const src = s.src;
  let out = '';
  let plainPrefix = -1;
  let quoted = false;
  const first = src.charCodeAt(s.pos);
  if ((first === 60 || first === 62) && src.charCodeAt(s.pos + 1) === 40) {
    const start = s.pos;
    s.pos += 2;
    s.hooks.substitution(s, 'process-substitution', start);
    out = src.slice(start, s.pos);
    plainPrefix = 0;
  }
  let run = s.pos;
  while (s.pos < s.end) {
    const c = src.charCodeAt(s.pos);
    if (c >= 128 || CHAR_CLASS[c] === 0) {
      s.pos++;
      continue;
    }
    if ((CHAR_CLASS[c]! & C_META) !== 0) {
      // `arr=(a b c)`: an array literal is part of its assignment word, not a subshell.
      if (c === 40 && s.pos > run && src.charCodeAt(s.pos - 1) === 61 /* = */) {
        s.pos = skipBalanced(src, s.pos + 1, s.end);
        continue;
      }
      break;
    }
    if (plainPrefix < 0) plainPrefix = out.length + s.pos - run;
    out += src.slice(run, s.pos);
    if (c === CH_BACKSLASH) {
      if (src.charCodeAt(s.pos + 1) === CH_NL) s.pos += 2;
      else if (s.pos + 1 < s.end) {
        out += src[s.pos + 1];
        s.pos += 2;
        quoted = true;
      } else {
        out += '\\';
        s.pos++;
      }
    } else if (c === 39 /* ' */) {
      out += readSingleQuoted(s);
      quoted = true;
    } else if (c === 34 /* " */) {
      s.pos++;
      out += readDoubleQuoted(s, true);
      quoted = true;
    } else if (c === 96 /* ` */) out += readBacktick(s, false);
    else {
      const next = src.charCodeAt(s.pos + 1);
      if (next === 39 || next === 34) quoted = true;
      out += readDollar(s, false);
    }
    run = s.pos;
  }
  out += src.slice(run, s.pos);
  s.wordQuoted = quoted;
  s.wordPlainPrefix = plainPrefix < 0 ? out.length : plainPrefix;
  return out;
}

function readSingleQuoted(s: Scan): string {
  const close = s.src.indexOf("'", s.pos + 1);
  if (close < 0 || close >= s.end) {
    warn(s.sink, 'unterminated single quote');
    const text = s.src.slice(s.pos + 1, s.end);
    s.pos = s.end;
    return text;
  }
  const text = s.src.slice(s.pos + 1, close);
  s.pos = close + 1;
  return text;
}

/**
 * Reads a double-quoted body from s.pos (after the opening quote). With `closing` false it reads to the end of
 * the scan, which is how an unquoted heredoc body is expanded.
 */
export function readDoubleQuoted(s: Scan, closing: boolean): string {
  const src = s.src;
  let out = '';
  let run = s.pos;
  while (s.pos < s.end) {
    const c = src.charCodeAt(s.pos);
    if (c === 34 && closing) {
      out += src.slice(run, s.pos);
      s.pos++;
      return out;
    }
    if (c === CH_BACKSLASH) {
      const next = src.charCodeAt(s.pos + 1);
      if (next === CH_NL || next === 36 || next === 96 || next === 34 || next === CH_BACKSLASH) {
        out += src.slice(run, s.pos) + (next === CH_NL ? '' : src[s.pos + 1]);
        s.pos += 2;
        run = s.pos;
      } else s.pos++;
      continue;
    }
    if (c === 36 || c === 96) {
      out += src.slice(run, s.pos);
      out += c === 36 ? readDollar(s, true) : readBacktick(s, true);
      run = s.pos;
      continue;
    }
    s.pos++;
  }
  if (closing) warn(s.sink, 'unterminated double quote');
  return out + src.slice(run, s.pos);
}

/** At a `$`: substitution, arithmetic, `${…}`, `$'…'`, `$"…"`, or a plain `$` (variables stay literal). */
function readDollar(s: Scan, inDouble: boolean): string {
  const src = s.src;
  const start = s.pos;
  const next = src.charCodeAt(s.pos + 1);
  if (next === 40 /* ( */) {
    if (src.charCodeAt(s.pos + 2) === 40) {
      // `$((…))` is arithmetic, not a command.
      s.pos = skipBalanced(src, s.pos + 2, s.end);
    } else {
      s.pos += 2;
      s.hooks.substitution(s, 'substitution', start);
    }
    return src.slice(start, s.pos);
  }
  if (next === 123 /* { */) {
    readParameter(s);
    return src.slice(start, s.pos);
  }
  if (!inDouble && next === 39) {
    const quote = decodeAnsiC(src, s.pos + 2, s.end);
    if (!quote.terminated) warn(s.sink, 'unterminated $\' quote');
    s.pos = quote.next;
    return quote.text;
  }
  if (!inDouble && next === 34) {
    s.pos += 2;
    return readDoubleQuoted(s, true);
  }
  s.pos++;
  return '$';
}

/** Steps over `${…}`, parsing any `$(…)` inside it (`${x:-$(curl …)}` runs curl). */
function readParameter(s: Scan): void {
  const src = s.src;
  let open = 1;
  let i = s.pos + 2;
  while (i < s.end) {
    const c = src.charCodeAt(i);
    if (c === CH_BACKSLASH) i += 2;
    else if (c === 36 && src.charCodeAt(i + 1) === 40 && src.charCodeAt(i + 2) !== 40) {
      s.pos = i + 2;
      s.hooks.substitution(s, 'substitution', i);
      i = s.pos;
    } else if (c === 36 && src.charCodeAt(i + 1) === 123) {
      open++;
      i += 2;
    } else if (c === 125 /* } */) {
      i++;
      if (--open === 0) {
        s.pos = i;
        return;
      }
    } else i++;
  }
  warn(s.sink, 'unterminated ${');
  s.pos = s.end;
}

/** Reads `` `…` `` and parses its body (after backslash unescaping) as a nested command substitution. */
function readBacktick(s: Scan, inDouble: boolean): string {
  const src = s.src;
  const start = s.pos;
  let body = '';
  let i = s.pos + 1;
  let run = i;
  let closed = false;
  while (i < s.end) {
    const c = src.charCodeAt(i);
    if (c === CH_BACKSLASH) {
      const next = src.charCodeAt(i + 1);
      if (next === 96 || next === CH_BACKSLASH || next === 36 || (inDouble && next === 34)) {
        body += src.slice(run, i) + src[i + 1];
        run = i + 2;
      }
      i += 2;
    } else if (c === 96) {
      closed = true;
      break;
    } else i++;
  }
  body += src.slice(run, Math.min(i, s.end));
  s.pos = closed ? i + 1 : s.end;
  if (!closed) warn(s.sink, 'unterminated backtick');
  const raw = src.slice(start, s.pos);
  const seen = s.sink.seenSubstitutions;
  if (!(s.reparse && seen.has(raw))) {
    seen.add(raw);
    s.hooks.nested(s, body, 'substitution', s.reparse);
  }
  return raw;
}
