/**
 * Reads the one credential the opt-in Claude usage feature needs: the OAuth access token OpenCode stored for its
 * `anthropic` provider in `auth.json`. Nothing else in that file is looked at. The token is wrapped in a
 * `Secret` so that logging, JSON-encoding or string-interpolating it by mistake prints `[redacted]`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import type { Result } from '../../../../shared/src/index.js';

export type ReadTextFile = (file: string) => Promise<string>;

export const readTextFile: ReadTextFile = (file) => readFile(file, 'utf8');

const REDACTED = '[redacted]';

/** A value that only `reveal()` gives out; every other way of turning it into text yields `[redacted]`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Where OpenCode keeps credentials, given its data directory (`resolvePaths().openCodeDataDir`). */
export function authFileIn(openCodeDataDir: string): string {
  return path.join(openCodeDataDir, 'auth.json');
}

/** Replaces every occurrence of the secret in a text that is about to leave this module (an error message). */
export function redact(text: string, secret: Secret | undefined): string {
  const value = secret?.reveal();
  return value ? text.split(value).join(REDACTED) : text;
}

function noToken(authFile: string, why: string): Result<Secret> {
  return { ok: false, problem: { code: 'source.unreadable', message: `no Claude subscription token: ${why}`, source: authFile } };
}

/** Pure: the `anthropic` OAuth access token from the text of auth.json. Messages never quote the file. */
export function parseClaudeAccessToken(text: string, authFile: string): Result<Secret> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, which holds credentials: say only that it is not JSON.
    return { ok: false, problem: { code: 'parse.invalid-json', message: 'auth.json is not valid JSON', source: authFile } };
  }
  const entry = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).anthropic : undefined;
  if (typeof entry !== 'object' || entry === null) return noToken(authFile, 'auth.json has no "anthropic" entry (log in with `opencode auth login`, Anthropic, Claude Pro/Max)');
  const { type, access } = entry as { type?: unknown; access?: unknown };
  if (type !== undefined && type !== 'oauth') {
    return noToken(authFile, `the "anthropic" entry is a ${typeof type === 'string' ? type.slice(0, 20) : 'non-OAuth'} credential, not a Claude subscription login`);
  }
  if (typeof access !== 'string' || access.trim() === '') return noToken(authFile, 'the "anthropic" entry has no OAuth access token');
  return { ok: true, value: new Secret(access.trim()) };
}

export async function readClaudeAccessToken(authFile: string, read: ReadTextFile = readTextFile): Promise<Result<Secret>> {
  let text: string;
  try {
    text = await read(authFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'auth.json does not exist (OpenCode has no stored login)' : `auth.json could not be read (${code ?? 'error'})`;
    return noToken(authFile, why);
  }
  return parseClaudeAccessToken(text, authFile);
}
