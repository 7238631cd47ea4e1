/**
 * HTTP Basic credentials for password-protected OpenCode servers. The password sits in a true private field, so
 * `JSON.stringify`, spread, `Object.keys` and `util.inspect` cannot leak it into state, logs or the wire; only
 * `authorization()` ever reads it.
 */
export const DEFAULT_USERNAME = 'opencode';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class BasicCredentials {
  readonly username: string;
  readonly #password: string;

  constructor(username: string | undefined, password: string) {
    this.username = username && username.length > 0 ? username : DEFAULT_USERNAME;
    this.#password = password;
  }

  /** The `Authorization` header value. */
  authorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.#password}`, 'utf8').toString('base64')}`;
  }

  sameAs(other: BasicCredentials): boolean {
    return other.username === this.username && other.#password === this.#password;
  }

  toJSON(): { username: string; password: string } {
    return { username: this.username, password: '[redacted]' };
  }

  toString(): string {
    return `BasicCredentials(${this.username}, [redacted])`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** Credentials an OpenCode server was started with, as its own environment says (OPENCODE_SERVER_*). */
export function credentialsFromEnvironment(env: Readonly<Record<string, string>> | undefined): BasicCredentials | undefined {
  const password = env?.OPENCODE_SERVER_PASSWORD;
  if (password === undefined || password === '') return undefined;
  return new BasicCredentials(env?.OPENCODE_SERVER_USERNAME, password);
}

/** Drops repeats so a locked server is not asked twice with the same pair. */
export function uniqueCredentials(list: ReadonlyArray<BasicCredentials | undefined>): BasicCredentials[] {
  const out: BasicCredentials[] = [];
  for (const c of list) if (c && !out.some((o) => o.sameAs(c))) out.push(c);
  return out;
}
