import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BasicCredentials } from './credentials.js';
import { probeHealth } from './health.js';

/** A real loopback server that answers like OpenCode (optionally with a password) or like something else. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void>; seen: Array<string | undefined> }> {
  const seen: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

const opencodeLike = (password?: string): http.RequestListener => (req, res) => {
  const expected = password === undefined ? undefined : `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}`;
  if (expected !== undefined && req.headers.authorization !== expected) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="Secure Area"' }).end('Unauthorized');
    return;
  }
  if (req.url !== '/global/health') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ healthy: true, version: '1.18.33' }));
};

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const start = async (h: http.RequestListener) => {
  const s = await serve(h);
  servers.push(s);
  return s;
};

describe('probeHealth', () => {
  it('confirms an open server with its version and sends no credentials', async () => {
    const s = await start(opencodeLike());
    expect(await probeHealth(s.url, [new BasicCredentials(undefined, 'unused')])).toEqual({ kind: 'healthy', version: '1.18.33' });
    expect(s.seen).toEqual([undefined]);
  });

  it('authenticates a password server with the first accepted credentials', async () => {
    const s = await start(opencodeLike('right'));
    const good = new BasicCredentials(undefined, 'right');
    const outcome = await probeHealth(s.url, [new BasicCredentials(undefined, 'wrong'), good]);
    expect(outcome).toMatchObject({ kind: 'healthy', version: '1.18.33' });
    expect(outcome.kind === 'healthy' && outcome.credentials === good).toBe(true);
    expect(s.seen).toHaveLength(3);
  });

  it('reports locked when no credentials are accepted, and caps the tries', async () => {
    const s = await start(opencodeLike('right'));
    const many = Array.from({ length: 9 }, (_, i) => new BasicCredentials(undefined, `wrong-${i}`));
    expect(await probeHealth(s.url, many, { maxCredentialTries: 3 })).toEqual({ kind: 'locked' });
    expect(s.seen).toHaveLength(4);
  });

  it('tells another service apart from OpenCode', async () => {
    const html = await start((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    expect(await probeHealth(html.url, [])).toMatchObject({ kind: 'foreign' });
    const json = await start((_, res) => res.writeHead(200).end('{"status":"ok"}'));
    expect(await probeHealth(json.url, [])).toMatchObject({ kind: 'foreign' });
    const missing = await start((_, res) => res.writeHead(404).end());
    expect(await probeHealth(missing.url, [])).toEqual({ kind: 'foreign', reason: 'HTTP 404' });
  });

  it('reports a closed port and a server that never answers as unreachable', async () => {
    const s = await start(opencodeLike());
    const url = s.url;
    await servers.pop()?.close();
    expect(await probeHealth(url, [])).toMatchObject({ kind: 'unreachable', reason: 'ECONNREFUSED' });
    const silent = await start(() => undefined);
    expect(await probeHealth(silent.url, [], { timeoutMs: 200 })).toEqual({ kind: 'unreachable', reason: 'timed out' });
  });
});
