import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLAUDE_OAUTH_BETA, createClaudeUsage } from './claudeUsage.js';

const TOKEN = 'sk-ant-oat01-loopback-test-token';
const USAGE = {
  five_hour: { utilization: 45.9, resets_at: '2026-11-25T14:00:00+00:00' },
  seven_day: { utilization: 12.2, resets_at: '2026-11-30T09:00:00+00:00' },
};

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
}

/** A loopback stand-in for the usage endpoint; the real remote API is never called. */
async function serve(handler: http.RequestListener): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/oauth/usage`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const json = (status: number, body: unknown): http.RequestListener => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};

let dir = '';
let authFile = '';
const servers: Array<{ close(): Promise<void> }> = [];

async function endpoint(handler: http.RequestListener): Promise<{ url: string; seen: Seen[] }> {
  const s = await serve(handler);
  servers.push(s);
  return s;
}

async function writeToken(token: string): Promise<void> {
  await writeFile(authFile, JSON.stringify({ anthropic: { type: 'oauth', refresh: 'sk-ant-ort01-r', access: token, expires: 0 } }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ocm-usage-'));
  authFile = path.join(dir, 'auth.json');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await writeToken(TOKEN);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createClaudeUsage, off (the default)', () => {
  it('never opens auth.json and never calls out, however often it is asked', async () => {
    const readFile = vi.fn(async () => {
      throw new Error('auth.json must not be opened while usage is off');
    });
    const fetch = vi.fn(async () => {
      throw new Error('no request may be made while usage is off');
    });
    const usage = createClaudeUsage({ enabled: false, authFile: path.join(dir, 'no-access', 'auth.json'), fetch, readFile });
    expect(usage.enabled).toBe(false);
    const first = await usage.read();
    await usage.read();
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.problem.message).toMatch(/off.*opt-in/);
    expect(readFile).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('createClaudeUsage, on', () => {
  it('sends the stored token as a Bearer with the OAuth beta header and reads both windows', async () => {
    await writeToken(TOKEN);
    const api = await endpoint(json(200, USAGE));
    const usage = createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 1_000 });
    const result = await usage.read();
    expect(result).toEqual({
      ok: true,
      value: {
        fiveHour: { utilizationPercent: 45, resetsAtMs: Date.UTC(2026, 10, 25, 14) },
        sevenDay: { utilizationPercent: 12, resetsAtMs: Date.UTC(2026, 10, 30, 9) },
        fetchedAtMs: 1_000,
      },
    });
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method: 'GET', url: '/api/oauth/usage' });
    expect(api.seen[0]?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'anthropic-beta': CLAUDE_OAUTH_BETA });
  });

  it('caches for the refresh interval, then re-reads auth.json (OpenCode renews the token) and fetches again', async () => {
    await writeToken(TOKEN);
    const api = await endpoint(json(200, USAGE));
    let clock = 0;
    const usage = createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => clock });
    await usage.read();
    clock = 59_999;
    const cached = await usage.read();
    expect(cached.ok && cached.value.fetchedAtMs).toBe(0);
    expect(api.seen).toHaveLength(1);
    await writeToken('sk-ant-oat01-renewed');
    clock = 60_000;
    const fresh = await usage.read();
    expect(fresh.ok && fresh.value.fetchedAtMs).toBe(60_000);
    expect(api.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer sk-ant-oat01-renewed']);
  });

  it('shares one request between callers that ask at the same time', async () => {
    const api = await endpoint(json(200, USAGE));
    const usage = createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0 });
    const results = await Promise.all([usage.read(), usage.read(), usage.read()]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(api.seen).toHaveLength(1);
  });

  it('holds the refresh interval to the seed range (at least 30 s)', async () => {
    const api = await endpoint(json(200, USAGE));
    let clock = 0;
    const usage = createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => clock, refreshIntervalMs: 1 });
    await usage.read();
    clock = 29_999;
    await usage.read();
    expect(api.seen).toHaveLength(1);
    clock = 30_000;
    await usage.read();
    expect(api.seen).toHaveLength(2);
  });

  it('caches a problem too, so an expired token is not retried on every refresh of the menu', async () => {
    const api = await endpoint(json(401, { error: { type: 'authentication_error', message: 'OAuth token has expired' } }));
    const usage = createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0 });
    const result = await usage.read();
    await usage.read();
    expect(api.seen).toHaveLength(1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ code: 'live.http-status', source: api.url, detail: { status: 401 } });
    expect(result.problem.message).toMatch(/expired or was revoked/);
  });

  it.each([
    ['another status', json(500, 'oops'), 'live.http-status', /HTTP 500/],
    ['a redirect, which is not followed', (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end(), 'live.http-status', /HTTP 302/],
    ['text that is not JSON', json(200, '<html>maintenance</html>'), 'live.bad-response', /not JSON/],
    ['JSON without any window', json(200, { five_hour: null, seven_day: null }), 'live.bad-response', /neither a 5-hour nor a 7-day/],
  ] as const)('reports %s as data', async (_label, handler, code, message) => {
    const api = await endpoint(handler);
    const result = await createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0 }).read();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe(code);
    expect(result.problem.message).toMatch(message);
    expect(JSON.stringify(result.problem)).not.toContain(TOKEN);
    expect(api.seen).toHaveLength(1);
  });

  it('reports a closed port as unreachable', async () => {
    const api = await serve(json(200, USAGE));
    await api.close();
    const result = await createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0 }).read();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ code: 'live.unreachable', message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('reports a server that never answers as unreachable once the timeout fires', async () => {
    const api = await endpoint(() => undefined);
    const result = await createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0, timeoutMs: 50 }).read();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ code: 'live.unreachable', message: expect.stringMatching(/timed out/) });
  });

  it('redacts the token from an error that happens to quote the request', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      throw new Error(`refused request with ${JSON.stringify(init?.headers)}`);
    });
    const result = await createClaudeUsage({ enabled: true, authFile, fetch, endpoint: 'http://127.0.0.1:9/usage', now: () => 0 }).read();
    expect(fetch).toHaveBeenCalledOnce();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.message).toContain('Bearer [redacted]');
    expect(JSON.stringify(result.problem)).not.toContain(TOKEN);
  });

  it('makes no request when auth.json has no Claude login', async () => {
    await writeFile(authFile, JSON.stringify({ openai: { type: 'api', key: 'sk-x' } }));
    const api = await endpoint(json(200, USAGE));
    const result = await createClaudeUsage({ enabled: true, authFile, endpoint: api.url, now: () => 0 }).read();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ code: 'source.unreadable', source: authFile });
    expect(api.seen).toHaveLength(0);
  });
});
