/**
 * Confirms that a port is an OpenCode server: `GET /global/health` answers `{healthy, version}`. A 401 means a
 * password-protected server; the given credentials are tried in order with HTTP Basic auth, and if none is
 * accepted the server is "locked". Every outcome is data; nothing here throws.
 */
import type { BasicCredentials } from './credentials.js';

export type HealthOutcome =
  | { readonly kind: 'healthy'; readonly version?: string; readonly credentials?: BasicCredentials }
  | { readonly kind: 'locked' }
  /** Something answered, but not like OpenCode (another service on a port an OpenCode process holds). */
  | { readonly kind: 'foreign'; readonly reason: string }
  /** Refused, timed out, reset: nothing answered. */
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface ProbeOptions {
  /** Per request. @default 1000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Caps how many pairs a locked server is asked with, so a long config list cannot hammer it. @default 5 */
  readonly maxCredentialTries?: number;
}

type Answer = { status: number; body: unknown } | { status: 'unreachable'; reason: string };

async function get(url: string, authorization: string | undefined, opts: ProbeOptions): Promise<Answer> {
  const doFetch = opts.fetch ?? fetch;
  try {
    const res = await doFetch(url, {
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 1_000),
      redirect: 'manual',
    });
    // Always drain the body so the connection is released, even when we ignore it.
    const text = await res.text();
    let body: unknown;
    try {
      body = res.status === 200 ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const name = (err as { name?: string }).name;
    return { status: 'unreachable', reason: name === 'TimeoutError' ? 'timed out' : (cause ?? (err instanceof Error ? err.message : String(err))) };
  }
}

/** `{healthy: boolean, version?: string}` is OpenCode's health body; anything else is another service. */
function readHealth(body: unknown): { version?: string } | undefined {
  if (typeof body !== 'object' || body === null || typeof (body as { healthy?: unknown }).healthy !== 'boolean') return undefined;
  const version = (body as { version?: unknown }).version;
  return typeof version === 'string' ? { version } : {};
}

function settle(answer: Answer, credentials?: BasicCredentials): HealthOutcome | 'retry-with-auth' {
  if (answer.status === 'unreachable') return { kind: 'unreachable', reason: answer.reason };
  if (answer.status === 401) return 'retry-with-auth';
  if (answer.status !== 200) return { kind: 'foreign', reason: `HTTP ${answer.status}` };
  const health = readHealth(answer.body);
  if (!health) return { kind: 'foreign', reason: 'not an OpenCode health answer' };
  return { kind: 'healthy', ...health, ...(credentials ? { credentials } : {}) };
}

/** `baseUrl` without a trailing slash, e.g. `http://127.0.0.1:4096`. */
export async function probeHealth(baseUrl: string, credentials: readonly BasicCredentials[], opts: ProbeOptions = {}): Promise<HealthOutcome> {
  const url = `${baseUrl}/global/health`;
  const first = settle(await get(url, undefined, opts));
  if (first !== 'retry-with-auth') return first;
  for (const c of credentials.slice(0, opts.maxCredentialTries ?? 5)) {
    const outcome = settle(await get(url, c.authorization(), opts), c);
    if (outcome !== 'retry-with-auth') return outcome;
  }
  return { kind: 'locked' };
}
