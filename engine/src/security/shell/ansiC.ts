/**
 * Decoding of bash ANSI-C quoting (`$'…'`), a favourite way to hide a command name (`$'\x63url'` is `curl`).
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

export interface AnsiCQuote {
  readonly text: string;
  /** Index just after the closing quote (or the end of the scanned range when unterminated). */
  readonly next: number;
  readonly terminated: boolean;
}

/** Decodes the body of `$'…'` starting at `from` (just after the opening quote) and ending before `end`. */
export function decodeAnsiC(src: string, from: number, end: number): AnsiCQuote {
  let out = '';
  let run = from;
  let i = from;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 39 /* ' */) return { text: out + src.slice(run, i), next: i + 1, terminated: true };
    if (c !== 92 /* \ */ || i + 1 >= end) {
      i++;
      continue;
    }
    out += src.slice(run, i);
    const escape = src[i + 1]!;
    i += 2;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) out += simple;
    else if (escape >= '0' && escape <= '7') {
      const digits = takeDigits(src, i - 1, end, 3, 8);
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
      i += digits.length - 1;
    } else if (escape === 'x' || escape === 'u' || escape === 'U') {
      const digits = takeDigits(src, i, end, escape === 'x' ? 2 : escape === 'u' ? 4 : 8, 16);
      if (digits === '') out += '\\' + escape;
      else out += codePointText(parseInt(digits, 16));
      i += digits.length;
    } else if (escape === 'c' && i < end) {
      out += String.fromCharCode(src.charCodeAt(i) & 0x1f);
      i++;
    } else out += '\\' + escape;
    run = i;
  }
  return { text: out + src.slice(run, end), next: end, terminated: false };
}

function takeDigits(src: string, from: number, end: number, max: number, radix: 8 | 16): string {
  let i = from;
  while (i < end && i - from < max && isDigit(src.charCodeAt(i), radix)) i++;
  return src.slice(from, i);
}

function isDigit(c: number, radix: 8 | 16): boolean {
  if (radix === 8) return c >= 48 && c <= 55;
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function codePointText(code: number): string {
  return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
}
