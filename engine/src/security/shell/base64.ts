/**
 * Literal base64 payloads decoded inside a pipeline (`echo Y3Vy… | base64 -d | sh`, `base64 -d <<< Y3Vy…`).
 * The decoded text is parsed as commands so rules see the hidden `curl … | sh`. Only printable text is
 * returned: binary payloads are not shell code, and parsing them would only add noise.
 */
import { Buffer } from 'node:buffer';

/** Payloads longer than this (in base64 characters) are not decoded. */
export const MAX_PAYLOAD_CHARS = 16 * 1024;

interface CommandWords {
  readonly name: string;
  readonly argv: readonly string[];
  readonly redirects: readonly { readonly op: string; readonly target: string }[];
}

/** True for `base64 -d`, `base64 --decode`, `base64 -D`, `openssl base64 -d`, `openssl enc -base64 -d`. */
export function isBase64Decoder(command: CommandWords): boolean {
  const { name, argv } = command;
  if (name === 'base64' || name === 'gbase64') return argv.some(isDecodeFlag);
  if (name !== 'openssl' || argv.length < 2) return false;
  const sub = argv[1];
  const base64 = sub === 'base64' || (sub === 'enc' && argv.some((w) => w === '-base64' || w === '-a' || w === '-A'));
  return base64 && argv.includes('-d');
}

function isDecodeFlag(word: string): boolean {
  if (word === '--decode') return true;
  if (word.length < 2 || word[0] !== '-' || word[1] === '-') return false;
  return word.includes('d') || word.includes('D');
}

/** The literal a command writes to stdout when it is `echo …` or `printf …` of plain words, else null. */
export function literalOutputOf(command: CommandWords): string | null {
  const { name, argv } = command;
  if (name === 'echo') {
    let i = 1;
    while (i < argv.length && /^-[neE]+$/.test(argv[i]!)) i++;
    return i < argv.length ? argv.slice(i).join(' ') : null;
  }
  if (name === 'printf' && argv.length > 1) {
    const format = argv[1]!;
    if (format.startsWith('%s') || format.startsWith('%b')) return argv.length > 2 ? argv.slice(2).join('') : null;
    return format.includes('%') ? null : format;
  }
  return null;
}

/** The here-string fed to a command (`<<< payload`), or null. */
export function hereStringOf(command: CommandWords): string | null {
  for (const redirect of command.redirects) if (redirect.op.endsWith('<<<')) return redirect.target;
  return null;
}

/** Decodes `payload` when it is plausible base64 of printable text; null otherwise. */
export function decodePrintableBase64(payload: string): string | null {
  const compact = payload.replace(/\s+/g, '');
  if (compact.length < 4 || compact.length > MAX_PAYLOAD_CHARS) return null;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length === 0) return null;
  for (const byte of bytes) {
    const printable = byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte !== 127);
    if (!printable) return null;
  }
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? null : text;
}

/**
 * Decoded payloads of a pipeline, given its commands in pipe order: for each base64 decoder, the literal it
 * reads from a here-string or from the `echo`/`printf` just before it.
 */
export function decodedPayloadsOf(pipeline: readonly CommandWords[]): string[] {
  let found: string[] | null = null;
  for (let i = 0; i < pipeline.length; i++) {
    const command = pipeline[i]!;
    if (!isBase64Decoder(command)) continue;
    const previous = i > 0 ? pipeline[i - 1] : undefined;
    const payload = hereStringOf(command) ?? (previous === undefined ? null : literalOutputOf(previous));
    const text = payload === null ? null : decodePrintableBase64(payload);
    if (text !== null) (found ??= []).push(text);
  }
  return found ?? [];
}
