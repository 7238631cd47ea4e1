/**
 * Opt-in Claude subscription usage (seed study §1.5). Off by default: while `enabled` is false nothing here
 * opens auth.json or makes a request. When on, each refresh reads OpenCode's stored Anthropic OAuth token,
 * calls the usage endpoint with it, and caches the answer (or the problem) for the refresh interval so the tray
 * and dashboard can ask as often as they like. The token never leaves this module: problems are redacted.
 */
import type { Result } from '../../../../shared/src/index.js';
import { readClaudeAccessToken, readTextFile, redact } from './claudeAuth.js';
import type { ReadTextFile, Secret } from './claudeAuth.js';
import { parseUsageBody } from './usageWindows.js';
import type { ClaudeUsage } from './usageWindows.js';

/** The endpoint the seed called. */
export const CLAUDE_USAGE_ENDPOINT = 'https://api.anthropic.com/api/oauth/usage';
/** The beta header the endpoint requires for OAuth tokens (seed study §1.5). */
export const CLAUDE_OAUTH_BETA = 'oauth-2025-04-20';
/** The seed's default refresh, and the range of its preference menu (30 s … 10 min). */
export const CLAUDE_USAGE_REFRESH_MS = 60_000;
export const CLAUDE_USAGE_REFRESH_MIN_MS = 30_000;
export const CLAUDE_USAGE_REFRESH_MAX_MS = 600_000;
export const CLAUDE_USAGE_TIMEOUT_MS = 10_000;

export interface ClaudeUsageOptions {
  /** The opt-in. False (the default in the monitor's config) means auth.json is never opened. */
  readonly enabled: boolean;
  /** OpenCode's auth.json (`authFileIn(resolvePaths().openCodeDataDir)`). */
  readonly authFile: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly endpoint?: string;
  readonly now?: () => number;
  /** Clamped to 30 s … 10 min, the seed's choices. */
  readonly refreshIntervalMs?: number;
  readonly timeoutMs?: number;
  /** Injected so tests can prove the file is not touched while the feature is off. */
  readonly readFile?: ReadTextFile;
}

export interface ClaudeUsageReader {
  readonly enabled: boolean;
  /** The cached result when younger than the refresh interval; otherwise one fresh fetch shared by all callers. */
  read(): Promise<Result<ClaudeUsage>>;
}

const DISABLED: Result<ClaudeUsage> = {
  ok: false,
  problem: { code: 'live.opt-in-off', message: 'Claude usage is off; it is opt-in because it reads OpenCode\'s stored Anthropic token' },
};

export function createClaudeUsage(opts: ClaudeUsageOptions): ClaudeUsageReader {
  if (!opts.enabled) return { enabled: false, read: () => Promise.resolve(DISABLED) };
  const now = opts.now ?? Date.now;
  const interval = Math.min(CLAUDE_USAGE_REFRESH_MAX_MS, Math.max(CLAUDE_USAGE_REFRESH_MIN_MS, opts.refreshIntervalMs ?? CLAUDE_USAGE_REFRESH_MS));
  let cached: { at: number; result: Result<ClaudeUsage> } | undefined;
  let inFlight: Promise<Result<ClaudeUsage>> | undefined;

  async function refresh(): Promise<Result<ClaudeUsage>> {
    // Read the file on every refresh: OpenCode rewrites it whenever it renews the token.
    const token = await readClaudeAccessToken(opts.authFile, opts.readFile ?? readTextFile);
    const result = token.ok ? await fetchUsage(token.value, opts, now) : token;
    cached = { at: now(), result };
    return result;
  }

  return {
    enabled: true,
    read() {
      if (cached && now() - cached.at < interval) return Promise.resolve(cached.result);
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

function statusMessage(status: number): string {
  if (status === 401) return 'the Claude token was refused (HTTP 401): it has expired or was revoked; OpenCode renews it the next time it talks to Anthropic';
  if (status === 403) return 'the Claude token may not read usage (HTTP 403)';
  if (status === 429) return 'the usage endpoint is rate-limiting (HTTP 429); the next refresh tries again';
  return `the usage endpoint answered HTTP ${status}`;
}

async function fetchUsage(token: Secret, opts: ClaudeUsageOptions, now: () => number): Promise<Result<ClaudeUsage>> {
  const endpoint = opts.endpoint ?? CLAUDE_USAGE_ENDPOINT;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const problem = (code: 'live.unreachable' | 'live.http-status' | 'live.bad-response', message: string, status?: number): Result<ClaudeUsage> => ({
    ok: false,
    problem: { code, message: redact(message, token), source: endpoint, ...(status === undefined ? {} : { detail: { status } }) },
  });
  let response: Response;
  let text: string;
  try {
    response = await doFetch(endpoint, {
      method: 'GET',
      headers: {
        authorization: `Bearer ${token.reveal()}`,
        'anthropic-beta': CLAUDE_OAUTH_BETA,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      // A redirect would carry the request elsewhere; take it as an answer instead of following it.
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? CLAUDE_USAGE_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (err) {
    const name = (err as { name?: string }).name;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const why = name === 'TimeoutError' ? 'timed out' : (cause ?? (err instanceof Error ? err.message : String(err)));
    return problem('live.unreachable', `the usage endpoint did not answer: ${why}`);
  }
  if (response.status !== 200) return problem('live.http-status', statusMessage(response.status), response.status);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem('live.bad-response', 'the usage endpoint answered with something that is not JSON');
  }
  const parsed = parseUsageBody(body, now());
  return parsed.ok ? parsed : { ok: false, problem: { ...parsed.problem, source: endpoint } };
}
