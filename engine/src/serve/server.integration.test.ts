import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSnapshotBodyReader, decodeServerMessage, SOURCES_TABLE, type ServerMessage } from '../../../shared/src/index.js';
import { buildIpc } from '../arrow/index.js';
import { createMemoryLogger } from '../log.js';
import { startServer, type RunningServer } from './server.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuv';
let server: RunningServer;
let uiDir: string;

beforeAll(async () => {
  uiDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-ui-'));
  await fs.writeFile(path.join(uiDir, 'index.html'), '<!doctype html><title>ok</title>');
  await fs.writeFile(path.join(os.tmpdir(), 'ocm-secret-outside.txt'), 'SECRET-OUTSIDE-CONTENT');
  const rows = [{ kind: 'sqlite', path: '/d/opencode.db', bytes: 1, sessions: 2, messages: 3, parts: 4, modified_at: null, problem: null }];
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    uiDir,
    logger: createMemoryLogger(),
    snapshot: async () => ({ engineVersion: 't', demo: false, dataDir: '/d', tables: [{ name: 'sources', rows: 1, chunks: [buildIpc(SOURCES_TABLE, rows)] }] }),
  });
});

afterAll(async () => {
  await server.close();
  await fs.rm(uiDir, { recursive: true, force: true });
});

/** A raw request, so tests control Host and Origin exactly (fetch would not let us forge Host). */
function request(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw GET whose body comes back as bytes (the snapshot body is binary). */
function requestBytes(pathname: string, headers: Record<string, string>): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(parts)) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the stream; fetches the snapshot body its hello names with the same headers; counts the tables in it. */
function openSocket(headers: Record<string, string>): Promise<{ messages: ServerMessage[]; chunks: number; bodyPath?: string; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    const messages: ServerMessage[] = [];
    let chunks = 0;
    let bodyPath: string | undefined;
    const done = (extra: { error?: string } = {}) => resolve({ messages, chunks, ...(bodyPath ? { bodyPath } : {}), ...extra });
    ws.on('message', (data) => {
      const decoded = decodeServerMessage(data.toString());
      if (decoded.ok) messages.push(decoded.value);
      if (decoded.ok && decoded.value.type === 'hello' && decoded.value.snapshotPath) {
        bodyPath = decoded.value.snapshotPath;
        void requestBytes(bodyPath, headers).then(({ body }) => {
          const records = createSnapshotBodyReader().push(body);
          chunks = records.ok ? records.value.filter((r) => r.header.end).length : -1;
        });
      }
      if (decoded.ok && decoded.value.type === 'snapshot-done') ws.close();
    });
    ws.on('unexpected-response', (_req, res) => done({ error: `HTTP ${res.statusCode}` }));
    ws.on('error', (error) => done({ error: error.message }));
    ws.on('close', () => done());
  });
}

describe('access control', () => {
  it('refuses a request without a token, and one with a wrong token', async () => {
    expect((await request('/api/health')).status).toBe(401);
    expect((await request('/api/health', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await request('/api/health', { cookie: 'ocm_token=nope' })).status).toBe(401);
  });

  it('answers with the token as bearer or cookie', async () => {
    const res = await request('/api/health', { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ success: true, data: { engineVersion: 't', demo: false } });
    expect((await request('/', { cookie: `ocm_token=${TOKEN}` })).body).toContain('<title>ok</title>');
  });

  it('trades the URL token for an HttpOnly, SameSite=Strict cookie', async () => {
    const res = await request(`/?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(res.headers['set-cookie']?.[0]).toMatch(/^ocm_token=.+; HttpOnly; SameSite=Strict; Path=\//);
    // The page's own parameters survive the trade; a `//host` target cannot make the redirect leave this origin.
    expect((await request(`/?attach=0&token=${TOKEN}`)).headers.location).toBe('/?attach=0');
    expect((await request(`//evil.example/?token=${TOKEN}`)).headers.location).toBe('/');
  });

  it('refuses a forged Host (DNS rebinding) even with the right token', async () => {
    const res = await request('/api/health', { host: `evil.example:${server.port}`, authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(421);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    const res = await request('/api/health', { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(403);
  });

  it('never serves files outside the dashboard directory', async () => {
    for (const attempt of ['/../ocm-secret-outside.txt', '/%2e%2e/ocm-secret-outside.txt', '/..%2fetc%2fpasswd']) {
      const res = await request(attempt, { cookie: `ocm_token=${TOKEN}` });
      expect(res.status, attempt).toBe(404);
      expect(res.body).not.toContain('SECRET-OUTSIDE-CONTENT');
    }
  });
});

describe('WebSocket', () => {
  it('streams hello, the Arrow snapshot and snapshot-done to an authorised same-origin client', async () => {
    const result = await openSocket({ cookie: `ocm_token=${TOKEN}`, origin: `http://127.0.0.1:${server.port}` });
    expect(result.error).toBeUndefined();
    expect(result.messages.map((m) => m.type)).toEqual(['hello', 'live-state', 'snapshot-done']);
    expect(result.chunks).toBe(1);
    expect(result.messages[2]).toEqual({ type: 'snapshot-done', seq: 0, rows: { sources: 1 } });
    // The body is single-use: fetched once, its path is worthless.
    const again = await requestBytes(result.bodyPath!, { cookie: `ocm_token=${TOKEN}` });
    expect(again.status).toBe(404);
  });

  it('refuses the snapshot body without the token, from a foreign Origin or Host, and for a made-up ticket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const hello = await new Promise<ServerMessage>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerMessage)));
    const bodyPath = hello.type === 'hello' ? hello.snapshotPath! : '';
    expect(bodyPath).toMatch(/^\/snapshot\/[\w-]{24}$/);
    expect((await requestBytes(bodyPath, {})).status).toBe(401);
    expect((await requestBytes(bodyPath, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await requestBytes(bodyPath, { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await requestBytes(bodyPath, { authorization: `Bearer ${TOKEN}`, host: 'evil.example' })).status).toBe(421);
    expect((await requestBytes('/snapshot/made-up', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    // None of that spent the ticket: its own client still gets it.
    const body = await requestBytes(bodyPath, { authorization: `Bearer ${TOKEN}` });
    expect(body.status).toBe(200);
    const records = createSnapshotBodyReader().push(body.body);
    expect(records.ok && records.value.map((r) => [r.header.table, r.header.rows, r.header.end])).toEqual([['sources', 1, true]]);
    ws.close();
  });

  it('refuses an upgrade from a foreign Origin (cross-site WebSocket hijacking)', async () => {
    const result = await openSocket({ cookie: `ocm_token=${TOKEN}`, origin: 'http://evil.example' });
    expect(result.error).toBe('HTTP 403');
    expect(result.messages).toEqual([]);
  });

  it('refuses an upgrade without the token', async () => {
    const result = await openSocket({ origin: `http://127.0.0.1:${server.port}` });
    expect(result.error).toBe('HTTP 401');
  });

  it('answers malformed client messages with a problem and keeps the connection', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const received: ServerMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const decoded = decodeServerMessage(data.toString());
        if (!decoded.ok) return;
        received.push(decoded.value);
        if (decoded.value.type === 'hello' && decoded.value.snapshotPath) void requestBytes(decoded.value.snapshotPath, { authorization: `Bearer ${TOKEN}` });
        if (decoded.value.type === 'snapshot-done') {
          ws.send('{not json');
          ws.send(JSON.stringify({ type: 'drop-tables' }));
          ws.send(JSON.stringify({ type: 'ping', requestId: 'r1' }));
        }
        if (decoded.value.type === 'pong') resolve();
      });
    });
    ws.close();
    const problems = received.filter((m) => m.type === 'problem');
    expect(problems).toHaveLength(2);
    expect(received.at(-1)).toEqual({ type: 'pong', requestId: 'r1' });
  });
});

describe('ports', () => {
  it('moves to the next free port when the requested one is taken, and says so', async () => {
    const logger = createMemoryLogger();
    const second = await startServer({ host: '127.0.0.1', port: server.port, token: TOKEN, uiDir, logger, snapshot: async () => ({ engineVersion: 't', demo: false, dataDir: '/d', tables: [] }) });
    try {
      expect(second.port).toBeGreaterThan(server.port);
      expect(logger.lines.join('\n')).toContain(`port ${server.port} is taken`);
    } finally {
      await second.close();
    }
  });
});
